"""Small modal screens of the exercise editor: a yes/no confirmation and the solution viewer."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static, TextArea


class ConfirmDialog(ModalScreen[bool]):
    """Ask a yes/no question; dismiss with True for yes."""

    DEFAULT_CSS = """
    ConfirmDialog {
        align: center middle;
    }
    ConfirmDialog > Vertical {
        width: 50;
        max-width: 90%;
        height: auto;
        border: thick $warning;
        background: $surface;
        padding: 1 2;
    }
    ConfirmDialog Horizontal {
        height: auto;
        margin-top: 1;
    }
    ConfirmDialog Button {
        margin-right: 2;
    }
    """

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, yes_label: str = "Yes"):
        super().__init__()
        self.question = question
        self.yes_label = yes_label

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, id="question")
            with Horizontal():
                yield Button(f"{self.yes_label} (y)", variant="warning", id="yes")
                yield Button("No (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class SolutionScreen(ModalScreen[None]):
    """The reference solution, read-only."""

    DEFAULT_CSS = """
    SolutionScreen {
        align: center middle;
    }
    SolutionScreen > Vertical {
        width: 90%;
        height: 90%;
        border: thick $success;
        background: $surface;
    }
    SolutionScreen TextArea {
        height: 1fr;
    }
    """

    BINDINGS = [Binding("escape,q", "close", "Close", priority=True)]

    def __init__(self, title: str, code: str):
        super().__init__()
        self.title_text = title
        self.code = code

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"Reference solution: {self.title_text}  (escape closes)", markup=False)
            yield TextArea.code_editor(self.code, language="python", read_only=True,
                                       id="solution-code")

    def action_close(self) -> None:
        self.dismiss(None)
