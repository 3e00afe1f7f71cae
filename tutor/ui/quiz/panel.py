"""The quiz widget of the lab pane: a generated problem, a typed answer, named mistakes, hints.

`QuizPanel(block, context)` shows one quiz block. Every letter typed in the
answer box goes into the answer, so "nan" reaches the parser and gets its
message. Commands use keys that type nothing: in the box f2 opens the next
hint, f3 the worked table, f4 a new problem, Enter checks the answer and
escape moves focus to the panel. The panel itself is focusable and takes
h, w and n as well as f2, f3 and f4, and there the app's own keys (] [ > < l
p t q) work, which the box would type as text. Every attempt goes to the
progress store. The seed, the hint rung and the progress through a
fill-the-table quiz are kept as small state, so reopening the lesson shows the
same problem.
"""

from __future__ import annotations

import random

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Input, Static

from tutor.checking.quiz import GenerationError, QuizSpecError, generate_problem, quiz_spec
from tutor.checking.quiz.check import CORRECT, INVALID, Verdict, check_text
from tutor.checking.quiz.describe import network_lines, problem_lines
from tutor.checking.quiz.hints import RUNG_TITLES, RUNGS, hint_rungs, worked_lines
from tutor.checking.quiz.problems import QuizProblem
from tutor.checking.quiz.spec import QuizSpec
from tutor.checking.quiz.table import TableProblem, filled_line, generate_table
from tutor.course.model import Block
from tutor.engine.trace import format_number
from tutor.progress import QuizAttempt
from tutor.ui.context import LabContext

MAX_SEED = 99_999
ANSWER_PLACEHOLDER = "answer, e.g. 1/4 or 0.25"
KEYS_LINE = "f2 hint  f3 table  f4 new  esc leave"
# Keys that start an answer when the panel has focus: they move focus to the box and type there.
ANSWER_START = frozenset("0123456789-+.(")


def state_key(context: LabContext, block: Block) -> str:
    """Return the progress-store key of a quiz block's small state."""
    return f"quiz:{context.lesson_id}:{block.id}"


FRESH_SEED_TRIES = 20


def new_seed() -> int:
    """Return a fresh five-digit seed, easy to read off the screen and type back."""
    return random.randint(10_000, MAX_SEED)


