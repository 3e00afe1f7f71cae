"""Lessons as data: find lesson files, parse front matter and blocks, validate a course.

Imports the engine (for worked examples and inline values), never Textual.
The loader is imported on first use, so code that needs only the data model
(the app, with a cached course) starts without NumPy, YAML or markdown-it.
"""

from tutor.course.model import Block, Course, Lesson, Problem, Section

__all__ = ["Block", "Course", "Lesson", "Problem", "Section", "load_course", "load_lesson"]


def __getattr__(name: str):
    if name in ("load_course", "load_lesson"):
        from tutor.course import loader

        return getattr(loader, name)
    raise AttributeError(f"module 'tutor.course' has no attribute {name!r}")
