"""The exercise panel and editor under Textual's Pilot, with real checks in child processes."""

import asyncio
from pathlib import Path

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.widgets import Label, Static, TextArea
from textual.widgets._markdown import MarkdownFence

from tutor.checking.exercises import find_exercise
from tutor.course.model import Block
from tutor.progress import ProgressStore
from tutor.ui.context import LabContext
from tutor.ui.exercise import editor_screen
from tutor.ui.exercise.dialogs import ConfirmDialog, EditorKeysScreen, SolutionScreen
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


async def wait_for_report(pilot, screen: EditorScreen, timeout: float = 15.0) -> None:
    """Wait until a check has started and reported back, however late it started."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (screen.checking or screen.last_report is None) and loop.time() < deadline:
        await pilot.pause(0.05)
    assert screen.last_report is not None, "no check reported in time"


def post_burst(app, keys: list[tuple[str, str | None]]) -> None:
    """Post key events without waiting between them, as a fast typist does: (key, character) pairs."""
    for key, character in keys:
        app.post_message(events.Key(key, character))


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
        await pilot.pause(0.6)
        assert store.load_draft("backward-3-layer").startswith("# mine")


async def test_check_right_after_burst_sees_every_key(context):
    solution = exercise("backward-3-layer").solution_code()
    app = PanelApp("backward-3-layer", context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_editor(pilot)
        editor = screen.query_one("#code", TextArea)
        editor.load_text(solution + "\nunfinished = (")
        editor.move_cursor(editor.document.end)
        await pilot.pause()

        post_burst(app, [("1", "1"), ("2", "2"), ("right_parenthesis", ")"), ("ctrl+r", None)])
        await wait_for_report(pilot, screen)

        assert editor.text.endswith("unfinished = (12)")
        assert screen.last_report.kind == "pass"


async def test_escape_right_after_burst_saves_every_key(context, store, monkeypatch):
    monkeypatch.setattr(editor_screen, "DRAFT_DELAY_SECONDS", 60.0)
    app = PanelApp("backward-3-layer", context)
    async with app.run_test(size=SIZE) as pilot:
        await open_editor(pilot)

        post_burst(app, [("x", "x"), ("y", "y"), ("z", "z"), ("escape", None)])
        await pilot.pause(0.2)

        assert not isinstance(app.screen, EditorScreen)
        assert store.load_draft("backward-3-layer").startswith("xyz")


async def test_dialog_saves_draft_at_once(context, store, monkeypatch):
    monkeypatch.setattr(editor_screen, "DRAFT_DELAY_SECONDS", 60.0)
    app = PanelApp("backward-3-layer", context)
    async with app.run_test(size=SIZE) as pilot:
        await open_editor(pilot)
        await pilot.press("a", "b")
        assert store.load_draft("backward-3-layer") is None

        await pilot.press("f4")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert store.load_draft("backward-3-layer").startswith("ab")


async def test_check_saves_draft_at_once(context, store, monkeypatch):
    monkeypatch.setattr(editor_screen, "DRAFT_DELAY_SECONDS", 60.0)
    app = PanelApp("backward-3-layer", context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_editor(pilot)
        await pilot.press("a", "b", "ctrl+r")
        await wait_for_report(pilot, screen)

        assert store.load_draft("backward-3-layer").startswith("ab")


async def test_f1_lists_editor_keys(context):
    app = PanelApp("backward-3-layer", context)
    async with app.run_test(size=SIZE) as pilot:
        await open_editor(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, EditorKeysScreen)
        keys = static_text(app.screen, "#editor-keys")
        for key in ("ctrl+r or f5", "ctrl+s", "f2", "f3", "f4", "f6", "escape",
                    "ctrl+z / ctrl+y", "shift+arrows", "f7"):
            assert key in keys, key

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, EditorScreen)


async def test_f7_selects_all_code(context):
    app = PanelApp("backward-3-layer", context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_editor(pilot)
        editor = screen.query_one("#code", TextArea)
        await pilot.press("f7")

        assert editor.selected_text == editor.text


def fence_text(fence: MarkdownFence) -> str:
    """Return what a code block of the prompt shows on screen, every line it spans."""
    label = fence.query_one(Label)
    strips = label.render_lines(Region(0, 0, *label.outer_size))
    return "\n".join(strip.text for strip in strips)


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (80, 70), (100, 30), (160, 50)])
async def test_prompt_formulas_fully_shown(context, size):
    app = PanelApp("backprop-by-hand", context)
    async with app.run_test(size=size) as pilot:
        screen = await open_editor(pilot)
        await pilot.pause()
        fences = list(screen.query(MarkdownFence))
        assert fences, "the prompt of backprop-by-hand has a code block"

        for fence in fences:
            assert fence.max_scroll_x == 0, "the code block is wider than the pane"
            shown = "".join(fence_text(fence).split())
            for line in fence.code.splitlines():
                assert "".join(line.split()) in shown, line


@pytest.mark.parametrize("size", [(60, 20), (80, 24)])
async def test_narrow_screen_stacks_side_under_code(context, size):
    app = PanelApp("backprop-by-hand", context)
    async with app.run_test(size=size) as pilot:
        screen = await open_editor(pilot)
        await pilot.pause()
        code = screen.query_one("#code").region
        side = screen.query_one("#side").region

        assert side.width == size[0]
        assert side.y >= code.bottom
        assert code.height >= 6


async def test_wide_screen_puts_side_beside_code(context):
    app = PanelApp("backprop-by-hand", context)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_editor(pilot)
        await pilot.pause()
        code = screen.query_one("#code").region
        side = screen.query_one("#side").region

        assert side.x >= code.right
        assert side.height == code.height


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


async def test_next_variant_shows_its_own_status(context, store):
    app = PanelApp("fix-the-bug", context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_editor(pilot)
        screen.query_one("#code", TextArea).load_text(exercise("fix-the-bug").solution_code())
        await pilot.press("ctrl+r")
        await wait_for_check(pilot, screen)
        assert static_text(screen, "#check-status").startswith("Passed: all")

        await pilot.press("f6")
        await pilot.pause()
        status = screen.query_one("#check-status", Static)
        assert static_text(screen, "#check-status") == "Not checked yet."
        assert not status.has_class("passed")

        await pilot.press("f6", "f6")
        await pilot.pause()
        assert "variant 1 of 3" in static_text(screen, "#exercise-title")
        assert static_text(screen, "#check-status").startswith("Passed: all")
        assert status.has_class("passed")