def _whole(value) -> int | None:
    """Return value when it is a non-negative int (not a bool), else None."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


class AnswerInput(Input):
    """The answer box: letters type into it, function keys run the quiz commands."""

    BINDINGS = [
        Binding("f2", "command('hint')", "Hint"),
        Binding("f3", "command('worked')", "Worked table"),
        Binding("f4", "command('new')", "New problem"),
        Binding("escape", "leave", "Leave box"),
    ]

    def action_command(self, name: str) -> None:
        panel = self.query_ancestor(QuizPanel)
        panel.run_command(name)

    def action_leave(self) -> None:
        self.query_ancestor(QuizPanel).focus()

    def start_answer(self, text: str) -> None:
        """Focus the box with `text` as a new answer and the cursor after it.

        Input selects its whole value on focus, and the next key would replace
        the selection, so selecting stays off until the box loses focus again.
        """
        # Keys typed fast can still reach the panel before the focus moves here,
        # so an answer already started (selection off, box not yet left) grows.
        if not self.select_on_focus:
            text = self.value + text
        self.value = text
        self.cursor_position = len(text)
        self.select_on_focus = False
        self.focus()

    def on_blur(self) -> None:
        self.select_on_focus = True


class QuizPanel(Widget):
    """One quiz block: the problem, an answer box, feedback, hints and the worked table."""

    can_focus = True

    DEFAULT_CSS = """
    QuizPanel {
        height: auto;
        padding: 0 1;
        border: round $primary;
    }
    QuizPanel:focus {
        border: double $accent;
        background: $boost;
    }
    QuizPanel > Static {
        height: auto;
    }
    QuizPanel > .quiz-title {
        text-style: bold;
    }
    QuizPanel > AnswerInput {
        margin: 1 0 0 0;
    }
    QuizPanel > .quiz-feedback.-correct {
        color: $success;
    }
    QuizPanel > .quiz-feedback.-mistake, QuizPanel > .quiz-feedback.-wrong {
        color: $warning;
    }
    QuizPanel > .quiz-hints, QuizPanel > .quiz-worked {
        margin-top: 1;
    }
    QuizPanel > .quiz-keys {
        color: $text-muted;
    }
    """

    # These keys apply only while the panel itself has focus. In the answer box the box's own
    # f2, f3 and f4 apply, and check_action hides these, so the footer lists no letters there.
    BINDINGS = [
        Binding("h", "command('hint')", "Hint"),
        Binding("w", "command('worked')", "Worked table"),
        Binding("n", "command('new')", "New problem"),
        Binding("enter", "answer", "Answer"),
        Binding("f2", "command('hint')", "Hint", show=False),
        Binding("f3", "command('worked')", "Worked table", show=False),
        Binding("f4", "command('new')", "New problem", show=False),
    ]

    def __init__(self, block: Block, context: LabContext, *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.block = block
        self.context = context
        self.spec: QuizSpec | None = None
        self.spec_error: str | None = None
        try:
            self.spec = quiz_spec(block.params)
        except QuizSpecError as error:
            self.spec_error = str(error)
        self.problem: QuizProblem | None = None
        self.table: TableProblem | None = None
        self.seed = 0
        self.rung = 0
        self.solved = False
        self.attempted = False
        self.worked_open = False
        self.cell = 0

    # Layout.

    def compose(self) -> ComposeResult:
        yield Static(classes="quiz-title")
        yield Static(classes="quiz-problem")
        yield Static(classes="quiz-cells")
        yield Static(classes="quiz-prompt")
        yield AnswerInput(placeholder=ANSWER_PLACEHOLDER, classes="quiz-answer")
        yield Static(classes="quiz-feedback")
        yield Static(KEYS_LINE, classes="quiz-keys")
        yield Static(classes="quiz-hints")
        yield Static(classes="quiz-worked")

    def on_mount(self) -> None:
        if self.spec is None:
            self._static("quiz-title").update(Text("This quiz block has a problem"))
            self._static("quiz-problem").update(Text(f"{self.spec_error}"))
            self.query_one(AnswerInput).display = False
            self._static("quiz-keys").display = False
            return
        saved = self.context.store.get_state(state_key(self.context, self.block))
        if isinstance(saved, dict) and _whole(saved.get("seed")) is not None:
            self._restore(saved)
        else:
            self._load_fresh()
            self._save_state()
        self._render_all()

    def _restore(self, saved: dict) -> None:
        """Reload the saved problem and progress; values of the wrong type count as unset."""
        self._load(_whole(saved["seed"]))
        self.rung = min(_whole(saved.get("rung")) or 0, RUNGS)
        self.solved = saved.get("solved") is True
        self.attempted = saved.get("attempted") is True
        self.worked_open = saved.get("worked") is True
        if self.table is not None:
            self.cell = min(_whole(saved.get("cell")) or 0, len(self.table.cells))

    @property
    def fill_table(self) -> bool:
        return self.spec is not None and self.spec.fill_table

    # Commands from keys.

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide the panel's keys while the answer box has focus, where they would type text."""
        if action not in ("command", "answer"):
            return True
        if not self.has_focus:
            return False
        return None if action == "answer" and self.solved else True

    def action_command(self, name: str) -> None:
        self.run_command(name)
        if name == "new" and self.spec is not None:
            self._answer_box().focus()

    def action_answer(self) -> None:
        if self.spec is not None and not self.solved:
            self._answer_box().focus()

    def on_key(self, event: events.Key) -> None:
        """Start an answer when a digit, sign, point or parenthesis is typed on the focused panel."""
        if not self.has_focus or event.character not in ANSWER_START or self.spec is None or self.solved:
            return
        event.stop()
        self._answer_box().start_answer(event.character)

    def run_command(self, name: str) -> None:
        """Run a key command: hint, new or worked."""
        if self.spec is None:
            return
        if name != "new" and not self._has_problem():
            return
        if name == "hint":
            self.next_hint()
        elif name == "new":
            self.new_problem()
        elif name == "worked":
            self.show_worked()

    def next_hint(self) -> None:
        """Open the next rung of the hint ladder and remember it."""
        if self.rung >= RUNGS:
            self._feedback("All hints are open. Press f4 for a new problem.", "")
            return
        self.rung += 1
        self._save_state()
        self._render_hints()
        self._static("quiz-hints").scroll_visible(animate=False)

    def new_problem(self, seed: int | None = None) -> None:
        """Replace the problem with the one of `seed` (a fresh seed by default)."""
        if seed is None:
            self._load_fresh()
        else:
            self._load(seed)
        self.rung = 0
        self.solved = False
        self.attempted = False
        self.worked_open = False
        self.cell = 0
        self._save_state()
        self.query_one(AnswerInput).value = ""
        self._feedback("", "")
        self._render_all()

    def show_worked(self) -> None:
        """Show the worked table, which opens after an attempt on this problem or cell."""
        if not (self.attempted or self.solved):
            self._feedback("The worked table opens after your first attempt. "
                           "Press f2 for a hint first.", "")
            return
        self.worked_open = True
        self._save_state()
        self._render_worked()
        self._static("quiz-worked").scroll_visible(animate=False)

    # Answers.

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.spec is None:
            return
        self.submit(event.value)

    def submit(self, text: str) -> Verdict | None:
        """Check a typed answer, record it when it is an attempt, and show the feedback."""
        if not self._has_problem():
            return None
        if self.solved:
            self._feedback("Solved. Press f4 for a new problem.", "correct")
            return None
        verdict = self._check(text)
        if verdict.status == INVALID:
            self._feedback(verdict.message, "wrong")
            return verdict

        self._record(text, verdict)
        self.attempted = True
        answer_box = self.query_one(AnswerInput)
        if verdict.status == CORRECT:
            answer_box.value = ""
            self._accept()
        message = verdict.message
        if self.solved:
            message += " Table complete." if self.table is not None else ""
            message += " Press f4 for a new problem."
        self._feedback(message, verdict.status)
        self._save_state()
        self._render_all(keep_feedback=True)
        if self.solved and answer_box.has_focus:
            # A solved quiz takes no more answers, so the box gives focus back and ] moves on.
            self.focus()
        self._static("quiz-feedback").scroll_visible(animate=False)
        return verdict

    def _check(self, text: str) -> Verdict:
        if self.table is not None:
            return self.table.check(self.cell, text)
        problem = self.problem
        return check_text(text, problem.expected, problem.mistakes, problem.band(),
                          problem.target.answer_label, self.spec.digits)

    def _accept(self) -> None:
        """Move on after a right answer: the next cell, or the solved state with the worked table."""
        if self.table is None:
            self.solved = True
            self.worked_open = True
            return
        self.cell += 1
        self.rung = 0
        self.attempted = False
        self.worked_open = False
        if self.cell >= len(self.table.cells):
            self.solved = True
            self.worked_open = True

    def _answer_box(self) -> AnswerInput:
        return self.query_one(AnswerInput)

    def _has_problem(self) -> bool:
        return self.problem is not None or self.table is not None

    def _record(self, text: str, verdict: Verdict) -> None:
        detail = {"mode": self.spec.mode, "mistakes": [m.key for m in verdict.mistakes]}
        if self.table is not None:
            cell = self.table.cells[self.cell]
            detail.update({"cell": cell.name, "expected": cell.step.value})
        else:
            detail.update({"target": self.problem.target.label, "expected": self.problem.expected})
        attempt = QuizAttempt(
            lesson_id=self.context.lesson_id,
            block_id=self.block.id,
            kind=self.spec.kind,
            seed=self.seed,
            answer=text,
            value=verdict.value,
            verdict=verdict.status,
            mistake=verdict.mistake_key,
            hints_used=RUNGS if self.worked_open else self.rung,
        )
        self.context.store.record_quiz_attempt(attempt, detail=detail)

    # State.

    def _load_fresh(self) -> None:
        """Load a problem from a fresh seed, trying other fresh seeds when one cannot be drawn.

        Some valid settings (wide ReLU networks with a batch of several examples)
        have seeds where no draw passes the non-degeneracy checks, so a learner
        asking for a new problem gets the next seed that works.
        """
        for _ in range(FRESH_SEED_TRIES):
            self.spec_error = None
            self._load(new_seed())
            if self.spec_error is None:
                return

    def _load(self, seed: int) -> None:
        # NOTE: generation runs on the UI thread. It takes under 1 ms per draw, and the
        # deepest networks (2-2-2-1, 3-3-3-1) sometimes need 200 draws, so n can pause
        # for about 0.1 s there (benchmarks/bench_quiz.py prints the slowest times).
        self.seed = seed
        self.problem = None
        self.table = None
        try:
            if self.fill_table:
                self.table = generate_table(self.spec, seed)
            else:
                self.problem = generate_problem(self.spec, seed)
        except GenerationError as error:
            self.spec_error = str(error)

    def _save_state(self) -> None:
        self.context.store.set_state(state_key(self.context, self.block), {
            "seed": self.seed, "rung": self.rung, "solved": self.solved,
            "attempted": self.attempted, "worked": self.worked_open, "cell": self.cell,
        })

    # Rendering.

    def _static(self, name: str) -> Static:
        return self.query_one(f".{name}", Static)

    def _feedback(self, message: str, status: str) -> None:
        feedback = self._static("quiz-feedback")
        feedback.update(Text(message))
        for name in ("correct", "mistake", "wrong"):
            feedback.set_class(status == name, f"-{name}")

    def _render_all(self, keep_feedback: bool = False) -> None:
        title = "Fill the table" if self.fill_table else f"Quiz: {self.spec.kind.replace('-', ' ')}"
        self._static("quiz-title").update(Text(f"{title}  (seed {self.seed})"))
        if self.problem is None and self.table is None:
            self._static("quiz-problem").update(Text(f"No problem could be made: {self.spec_error}"))
            return
        if self.table is not None:
            lines = network_lines(self.table.network, self.table.X, self.table.Y)
        else:
            lines = problem_lines(self.problem)
        self._static("quiz-problem").update(Text("\n".join(lines)))
        self._static("quiz-keys").update(Text(f"{self._tolerance_text()}\n{KEYS_LINE}"))
        self._render_cells()
        answer_box = self.query_one(AnswerInput)
        answer_box.placeholder = ("solved: f4 for a new one" if self.solved
                                  else ANSWER_PLACEHOLDER)
        if self.solved and not keep_feedback:
            self._feedback(self._solved_message(), "correct")
        self._render_hints()
        self._render_worked()
        self.refresh_bindings()

    def _tolerance_text(self) -> str:
        """Return the stated tolerance, such as "Right within 0.5% or 0.0001"."""
        if self.table is not None:
            return f"Each cell is right {self.table.tolerance.describe()}."
        rule = self.problem.tolerance.describe()
        if self.problem.scale is not None:
            rule = rule.replace("%", "% of the step", 1)
        return f"Right {rule}."

    def _solved_message(self) -> str:
        if self.table is not None:
            return "Table complete. Press f4 for a new problem."
        value = format_number(self.problem.expected, self.spec.digits)
        return f"Solved: {self.problem.target.answer_label} = {value}. Press f4 for a new problem."

    def _render_cells(self) -> None:
        cells = self._static("quiz-cells")
        prompt = self._static("quiz-prompt")
        if self.table is None:
            cells.display = False
            prompt.display = False
            return
        cells.display = self.cell > 0
        cells.update(Text("\n".join(filled_line(self.table, i) for i in range(self.cell))))
        prompt.display = True
        if self.cell < len(self.table.cells):
            current = self.table.cells[self.cell]
            prompt.update(Text(f"Cell {self.cell + 1} of {len(self.table.cells)}: {current.name} = ?"))
        else:
            prompt.update(Text(f"All {len(self.table.cells)} cells filled."))

    def _rungs(self) -> list[list[str]]:
        if self.table is not None:
            index = min(self.cell, len(self.table.cells) - 1)
            return self.table.hint_rungs(index)
        return hint_rungs(self.problem)

    def _render_hints(self) -> None:
        hints = self._static("quiz-hints")
        if self.rung == 0 or self.solved:
            hints.display = False
            return
        lines = []
        for number, rung in enumerate(self._rungs()[: self.rung], start=1):
            lines.append(f"Hint {number} of {RUNGS}: {RUNG_TITLES[number - 1]}")
            lines.extend(f"  {line}" for line in rung)
        hints.update(Text("\n".join(lines)))
        hints.display = True

    def _render_worked(self) -> None:
        worked = self._static("quiz-worked")
        if not self.worked_open:
            worked.display = False
            return
        if self.table is not None:
            lines = self.table.worked_lines(min(self.cell, len(self.table.cells) - 1))
        else:
            lines = worked_lines(self.problem)
        worked.update(Text("Worked table\n" + "\n".join(lines)))
        worked.display = True
