"""A JSON cache of a loaded course, so the app starts without parsing every lesson.

Loading a course parses markdown and YAML and runs the engine for inline
values and block checks, which imports NumPy. The cache stores the result
keyed by a fingerprint of every file below the course folder and of the
tutor's own source files (size and modification time), so any edit to a
lesson or to the code that interprets it makes a fresh load.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Callable

import tutor
from tutor.course.model import Block, Course, Lesson, Problem, Section

CACHE_FORMAT = 2

log = logging.getLogger(__name__)


def course_fingerprint(root: Path) -> list:
    """Return (path, size, mtime) of every file below root and of the tutor package's .py files."""
    entries = []
    package = Path(tutor.__file__).parent
    for base in (root, package):
        for folder, _, names in os.walk(base):
            for name in sorted(names):
                path = Path(folder) / name
                if base is package and path.suffix != ".py":
                    continue
                try:
                    stat = path.stat()
                except OSError:
                    continue
                entries.append([str(path), stat.st_size, stat.st_mtime_ns])
    entries.sort()
    return [CACHE_FORMAT, tutor.__version__, str(root.resolve()), entries]


def load_course_cached(root: Path, load: Callable[[Path], Course], cache_dir: Path) -> Course:
    """Return the course from cache_dir when its fingerprint matches, else load and store it."""
    fingerprint = course_fingerprint(root)
    cache_file = cache_dir / "course-cache.json"
    try:
        stored = json.loads(cache_file.read_text(encoding="utf-8"))
        if stored.get("fingerprint") == fingerprint:
            return course_from_dict(stored["course"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        if not isinstance(error, FileNotFoundError):
            log.info("ignoring course cache %s: %s", cache_file, error)

    course = load(root)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        temporary = cache_file.with_suffix(".tmp")
        temporary.write_text(json.dumps({"fingerprint": fingerprint, "course": course_to_dict(course)}),
                             encoding="utf-8")
        temporary.replace(cache_file)
    except (OSError, TypeError, ValueError) as error:
        log.info("could not write course cache %s: %s", cache_file, error)
    return course


def course_to_dict(course: Course) -> dict:
    return {
        "root": str(course.root),
        "problems": [[str(p.path), p.line, p.message] for p in course.problems],
        "lessons": [
            {
                "id": lesson.id, "title": lesson.title, "order": lesson.order,
                "path": str(lesson.path), "module": lesson.module, "objectives": lesson.objectives,
                "sections": [
                    {
                        "title": section.title, "markdown": section.markdown, "line": section.line,
                        "blocks": [[b.kind, b.params, b.line, b.id] for b in section.blocks],
                        "problems": section.problems,
                    }
                    for section in lesson.sections
                ],
            }
            for lesson in course.lessons
        ],
    }


def course_from_dict(data: dict) -> Course:
    lessons = []
    for item in data["lessons"]:
        sections = [
            Section(
                title=section["title"], markdown=section["markdown"], line=section["line"],
                blocks=[Block(kind, params, line, block_id)
                        for kind, params, line, block_id in section["blocks"]],
                problems=list(section["problems"]),
            )
            for section in item["sections"]
        ]
        lessons.append(Lesson(
            id=item["id"], title=item["title"], order=item["order"], path=Path(item["path"]),
            module=item["module"], objectives=list(item["objectives"]), sections=sections,
        ))
    problems = [Problem(Path(path), line, message) for path, line, message in data["problems"]]
    return Course(Path(data["root"]), lessons, problems)
