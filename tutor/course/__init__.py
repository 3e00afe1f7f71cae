"""Lessons as data: find lesson files, parse front matter and blocks, validate a course.

Imports the engine (for worked examples and inline values), never Textual.
"""

from tutor.course.loader import load_course, load_lesson
from tutor.course.model import Block, Course, Lesson, Problem, Section

__all__ = ["Block", "Course", "Lesson", "Problem", "Section", "load_course", "load_lesson"]
