"""The ```exercise block in the lab pane: title, a short prompt, the last check, and e to edit.

The panel stays small (the lab pane is about 40 columns wide); the work
happens in EditorScreen, which the panel pushes full screen.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from tutor.checking.exercises import Exercise, find_exercise
from tutor.course.model import Block
from tutor.ui.context import LabContext
from tutor.ui.exercise.session import ExerciseSession

PROMPT_LINES = 4


def short_prompt(prompt: str, max_lines: int = PROMPT_LINES) -> str:
    """Return the prompt's first paragraph, cut to `max_lines` source lines."""
    paragraph = prompt.strip().split("\n\n")[0].splitlines()
    text = " ".join(line.strip() for line in paragraph[:max_lines])
    return text + (" ..." if len(paragraph) > max_lines else "")


class ExercisePanel(Widget, can_focus=True):
    """A code exercise in the lab pane. Press e (or enter) to open the editor."""

    DEFAULT_CSS = """
    ExercisePanel {
        height: auto;
        border-left: outer $panel;
        padding: 0 0 0 1;
    }
    ExercisePanel:focus {
        border-left: outer $accent;
    }
    ExercisePanel > #exercise-heading {
        text-style: bold;
    }
    ExercisePanel > #exercise-status {
        margin-top: 1;
    }
    ExercisePanel > #exercise-status.solved {
        color: $success;
    }
    ExercisePanel > #exercise-keys {
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("e,enter", "edit", "Edit code", tooltip="Open the exercise in the code editor"),
    ]

    class Closed(Message):
        """Posted when the learner returns from the editor, with the exercise's current status."""

        def __init__(self, exercise_id: str, status: str):
            super().__init__()
            self.exercise_id = exercise_id
            self.status = status

    def __init__(self, block: Block, context: LabContext):
        super().__init__(id=f"exercise-{block.id}")
        self.block = block
        self.context = context
        exercise_id = str(block.params.get("id", block.id))
        self.exercise: Exercise = find_exercise(context.course_root, exercise_id)
        self.session = ExerciseSession(self.exercise, context.store)

    def compose(self) -> ComposeResult:
        yield Static(f"Exercise: {self.exercise.title}", id="exercise-heading", markup=False)
        yield Static(short_prompt(self.exercise.prompt), id="exercise-prompt", markup=False)
        yield Static("", id="exercise-status", markup=False)
        yield Static("e: open the code editor", id="exercise-keys", markup=False)

    def on_mount(self) -> None:
        self.refresh_status()

    def refresh_status(self) -> None:
        """Show the status of the last check, read from the store."""
        status = self.query_one("#exercise-status", Static)
        text = self.session.status_text()
        variant = self.session.variant_title()
        status.update(f"{text}\n({variant})" if variant else text)
        status.set_class(self.session.passed or self.session.solved_with_help, "solved")

    def action_edit(self) -> None:
        from tutor.ui.exercise.editor_screen import EditorScreen

        self.app.push_screen(EditorScreen(self.session), self._editor_closed)

    def _editor_closed(self, _result: None) -> None:
        self.refresh_status()
        self.post_message(self.Closed(self.exercise.id, self.session.status_text()))


