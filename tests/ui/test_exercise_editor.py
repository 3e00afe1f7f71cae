"""The exercise panel and editor under Textual's Pilot, with real checks in child processes."""

import asyncio
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static, TextArea

from tutor.checking.exercises import find_exercise
from tutor.course.model import Block
from tutor.progress import ProgressStore
from tutor.ui.context import LabContext
from tutor.ui.exercise.dialogs import ConfirmDialog, SolutionScreen
from tutor.ui.exercise.editor_screen import EditorScreen
from tutor.ui.exercise.panel import ExercisePanel

LESSONS = Path(__file__).resolve().parents[2] / "lessons"
SIZE = (80, 24)


class PanelApp(App):
    """A lab pane about as wide as the real one, holding one exercise panel."""

    CSS = "#lab { width: 40; }"

    def __init__(self, exercise_id: str, context: LabContext):
        super().__init__()
        self.block = Block(kind="exercise", params={"id": exercise_id}, line=1, id=exercise_id)
        self.context = context

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="lab"):
            yield ExercisePanel(self.block, self.context)

    def on_mount(self) -> None:
        self.query_one(ExercisePanel).focus()


@pytest.fixture
def store(tmp_path):
    store = ProgressStore(tmp_path / "progress.sqlite3")
    yield store
    store.close()


@pytest.fixture
def context(store):
    return LabContext(store=store, lesson_id="backpropagation", course_root=LESSONS)


def exercise(exercise_id):
    return find_exercise(LESSONS, exercise_id)


async def open_editor(pilot) -> EditorScreen:
    await pilot.press("e")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, EditorScreen)
    return screen


