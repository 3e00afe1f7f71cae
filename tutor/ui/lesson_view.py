"""The prose pane: one section of a lesson as markdown, with its place in the lesson."""

from __future__ import annotations

from rich.markdown import Markdown
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tutor.course import Lesson


class LessonView(VerticalScroll):
    """Shows the current section's prose; scrolls with the arrow and page keys.

    The prose is one Static holding a Rich Markdown renderable: a single widget
    renders several times faster than Textual's Markdown widget, which builds
    a widget per paragraph, and start-up time is budgeted.
    """

    can_focus = True

    def compose(self) -> ComposeResult:
        yield Static("", id="section-title")
        yield Static("", id="prose")

    async def show(self, lesson: Lesson, section_index: int) -> None:
        section = lesson.sections[section_index]
        title = self.query_one("#section-title", Static)
        title.update(Text.assemble(
            (lesson.title, "bold"), "\n",
            (f"Section {section_index + 1} of {len(lesson.sections)}: ", "dim"), section.title,
        ))
        text = section.markdown
        if section_index == 0 and lesson.objectives:
            goals = "\n".join(f"- {objective}" for objective in lesson.objectives)
            text = f"**In this lesson you will:**\n\n{goals}\n\n{text}"
        self.query_one("#prose", Static).update(Markdown(text, code_theme="ansi_dark", hyperlinks=False))
        self.scroll_home(animate=False)
