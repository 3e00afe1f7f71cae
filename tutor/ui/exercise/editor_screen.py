"""The full-screen exercise editor: code on the left, prompt, hints and results on the right.

Below NARROW_WIDTH columns the side pane moves under the code. Every key
works over SSH and in tmux: function keys and Ctrl letters that the code
editor does not use. The check runs in a thread worker that waits on a child
process, so the screen keeps handling keys while it runs.
"""

from __future__ import annotations

import logging
import math

from rich.text import Text
from textual.app import ComposeResult
from textual import events
from textual.binding import ActiveBinding, Binding
from textual.containers import Container, VerticalScroll
from textual.keys import key_to_character
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Markdown, Static, TextArea

from tutor.checking.codecheck import CheckReport
from tutor.ui.exercise.dialogs import ConfirmDialog, EditorKeysScreen, SolutionScreen
from tutor.ui.exercise.session import ExerciseSession, shared_runner

log = logging.getLogger(__name__)

DRAFT_DELAY_SECONDS = 0.25
NARROW_WIDTH = 90
CHART_HEIGHT = 12
SERIES_MARKERS = ("o", "x", "+")


def norms_chart(plots: dict[str, list[float]], title: str, width: int) -> Text:
    """Draw each series of gradient norms per layer with plotext 6, as log10 of the norm.

    plotext keeps one global figure, so call this from the UI thread only.
    """
    import plotext

    figure = plotext.figure
    figure.clear()
    figure.plot_size(max(width, 10), CHART_HEIGHT)
    figure.theme("simple")
    for number, (label, values) in enumerate(plots.items()):
        kept = [(layer, math.log10(value)) for layer, value in enumerate(values, start=1) if value > 0]
        if not kept:
            continue
        signal = figure.signal([x for x, _ in kept], [y for _, y in kept],
                               marker=plotext.marker(SERIES_MARKERS[number % len(SERIES_MARKERS)]))
        signal.lines()
        figure.draw(signal)
    figure.title(f"{title or 'Gradient norm per layer'} (log10)")
    figure.label("layer", axis="x")
    legend = "   ".join(f"{SERIES_MARKERS[n % len(SERIES_MARKERS)]} {label}"
                        for n, label in enumerate(plots))
    chart = Text.from_ansi(figure.build().string() + "\n" + legend)
    chart.no_wrap = True
    chart.overflow = "crop"
    return chart