async def wait_for_check(pilot, screen: EditorScreen, timeout: float = 15.0) -> None:
    """Wait until the running check has reported back to the screen."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while screen.checking and loop.time() < deadline:
        await pilot.pause(0.05)
    assert not screen.checking, "the check did not finish in time"


def static_text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_panel_shows_title_and_status(context):
    app = PanelApp("backward-3-layer", context)
    async with app.run_test(size=SIZE):
        panel = app.query_one(ExercisePanel)

        assert "The backward pass of a 3-layer network" in static_text(panel, "#exercise-heading")
        assert static_text(panel, "#exercise-status") == "Not checked yet."
        assert "e: open the code editor" in static_text(panel, "#exercise-keys")


async def test_panel_with_unknown_id_raises(context):
    block = Block(kind="exercise", params={"id": "nope"}, line=1, id="nope")

    with pytest.raises(KeyError):
        ExercisePanel(block, context)


async def test_editor_opens_with_starter(context):
    app = PanelApp("backward-3-layer", context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_editor(pilot)
        editor = screen.query_one("#code", TextArea)

        assert editor.text == exercise("backward-3-layer").starter_code()
        assert editor.language == "python"
        assert editor.show_line_numbers
        assert app.focused is editor


async def test_typing_saves_draft_after_pause(context, store):
    app = PanelApp("backward-3-layer", context)
    async with app.run_test(size=SIZE) as pilot:
        await open_editor(pilot)
        await pilot.press("#", " ", "m", "i", "n", "e")

        assert store.load_draft("backward-3-layer") is None
        await pilot.pause(0.8)
        assert store.load_draft("backward-3-layer").startswith("# mine")


async def test_quit_keeps_last_keystrokes(context, store):
    app = PanelApp("backward-3-layer", context)
    async with app.run_test(size=SIZE) as pilot:
        await open_editor(pilot)
        await pilot.press("q", "w")
        await app.action_quit()

    assert store.load_draft("backward-3-layer").startswith("qw")


async def test_undo_reverts_typing(context):
    app = PanelApp("backward-3-layer", context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_editor(pilot)
        editor = screen.query_one("#code", TextArea)
        await pilot.press("x", "y")
        assert editor.text.startswith("xy")

        await pilot.press("ctrl+z")
        assert editor.text == exercise("backward-3-layer").starter_code()


async def test_draft_restored_on_return(context):
    app = PanelApp("backward-3-layer", context)
    async with app.run_test(size=SIZE) as pilot:
        await open_editor(pilot)
        await pilot.press("x", "y", "z", "escape")
        await pilot.pause()
        assert not isinstance(app.screen, EditorScreen)

        screen = await open_editor(pilot)
        assert screen.query_one("#code", TextArea).text.startswith("xyz")


async def test_check_solution_passes_and_records(context, store):
    app = PanelApp("backward-3-layer", context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_editor(pilot)
        screen.query_one("#code", TextArea).load_text(exercise("backward-3-layer").solution_code())
        await pilot.press("ctrl+r")
        await wait_for_check(pilot, screen)

        assert static_text(screen, "#check-status") == "Passed: all 5 cases match the engine."
        assert "Largest relative error" in static_text(screen, "#results")
        assert store.exercise_checks("backward-3-layer")[-1].passed

        await pilot.press("escape")
        await pilot.pause()
        assert static_text(app.query_one(ExercisePanel), "#exercise-status") == "Solved."


async def test_check_starter_fails_with_first_wrong_array(context, store):
    app = PanelApp("backward-3-layer", context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_editor(pilot)
        await pilot.press("f5")
        await wait_for_check(pilot, screen)

        assert static_text(screen, "#check-status").startswith("dW3 is all zeros")
        assert "solution opens after 2 more failed checks" in static_text(screen, "#results")
        assert not store.exercise_checks("backward-3-layer")[-1].passed


async def test_app_answers_keys_while_check_runs(context):
    slow = "import time\n\ntime.sleep(2)\n\ndef backward(X, Y, params, cache):\n    return {}\n"
    app = PanelApp("backward-3-layer", context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_editor(pilot)
        screen.query_one("#code", TextArea).load_text(slow)
        await pilot.press("ctrl+r")
        await pilot.pause(0.3)
        assert screen.checking
        assert static_text(screen, "#check-status") == "Checking..."

        await pilot.press("f2")
        await pilot.pause()
        assert screen.checking
        assert static_text(screen, "#hints").startswith("Hint 1:")

        await pilot.pause(1.0)
        assert static_text(screen, "#check-status").startswith("Checking... 1 s (time limit 5 s)")

        await wait_for_check(pilot, screen)
        assert screen.last_report.kind == "bad-return"


async def test_solution_locked_before_three_failures(context, store):
    app = PanelApp("gradient-check", context)
    async with app.run_test(size=SIZE) as pilot:
        await open_editor(pilot)
        await pilot.press("f3")
        await pilot.pause()

        assert isinstance(app.screen, EditorScreen)
        assert store.exercise_checks("gradient-check") == []


async def test_solution_after_three_failures_counts_as_help(context, store):
    app = PanelApp("gradient-check", context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_editor(pilot)
        for _ in range(3):
            await pilot.press("ctrl+r")
            await wait_for_check(pilot, screen)
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)

        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, SolutionScreen)
        solution = app.screen.query_one("#solution-code", TextArea)
        assert solution.text == exercise("gradient-check").solution_code()
        assert solution.read_only
        last = store.exercise_checks("gradient-check")[-1]
        assert last.passed and last.with_help


async def test_solution_declined_records_nothing(context, store):
    app = PanelApp("gradient-check", context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_editor(pilot)
        for _ in range(3):
            await pilot.press("ctrl+r")
            await wait_for_check(pilot, screen)
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()

        assert isinstance(app.screen, EditorScreen)
        assert not any(check.with_help for check in store.exercise_checks("gradient-check"))


async def test_reset_asks_then_restores_starter(context, store):
    app = PanelApp("backprop-by-hand", context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_editor(pilot)
        editor = screen.query_one("#code", TextArea)
        await pilot.press("a", "b", "c", "f4")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)

        await pilot.press("n")
        await pilot.pause()
        assert editor.text.startswith("abc")

        await pilot.press("f4")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause(0.8)
        assert editor.text == exercise("backprop-by-hand").starter_code()
        assert store.load_draft("backprop-by-hand") is None


async def test_next_variant_loads_other_starter(context, store):
    app = PanelApp("fix-the-bug", context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_editor(pilot)
        assert "variant 1 of 3: a wrong derivative" in static_text(screen, "#exercise-title")

        await pilot.press("f6")
        await pilot.pause()
        editor = screen.query_one("#code", TextArea)
        assert editor.text == exercise("fix-the-bug").starter_code("missing-transpose")
        assert "variant 2 of 3: a missing transpose" in static_text(screen, "#exercise-title")
        assert store.get_state("exercise-variant:fix-the-bug") == "missing-transpose"


async def test_vanishing_gradients_pass_draws_chart(context):
    app = PanelApp("vanishing-gradients", context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_editor(pilot)
        screen.query_one("#code", TextArea).load_text(exercise("vanishing-gradients").solution_code())
        await pilot.press("ctrl+r")
        await wait_for_check(pilot, screen)
        chart = static_text(screen, "#chart")

        assert screen.last_report.passed
        assert "sigmoid" in chart
        assert "relu" in chart
        assert "layer" in chart


async def test_failed_vanishing_gradients_draws_no_chart(context):
    app = PanelApp("vanishing-gradients", context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_editor(pilot)
        await pilot.press("ctrl+r")
        await wait_for_check(pilot, screen)

        assert static_text(screen, "#chart") == ""
