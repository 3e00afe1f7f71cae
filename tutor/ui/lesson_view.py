"""The prose pane: one section of a lesson as markdown, with its place in the lesson."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static

from tutor.course import Lesson


class LessonView(VerticalScroll):
    """Shows the current section's prose; scrolls with the arrow and page keys."""

    can_focus = True

    def compose(self) -> ComposeResult:
        yield Static("", id="section-title")
        yield Markdown("", id="prose")

    async def show(self, lesson: Lesson, section_index: int) -> None:
        section = lesson.sections[section_index]
        title = self.query_one("#section-title", Static)
        title.update(
            f"[b]{lesson.title}[/b]\n[dim]Section {section_index + 1} of "
            f"{len(lesson.sections)}:[/dim] {section.title}"
        )
        text = section.markdown
        if section_index == 0 and lesson.objectives:
            goals = "\n".join(f"- {objective}" for objective in lesson.objectives)
            text = f"**In this lesson you will:**\n\n{goals}\n\n{text}"
        await self.query_one("#prose", Markdown).update(text)
        self.scroll_home(animate=False)
