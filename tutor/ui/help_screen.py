"""The help screen: every key of the app and of the lab widgets."""

from __future__ import annotations

from pathlib import Path

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

HELP_TEXT = """\
[b]backprop-tutor keys[/b]

[b]Anywhere[/b]
  tab / shift+tab   move focus: tree, prose, lab widgets
  ] / \\[             next / previous section
  > / <             next / previous lesson
  t                 show or hide the course tree
  p                 focus the prose pane
  l                 focus the lab pane (the first block)
  ? or f1           this help
  q or ctrl+q       quit (everything is already saved);
                    in a text box, ctrl+q

[b]Course tree[/b]
  up/down or j/k    move;  enter  open the lesson

[b]Prose pane[/b]
  up/down, pgup/pgdn  scroll

[b]Step tables (trace)[/b]
  space or right or .      reveal the next value
  backspace or left or ,   go back one value
  home / end               start over / reveal all

[b]Lab pane[/b]
  pgup / pgdn       scroll to the blocks below (charts)

[b]Quizzes[/b] (in the answer box every letter types)
  type a number, enter     check it (0.25, .25, 1/4,
                           -2.5e-3, 0,25 and 0.5*0.2 work)
  f2                       next hint: factors, values, table
  f3                       worked table (after an attempt)
  f4                       new problem (new seed)
  escape                   leave the box for the quiz panel,
                           where ] \\[ > < l p t q work again
  on the quiz panel:
  h / w / n                hint / worked table / new problem
  enter or a digit         back to the answer box

[b]Code exercises[/b]
  e or enter          open the editor (on the exercise panel)
  in the editor, ? types a ?; its keys:
{editor_keys}
Progress is saved as you go, in
{progress_path}
Press escape to close this help.
"""


class HelpScreen(ModalScreen[None]):
    """Lists every key; escape, q or ? closes it."""

    BINDINGS = [
        Binding("escape", "dismiss_help", "Close help"),
        Binding("q", "dismiss_help", "Close help", show=False),
        Binding("question_mark", "dismiss_help", "Close help", show=False),
    ]

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > VerticalScroll {
        width: 70;
        max-width: 100%;
        height: 90%;
        border: round $accent;
        padding: 0 1;
        background: $surface;
    }
    """

    def __init__(self, progress_path: Path | str = "the user data folder") -> None:
        super().__init__()
        self.progress_path = progress_path

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            from tutor.ui.exercise.dialogs import EDITOR_KEY_LINES

            text = HELP_TEXT.format(progress_path=escape(str(self.progress_path)),
                                    editor_keys=EDITOR_KEY_LINES.rstrip("\n"))
            yield Static(text, markup=True)

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
