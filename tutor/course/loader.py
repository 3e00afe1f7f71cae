"""Load a folder of markdown lessons into a Course, reporting problems by file and line.

A lesson that cannot be read is left out and its problems are listed; the
other lessons still load. Parsing uses markdown-it (for fences and headings
with their line numbers) and PyYAML (for front matter and block bodies).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any, Callable

import yaml
from markdown_it import MarkdownIt

from tutor.course.model import BLOCK_KINDS, Block, Course, Lesson, Problem, Section
from tutor.course.values import substitute_values

# A validator takes a block's parameters and the course folder and returns messages.
BlockValidator = Callable[[dict[str, Any], Path], list[str]]

SKIPPED_FILE_NAMES = {"README.md", "AUTHORING.md"}
SKIPPED_FOLDERS = {"exercises"}
LESSON_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
MAX_LESSON_BYTES = 1_000_000

log = logging.getLogger(__name__)


class LessonError(Exception):
    """A problem that stops one lesson from loading."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


class FrontMatterErrors(Exception):
    """Every problem found in a lesson's front matter keys, all reported on line 1."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def find_lesson_files(root: Path) -> list[Path]:
    """Return every lesson file below root, skipping README/AUTHORING and exercise folders."""
    files = []
    for path in sorted(root.rglob("*.md")):
        relative = path.relative_to(root)
        if path.name in SKIPPED_FILE_NAMES:
            continue
        if any(part in SKIPPED_FOLDERS or part.startswith(".") for part in relative.parts[:-1]):
            continue
        files.append(path)
    return files


def load_course(root: Path | str, validators: dict[str, BlockValidator] | None = None) -> Course:
    """Load every lesson below root, ordered by `order` then file name."""
    root = Path(root)
    course = Course(root)
    if not root.is_dir():
        course.problems.append(Problem(root, 0, "lesson folder not found"))
        return course

    seen: dict[str, Path] = {}
    for path in find_lesson_files(root):
        lesson, problems = load_lesson(path, root, validators)
        course.problems.extend(problems)
        if lesson is None:
            continue
        if lesson.id in seen:
            course.problems.append(Problem(
                path, 2, f"lesson id {lesson.id!r} is already used by {seen[lesson.id]}; "
                "this lesson was skipped"))
            continue
        seen[lesson.id] = path
        course.lessons.append(lesson)

    course.lessons.sort(key=lambda lesson: (lesson.order, lesson.path.name))
    return course


def load_lesson(
    path: Path, root: Path | None = None, validators: dict[str, BlockValidator] | None = None
) -> tuple[Lesson | None, list[Problem]]:
    """Load one lesson file; return (None, problems) when it cannot be used at all."""
    root = root or path.parent
    try:
        if path.stat().st_size > MAX_LESSON_BYTES:
            return None, [Problem(path, 0, f"file is larger than {MAX_LESSON_BYTES} bytes")]
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        return None, [Problem(path, 0, f"file is not valid UTF-8 ({error.reason} at byte {error.start})")]
    except OSError as error:
        return None, [Problem(path, 0, f"cannot read file: {error.strerror}")]

    text = text.replace("\r\n", "\n")
    problems: list[Problem] = []
    try:
        front, body, body_start = _split_front_matter(text)
        lesson = _lesson_from_front_matter(front, path)
    except LessonError as error:
        return None, [Problem(path, error.line, error.message)]
    except FrontMatterErrors as errors:
        return None, [Problem(path, 1, message) for message in errors.messages]

    lesson.sections = _parse_sections(body, body_start, path, root, validators or {}, problems)
    if not any(section.markdown.strip() or section.blocks for section in lesson.sections):
        problems.append(Problem(path, body_start, "lesson has no text after its front matter"))
    return lesson, problems


def _split_front_matter(text: str) -> tuple[dict, str, int]:
    """Return (front matter, body, line number of the body's first line)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise LessonError(1, "missing front matter: the file must start with a line '---'")
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            end = number
            break
    else:
        raise LessonError(1, "front matter is not closed: add a line '---' after it")

    source = "\n".join(lines[1:end - 1])
    try:
        front = yaml.safe_load(source) or {}
    except yaml.YAMLError as error:
        line = 1 + _yaml_error_line(error)
        problem = getattr(error, "problem", None) or str(error)
        raise LessonError(line, f"front matter is not valid YAML: {problem}") from None
    if not isinstance(front, dict):
        raise LessonError(2, "front matter must be key: value lines")
    return front, "\n".join(lines[end:]), end + 1


def _yaml_error_line(error: yaml.YAMLError) -> int:
    """Return the 1-based line of a YAML error within its source, preferring where the construct began."""
    mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
    return mark.line + 1 if mark is not None else 1


def _lesson_from_front_matter(front: dict, path: Path) -> Lesson:
    """Build the lesson from its front matter; raise FrontMatterErrors listing every problem."""
    messages = [f"front matter is missing {key!r}" for key in ("id", "title", "order")
                if front.get(key) in (None, "")]

    lesson_id = str(front.get("id", ""))
    if lesson_id and not LESSON_ID_PATTERN.match(lesson_id):
        messages.append(f"id {lesson_id!r} must use lowercase letters, digits and dashes")
    order = front.get("order")
    if order is not None and (isinstance(order, bool) or not isinstance(order, (int, float))):
        messages.append(f"order must be a number, not {order!r}")
    objectives = front.get("objectives") or []
    if not isinstance(objectives, list):
        messages.append("objectives must be a list of lines starting with '- '")
    if messages:
        raise FrontMatterErrors(messages)

    return Lesson(
        id=lesson_id,
        title=str(front["title"]),
        order=int(order),
        path=path,
        module=str(front.get("module", "")),
        objectives=[str(item) for item in objectives],
    )


def _parse_sections(
    body: str, body_start: int, path: Path, root: Path,
    validators: dict[str, BlockValidator], problems: list[Problem],
) -> list[Section]:
    lines = [_substitute(line, body_start + number, path, problems)
             for number, line in enumerate(body.split("\n"))]
    tokens = MarkdownIt("commonmark").parse("\n".join(lines))

    section_starts = [(0, "Introduction")]
    fences = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2" and token.map:
            title = tokens[index + 1].content.strip()
            section_starts.append((token.map[0], title))
        elif token.type == "fence" and token.map:
            kind = token.info.strip().split(" ")[0] if token.info else ""
            if kind in BLOCK_KINDS:
                fences.append((token.map[0], token.map[1], kind, token.content))

    first_problem = len(problems)
    sections = []
    kind_counts: dict[str, int] = {}
    ids: set[str] = set()
    for number, (start, title) in enumerate(section_starts):
        end = section_starts[number + 1][0] if number + 1 < len(section_starts) else len(lines)
        section = Section(title=title, markdown="", line=body_start + start)
        kept: list[str] = []
        cursor = start + 1 if number > 0 else start
        for fence_start, fence_end, kind, content in fences:
            if not start <= fence_start < end:
                continue
            kept.extend(lines[cursor:fence_start])
            block = _make_block(kind, content, body_start + fence_start, path, root,
                                validators, kind_counts, ids, problems)
            if block is not None:
                section.blocks.append(block)
                kept.append(f"> **Lab:** {_describe_block(block)}")
            cursor = fence_end
        kept.extend(lines[cursor:end])
        section.markdown = "\n".join(kept).strip("\n")
        section.problems = [
            f"line {problem.line}: {problem.message}" for problem in problems[first_problem:]
            if body_start + start <= problem.line < body_start + end
        ]
        if number == 0 and not section.markdown.strip() and not section.blocks and not section.problems:
            continue
        sections.append(section)
    return sections


def _make_block(
    kind: str, content: str, line: int, path: Path, root: Path,
    validators: dict[str, BlockValidator], kind_counts: dict[str, int], ids: set[str],
    problems: list[Problem],
) -> Block | None:
    kind_counts[kind] = kind_counts.get(kind, 0) + 1
    try:
        params = yaml.safe_load(content) or {}
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or str(error)
        problems.append(Problem(path, line + _yaml_error_line(error),
                                f"{kind} block is not valid YAML: {problem}"))
        return None
    if not isinstance(params, dict):
        problems.append(Problem(path, line + 1, f"{kind} block must hold key: value lines"))
        return None

    block_id = str(params.get("id") or f"{kind}-{kind_counts[kind]}")
    if block_id in ids:
        problems.append(Problem(path, line, f"block id {block_id!r} is used twice in this lesson"))
        return None
    ids.add(block_id)

    messages = _check_block(kind, params)
    validator = validators.get(kind)
    if validator is not None and not messages:
        messages = validator(params, root)
    for message in messages:
        problems.append(Problem(path, line, f"{kind} block: {message}"))
    if messages:
        return None
    return Block(kind=kind, params=params, line=line, id=block_id)


def _check_block(kind: str, params: dict[str, Any]) -> list[str]:
    """Check what the course package can check itself; kinds with validators check the rest."""
    if kind == "trace":
        from tutor.engine.examples import EXAMPLES

        example = params.get("example")
        if example is None:
            return ["missing 'example' (one of: " + ", ".join(sorted(EXAMPLES)) + ")"]
        if example not in EXAMPLES:
            return [f"unknown example {example!r}; expected one of: " + ", ".join(sorted(EXAMPLES))]
    if kind == "chart":
        from tutor.course.charts import validate_chart_params

        return validate_chart_params(params)
    if kind == "train":
        from tutor.course.training_runs import validate_training_params

        return validate_training_params(params)
    if kind == "quiz" and "kind" not in params:
        return ["missing 'kind' (what the quiz asks, such as output-delta)"]
    if kind == "exercise" and "id" not in params:
        return ["missing 'id' (the name of a folder under exercises/)"]
    return []


def _describe_block(block: Block) -> str:
    params = block.params
    if block.kind == "trace":
        return f"step through the {params.get('example')} tables"
    if block.kind == "chart":
        return f"chart: {params.get('kind')}"
    if block.kind == "quiz":
        return f"quiz: {params.get('kind')}"
    if block.kind == "train":
        return f"train a network on {params.get('dataset', 'digits')}"
    return f"code exercise: {params.get('id')}"


def _substitute(line_text: str, line: int, path: Path, problems: list[Problem]) -> str:
    """Put engine values into one line of prose; report each reference that cannot be replaced."""
    text, messages = substitute_values(line_text)
    problems.extend(Problem(path, line, message) for message in messages)
    return text