class EditorScreen(Screen[None]):
    """Edit, check and save one exercise; escape returns to the lesson."""

    DEFAULT_CSS = """
    EditorScreen #exercise-title {
        height: 1;
        background: $panel;
        text-style: bold;
        padding: 0 1;
    }
    EditorScreen #editor-row {
        height: 1fr;
        layout: horizontal;
    }
    EditorScreen #code {
        width: 2fr;
    }
    EditorScreen #side {
        width: 1fr;
        min-width: 26;
        padding: 0 1;
    }
    EditorScreen.narrow #editor-row {
        layout: vertical;
    }
    EditorScreen.narrow #code {
        width: 1fr;
        height: 1fr;
        min-height: 6;
    }
    EditorScreen.narrow #side {
        width: 1fr;
        min-width: 0;
        height: 1fr;
        border-top: solid $panel;
    }
    EditorScreen #prompt MarkdownFence {
        overflow-x: hidden;
    }
    EditorScreen #prompt MarkdownFence > Label {
        width: 1fr;
        text-wrap: wrap;
    }
    EditorScreen #check-status {
        text-style: bold;
    }
    EditorScreen #check-status.passed {
        color: $success;
    }
    EditorScreen #check-status.failed {
        color: $error;
    }
    EditorScreen #chart {
        text-wrap: nowrap;
        text-overflow: clip;
    }
    EditorScreen #results, EditorScreen #chart, EditorScreen #hints {
        height: auto;
        margin-bottom: 1;
    }
    """

    # The footer shows these in this order and cuts the rest at narrow widths, so f1 comes first.
    BINDINGS = [
        Binding("f1", "keys", "Help", priority=True),
        Binding("ctrl+r,f5", "check", "Check", priority=True),
        Binding("f2", "hint", "Hint", priority=True),
        Binding("f3", "solution", "Solution", priority=True),
        Binding("f4", "reset", "Reset", priority=True),
        Binding("f6", "next_variant", "Next bug", priority=True),
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "back", "Back", priority=True),
    ]

    def __init__(self, session: ExerciseSession):
        super().__init__()
        self.session = session
        self.hints_shown = 0
        self.checking = False
        self.last_report: CheckReport | None = None
        self._draft_timer: Timer | None = None
        self._fresh = True
        self._loaded_text = ""
        self._editor: TextArea | None = None
        self._check_clock: Timer | None = None
        self._check_seconds = 0
        self._leaving = False

    def compose(self) -> ComposeResult:
        exercise = self.session.exercise
        yield Static(self._title(), id="exercise-title", markup=False)
        with Container(id="editor-row"):
            self._loaded_text = self.session.load_code()
            yield TextArea.code_editor(self._loaded_text, language="python",
                                       theme="monokai", id="code")
            with VerticalScroll(id="side"):
                yield Static("", id="check-status", markup=False)
                for name in ("results", "chart", "hints"):
                    blank = Static("", id=name, markup=False)
                    blank.display = False
                    yield blank
                yield Markdown(exercise.prompt, id="prompt")
        yield Footer()

    def _title(self) -> str:
        variant = self.session.variant_title()
        title = f"Exercise: {self.session.exercise.title}"
        return f"{title} ({variant})" if variant else title

    def on_mount(self) -> None:
        self._editor = self.query_one("#code", TextArea)
        self._editor.focus()
        self._fit_layout(self.app.size.width)
        self._set_status(*self.session.variant_status())
        shared_runner().prestart()

    def on_resize(self, event: events.Resize) -> None:
        self._fit_layout(event.size.width)

    def _fit_layout(self, width: int) -> None:
        """Stack the side pane under the code when the terminal is too narrow for both side by side."""
        self.set_class(width < NARROW_WIDTH, "narrow")

    def on_screen_suspend(self, _event: events.ScreenSuspend) -> None:
        # A dialog or the help opens on top: keep what is typed so far.
        self.save_draft()

    def on_unmount(self) -> None:
        # Quitting the app from the editor skips action_back; keep the last keystrokes anyway.
        self.save_draft()

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """The bindings the footer shows, without the app's one-character keys, which type into the code."""
        bindings = super().active_bindings
        if self.focused is not self._editor or self._editor is None:
            return bindings
        return {key: active for key, active in bindings.items()
                if not (active.node is self.app and key_to_character(key) is not None)}

    def _after_pending_keys(self, callback) -> None:
        """Run `callback` once the code editor has handled every key that came before.

        The screen's bindings have priority, so the app runs them as soon as
        their key arrives, while earlier keys may still wait in the
        TextArea's message queue. Queued behind those keys, the callback reads
        the text the learner typed.
        """
        self._editor.call_later(callback)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_variant" and not self.session.exercise.variants:
            return False
        return True

    @property
    def code(self) -> str:
        return self._editor.text

    # Drafts.

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        # Loading code posts Changed too; only a learner's edit starts the draft timer.
        if self._fresh and self.code == self._loaded_text:
            return
        self._fresh = False
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DELAY_SECONDS, self.save_draft)

    def save_draft(self) -> None:
        """Save the code now, unless it is unchanged since it was loaded."""
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        if not self._fresh and self._editor is not None:
            self.session.save_code(self.code)

    def _load_text(self, code: str) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        self._fresh = True
        self._loaded_text = code
        self._editor.load_text(code)

    def action_save(self) -> None:
        self._after_pending_keys(self._save_now)

    def _save_now(self) -> None:
        self.save_draft()
        self.notify("Draft saved.", timeout=2)

    def action_keys(self) -> None:
        self.app.push_screen(EditorKeysScreen())

    # Checking.

    def action_check(self) -> None:
        self._after_pending_keys(self._start_check)

    def _start_check(self) -> None:
        if self.checking:
            self.notify("A check is already running.", timeout=2)
            return
        self.save_draft()
        self.checking = True
        self._set_status("Checking...", "")
        self._show("#chart", "")
        self._check_seconds = 0
        self._check_clock = self.set_interval(1.0, self._tick_check_clock)
        code = self.code
        self.run_worker(lambda: self._run_check(code), thread=True, group="check",
                        exit_on_error=False)

    def _run_check(self, code: str) -> None:
        try:
            report = self.session.check(code)
        except Exception as error:  # a failing store or runner must not crash the app
            log.exception("exercise check failed")
            report = CheckReport(False, "crashed", "The check could not run.", str(error))
        try:
            self.app.call_from_thread(self.show_report, report)
        except RuntimeError:
            log.info("the app closed before the check of %s finished", self.session.exercise.id)

    def _tick_check_clock(self) -> None:
        self._check_seconds += 1
        limit = self.session.exercise.time_limit
        self._set_status(f"Checking... {self._check_seconds} s (time limit {limit:g} s)", "")

    def show_report(self, report: CheckReport) -> None:
        self.checking = False
        if self._check_clock is not None:
            self._check_clock.stop()
            self._check_clock = None
        if not self.is_attached:
            return
        self.last_report = report
        self._set_status(report.headline, "passed" if report.passed else "failed")
        # The status line above already shows the headline.
        text = report.text().removeprefix(report.headline).lstrip("\n")
        if not report.passed and not self.session.solution_available:
            remaining = self.session.checks_until_solution()
            text += (f"\n\nF2 shows a hint. The solution opens after {remaining} more "
                     f"failed check{'s' if remaining != 1 else ''}.")
        self._show("#results", text)
        self.query_one("#side", VerticalScroll).scroll_home(animate=False)
        if report.passed and report.plots:
            # Leave room for the scroll bar that the taller content brings.
            width = self.query_one("#side").content_size.width - 2
            chart = norms_chart(report.plots, self.session.exercise.chart_title, width)
            self._show("#chart", chart)

    def _show(self, selector: str, content: str | Text) -> None:
        """Update one of the side pane's text areas, hiding it while it is empty."""
        widget = self.query_one(selector, Static)
        widget.update(content)
        widget.display = bool(content)

    def _set_status(self, text: str, state: str) -> None:
        status = self.query_one("#check-status", Static)
        status.update(text)
        status.set_class(state == "passed", "passed")
        status.set_class(state == "failed", "failed")

    # Hints, solution, reset, variants.

    def action_hint(self) -> None:
        hints = self.session.exercise.hints
        if not hints:
            self.notify("This exercise has no hints.", timeout=2)
            return
        if self.hints_shown >= len(hints):
            self.notify("That was the last hint.", timeout=2)
            return
        self.hints_shown += 1
        lines = [f"Hint {n}: {hint}" for n, hint in enumerate(hints[: self.hints_shown], start=1)]
        self._show("#hints", "\n\n".join(lines))
        self.query_one("#hints").scroll_visible()

    def action_solution(self) -> None:
        if not self.session.solution_available:
            remaining = self.session.checks_until_solution()
            self.notify(f"The solution opens after a pass or after {remaining} more failed "
                        f"check{'s' if remaining != 1 else ''}.", timeout=4)
            return
        if self.session.passed or self.session.solved_with_help:
            self._show_solution(True)
            return
        self.app.push_screen(
            ConfirmDialog("Open the reference solution? The exercise will count as "
                          "solved with help.", yes_label="Open"),
            self._show_solution,
        )

    def _show_solution(self, confirmed: bool | None) -> None:
        if not confirmed:
            return
        code = self.session.open_solution()
        self._set_status(*self.session.variant_status())
        self.app.push_screen(SolutionScreen(self.session.exercise.title, code))

    def action_reset(self) -> None:
        self.app.push_screen(
            ConfirmDialog("Replace your code with the starter code? Your draft will be lost.",
                          yes_label="Reset"),
            self._reset,
        )

    def _reset(self, confirmed: bool | None) -> None:
        if not confirmed:
            return
        self._load_text(self.session.reset_code())
        self._show("#results", "")
        self.notify("Code reset to the starter.", timeout=2)

    def action_next_variant(self) -> None:
        self._after_pending_keys(self._next_variant)

    def _next_variant(self) -> None:
        # The running check's report belongs to the code of this variant.
        if self.checking:
            self.notify("Wait for the check to finish before switching variants.", timeout=3)
            return
        self.save_draft()
        self.session.next_variant()
        self._load_text(self.session.load_code())
        self.query_one("#exercise-title", Static).update(self._title())
        self.last_report = None
        self._set_status(*self.session.variant_status())
        self._show("#results", "")
        self._show("#chart", "")
        self.notify(f"Now: {self.session.variant_title()}", timeout=3)

    def action_back(self) -> None:
        self._after_pending_keys(self._leave)

    def _leave(self) -> None:
        if self._leaving or not self.is_current:
            return
        self._leaving = True
        self.save_draft()
        self.dismiss(None)
