"""The course as data: lessons, their sections, and the interactive blocks in them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BLOCK_KINDS = ("trace", "chart", "quiz", "exercise", "train")


@dataclass(frozen=True)
class Problem:
    """A problem found in a lesson file, with its 1-based line (0 when it concerns the whole file)."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        location = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{location}: {self.message}"


@dataclass(frozen=True)
class Block:
    """An interactive block: its kind, its YAML parameters and where it sits.

    `id` is the block's `id` parameter when it has one, else kind and its
    position in the lesson (quiz-3); progress is stored under it.
    """

    kind: str
    params: dict[str, Any]
    line: int
    id: str


@dataclass
class Section:
    """A `## ` section of a lesson: its prose (markdown, blocks removed) and its blocks.

    `problems` describes the blocks and inline values of this section that
    could not be used, so the lab can say why something is missing.
    """

    title: str
    markdown: str
    blocks: list[Block] = field(default_factory=list)
    line: int = 1
    problems: list[str] = field(default_factory=list)


@dataclass
class Lesson:
    id: str
    title: str
    order: int
    path: Path
    module: str = ""
    objectives: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)

    def blocks(self) -> list[Block]:
        return [block for section in self.sections for block in section.blocks]


@dataclass
class Course:
    """Every lesson that loaded, in order, and the problems found on the way."""

    root: Path
    lessons: list[Lesson] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def lesson(self, lesson_id: str) -> Lesson | None:
        for lesson in self.lessons:
            if lesson.id == lesson_id:
                return lesson
        return None
