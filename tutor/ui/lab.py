"""The lab pane: the interactive blocks of the current section, one widget each."""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from tutor.course.model import Block, Section
from tutor.ui.context import LabContext


def make_block_widget(block: Block, context: LabContext) -> Widget:
    """Build the widget for one block; a widget that fails to build shows why instead."""
    try:
        if block.kind == "trace":
            from tutor.ui.trace_table import TracePanel

            return TracePanel(block, context)
        if block.kind == "chart":
            from tutor.ui.chart import ChartPanel

            return ChartPanel(block, context)
        if block.kind == "quiz":
            from tutor.ui.quiz.panel import QuizPanel

            return QuizPanel(block, context)
        if block.kind == "exercise":
            from tutor.ui.exercise.panel import ExercisePanel

            return ExercisePanel(block, context)
        if block.kind == "train":
            from tutor.ui.training_panel import TrainingPanel

            return TrainingPanel(block, context)
    except Exception as error:  # a broken block must not take the lesson down
        return Static(Text.assemble((f"This {block.kind} block could not be shown", "bold"),
                                    "\n", str(error)), classes="block-error")
    return Static(f"Unknown block kind {block.kind!r}.", classes="block-error")


class LabPane(VerticalScroll):
    """Holds the block widgets of one section; the app hides it when the section has none."""

    DEFAULT_CSS = """
    LabPane > .block {
        margin-bottom: 1;
    }
    """

    async def show_section(self, section: Section, context: LabContext) -> None:
        await self.remove_children()
        widgets: list[Widget] = []
        if section.problems:
            listing = "\n".join(f"- {problem}" for problem in section.problems)
            widgets.append(Static(
                f"Part of this section could not be shown:\n{listing}\n"
                "Run `backprop-tutor validate` on the lesson folder for details.",
                classes="block-error", markup=False,
            ))
        for block in section.blocks:
            widget = make_block_widget(block, context)
            widget.add_class("block")
            widgets.append(widget)
        await self.mount_all(widgets)
        self.scroll_home(animate=False)

    def first_block(self) -> Widget | None:
        for child in self.children:
            if child.focusable:
                return child
            for descendant in child.query("*"):
                if descendant.focusable:
                    return descendant
        return None
