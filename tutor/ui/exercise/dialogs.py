"""Small modal screens of the exercise editor: a yes/no confirmation, the solution viewer and the key list."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
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


# The editor's keys, one per line; the app's help screen lists them too.
EDITOR_KEY_LINES = """\
  ctrl+r or f5        check the code
  ctrl+s              save now (drafts also save as you type)
  f2                  next hint
  f3                  reference solution (after a pass or
                      3 failed checks)
  f4                  reset to the starter code
  f6                  next planted bug (fix-the-bug only)
  escape              back to the lesson
  f1                  the editor's key list

  ctrl+z / ctrl+y     undo / redo
  shift+arrows        select text
  f7                  select all
  ctrl+x, ctrl+c,     cut, copy, paste (inside the app;
  ctrl+v              the terminal's paste works too)
  tab                 indent
  home / end          start / end of the line
  ctrl+k              delete to the end of the line
"""

EDITOR_KEYS = (
    "[b]Code editor keys[/b]\n\n"
    + EDITOR_KEY_LINES
    + "\nYour code is saved as you type. Escape, q or f1 closes this list.\n"
)


class EditorKeysScreen(ModalScreen[None]):
    """The keys of the code editor; escape, q or f1 closes it."""

    DEFAULT_CSS = """
    EditorKeysScreen {
        align: center middle;
    }
    EditorKeysScreen > VerticalScroll {
        width: 62;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $accent;
        background: $surface;
        padding: 0 1;
    }
    """

    BINDINGS = [Binding("escape,q,f1", "close", "Close", priority=True)]

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(EDITOR_KEYS, id="editor-keys")

    def action_close(self) -> None:
        self.dismiss(None)
