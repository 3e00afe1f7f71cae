"""The learner's state around one exercise: code, variant, checks and the solution rule.

No Textual here, so the panel and the editor screen share one tested piece of
logic. Everything lives in the progress store: the draft (under the
exercise id, plus the variant when there are variants), the chosen variant
(state key `exercise-variant:ID`), and one ExerciseCheck row per check.
"""

from __future__ import annotations

import atexit
import threading

from tutor.checking.codecheck import CheckReport, check_code
from tutor.checking.exercises import Exercise
from tutor.checking.runner import Runner
from tutor.progress import ExerciseCheck, ProgressStore

FAILED_CHECKS_FOR_SOLUTION = 3
SOLUTION_SUMMARY = "Opened the reference solution before a pass."

_runner: Runner | None = None
_runner_lock = threading.Lock()


def shared_runner() -> Runner:
    """Return the app-wide runner, which keeps one warm child process ready."""
    global _runner
    with _runner_lock:
        if _runner is None:
            _runner = Runner()
            atexit.register(_runner.close)
        return _runner


class ExerciseSession:
    """The state of one exercise for one learner."""

    def __init__(self, exercise: Exercise, store: ProgressStore):
        self.exercise = exercise
        self.store = store

    # Variant.

    @property
    def variant_id(self) -> str | None:
        variant = self.exercise.variant(None)
        if variant is None:
            return None
        saved = self.store.get_state(f"exercise-variant:{self.exercise.id}")
        known = [v.id for v in self.exercise.variants]
        return saved if saved in known else variant.id

    def next_variant(self) -> str | None:
        """Move to the next variant, wrapping around; return its id (None without variants)."""
        if not self.exercise.variants:
            return None
        known = [v.id for v in self.exercise.variants]
        following = known[(known.index(self.variant_id) + 1) % len(known)]
        self.store.set_state(f"exercise-variant:{self.exercise.id}", following)
        return following

    def variant_title(self) -> str:
        variant = self.exercise.variant(self.variant_id)
        if variant is None:
            return ""
        number = list(self.exercise.variants).index(variant) + 1
        return f"variant {number} of {len(self.exercise.variants)}: {variant.title}"

    # Code.

    @property
    def draft_key(self) -> str:
        return self.exercise.draft_key(self.variant_id)

    def load_code(self) -> str:
        """Return the saved draft, or the starter code when there is none."""
        draft = self.store.load_draft(self.draft_key)
        return draft if draft is not None else self.exercise.starter_code(self.variant_id)

    def save_code(self, code: str) -> None:
        self.store.save_draft(self.draft_key, code)

    def reset_code(self) -> str:
        """Drop the draft and return the starter code."""
        self.store.delete_draft(self.draft_key)
        return self.exercise.starter_code(self.variant_id)

    # Checks.

    def checks(self) -> list[ExerciseCheck]:
        return self.store.exercise_checks(self.exercise.id)

    @property
    def passed(self) -> bool:
        return any(check.passed and not check.with_help for check in self.checks())

    @property
    def solved_with_help(self) -> bool:
        return any(check.with_help for check in self.checks())

    @property
    def failed_count(self) -> int:
        return sum(1 for check in self.checks() if not check.passed)

    @property
    def solution_available(self) -> bool:
        return self.passed or self.solved_with_help or self.failed_count >= FAILED_CHECKS_FOR_SOLUTION

    def checks_until_solution(self) -> int:
        return max(FAILED_CHECKS_FOR_SOLUTION - self.failed_count, 0)

    def check(self, code: str, runner: Runner | None = None) -> CheckReport:
        """Check the code in a child process and record the result; blocking, so call it from a thread."""
        variant_id = self.variant_id
        report = check_code(self.exercise, code, runner=runner or shared_runner(),
                            filename=f"{self.exercise.id}.py")
        summary = report.headline
        if variant_id:
            summary = f"[{variant_id}] {summary}"
        self.store.record_exercise_check(ExerciseCheck(self.exercise.id, report.passed, False, summary))
        return report

    def open_solution(self) -> str:
        """Return the reference solution; before a pass, record the exercise as solved with help."""
        if not self.solution_available:
            raise PermissionError(
                f"the solution opens after a pass or after {FAILED_CHECKS_FOR_SOLUTION} failed checks")
        if not self.passed and not self.solved_with_help:
            self.store.record_exercise_check(
                ExerciseCheck(self.exercise.id, True, True, SOLUTION_SUMMARY))
        return self.exercise.solution_code()

    def status_text(self) -> str:
        """Return one line about the last check, for the lesson's panel."""
        checks = self.checks()
        if self.passed:
            return "Solved."
        if self.solved_with_help:
            return "Solved with help (you opened the solution)."
        if not checks:
            return "Not checked yet."
        return f"Last check failed: {checks[-1].summary}"

    def variant_status(self) -> tuple[str, str]:
        """Return the status line for the editor and its state (passed, failed or empty).

        With variants, only the checks of the current variant count, so a pass
        of one planted bug does not show as a pass of the next. An opened
        solution covers every variant.
        """
        if not self.variant_id:
            return self.status_text(), "passed" if self.passed else ""
        if self.solved_with_help:
            return self.status_text(), ""
        prefix = f"[{self.variant_id}] "
        own = [check for check in self.checks() if check.summary.startswith(prefix)]
        if not own:
            return "Not checked yet.", ""
        last = own[-1]
        summary = last.summary.removeprefix(prefix)
        if last.passed:
            return summary, "passed"
        return f"Last check failed: {summary}", "failed"
