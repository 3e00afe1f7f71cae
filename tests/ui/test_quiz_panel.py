"""QuizPanel under Textual's Pilot, with a real progress store on a SQLite file."""

import json
import sqlite3
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from tutor.checking.quiz.hints import RUNGS
from tutor.course.model import Block
from tutor.engine.trace import format_number
from tutor.progress import ProgressStore
from tutor.ui.context import LabContext
from tutor.ui.quiz.panel import AnswerInput, QuizPanel, state_key

SEED = 4242


class QuizApp(App):
    """A lab-pane-sized host: a 42-column vertical scroll holding one quiz panel."""

    CSS = "VerticalScroll { width: 42; height: 20; }"

    def __init__(self, block: Block, context: LabContext):
        super().__init__()
        self.block = block
        self.context = context

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield QuizPanel(self.block, self.context)
        yield Footer()


@pytest.fixture
def store(tmp_path):
    store = ProgressStore(tmp_path / "progress.sqlite3")
    yield store
    store.close()


def _context(store):
    return LabContext(store=store, lesson_id="backpropagation", course_root=Path("."))


def _block(**params):
    return Block(kind="quiz", params={"kind": "output-delta", "layers": "2-2-1", **params}, line=1, id="quiz-1")


def _app(store, block, seed=SEED):
    context = _context(store)
    if seed is not None:
        store.set_state(state_key(context, block), {"seed": seed})
    return QuizApp(block, context)


async def _type(pilot, text):
    for character in text:
        await pilot.press(character)


async def _answer(pilot, text, typed=True):
    """Enter an answer: typed key by key, or set at once (faster) when typed is False."""
    answer_box = pilot.app.query_one(AnswerInput)
    answer_box.focus()
    answer_box.value = "" if typed else text
    await pilot.pause()
    if typed:
        await _type(pilot, text)
    await pilot.press("enter")
    await pilot.pause()


def _text(panel, name):
    return str(panel.query_one(f".{name}", Static).render())


def _details(path):
    connection = sqlite3.connect(path)
    try:
        return [json.loads(row[0]) for row in connection.execute("SELECT detail FROM quiz_attempts ORDER BY id")]
    finally:
        connection.close()


async def test_right_answer_recorded_and_worked_shown(store):
    block = _block()
    app = _app(store, block)
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(QuizPanel)
        assert panel.seed == SEED
        assert f"seed {SEED}" in _text(panel, "quiz-title")
        assert "Right within 0.5% or 0.0001." in _text(panel, "quiz-keys")
        await _answer(pilot, format_number(panel.problem.expected, 4))

        assert panel.solved
        assert "Right" in _text(panel, "quiz-feedback")
        assert panel.query_one(".quiz-worked").display
        assert "Answer:" in _text(panel, "quiz-worked")

    attempts = store.quiz_attempts("backpropagation", "quiz-1")
    assert len(attempts) == 1
    assert attempts[0].verdict == "correct"
    assert attempts[0].seed == SEED
    assert attempts[0].kind == "output-delta"
    assert attempts[0].hints_used == 0
    assert attempts[0].mistake is None


async def test_answer_after_solving_not_recorded(store):
    app = _app(store, _block())
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(QuizPanel)
        await _answer(pilot, repr(panel.problem.expected), typed=False)
        await _answer(pilot, "0.5", typed=False)
        assert "Solved" in _text(panel, "quiz-feedback")
    assert len(store.quiz_attempts()) == 1


async def test_mistake_named_and_recorded(store):
    app = _app(store, _block())
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(QuizPanel)
        item = next(m for m in panel.problem.mistakes if m.mistake.key == "forgot-derivative")
        await _answer(pilot, format_number(item.value, 4))

        assert not panel.solved
        assert item.mistake.title in _text(panel, "quiz-feedback")
        assert "Try again" in _text(panel, "quiz-feedback")

    attempts = store.quiz_attempts()
    assert [a.verdict for a in attempts] == ["mistake"]
    assert attempts[0].mistake == "forgot-derivative"
    assert attempts[0].value == pytest.approx(float(format_number(item.value, 4)))
    assert attempts[0].answer == format_number(item.value, 4)
    detail = _details(store.path)[0]
    assert detail["target"] == panel.problem.target.label
    assert detail["mistakes"] == ["forgot-derivative"]


async def test_wrong_answer_then_worked_table(store):
    app = _app(store, _block())
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(QuizPanel)
        panel.query_one(AnswerInput).focus()
        await pilot.press("f3")
        await pilot.pause()
        assert not panel.query_one(".quiz-worked").display
        assert "after your first attempt" in _text(panel, "quiz-feedback")

        await _answer(pilot, str(panel.problem.expected + 7))
        assert "none of the usual slips" in _text(panel, "quiz-feedback")
        await pilot.press("f3")
        await pilot.pause()
        assert panel.query_one(".quiz-worked").display

        await _answer(pilot, "0.1")
    attempts = store.quiz_attempts()
    assert [a.verdict for a in attempts][0] == "wrong"
    assert attempts[1].hints_used == RUNGS


async def test_bad_input_costs_no_attempt(store):
    app = _app(store, _block())
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(QuizPanel)
        for text in ("abc", "nan", "1e999", "1/0"):
            await _answer(pilot, text)
            assert _text(panel, "quiz-feedback")
        assert "nan and inf" not in _text(panel, "quiz-feedback")
        assert "divides by zero" in _text(panel, "quiz-feedback")
    assert store.quiz_attempts() == []


async def test_hint_ladder_recorded(store):
    block = _block()
    app = _app(store, block)
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(QuizPanel)
        panel.query_one(AnswerInput).focus()
        await pilot.press("f2")
        await pilot.pause()
        assert panel.rung == 1
        assert "Hint 1 of 3" in _text(panel, "quiz-hints")
        assert "Hint 2" not in _text(panel, "quiz-hints")
        assert panel.query_one(AnswerInput).value == ""

        await pilot.press("f2", "f2")
        await pilot.pause()
        assert panel.rung == 3
        assert "Hint 3 of 3: Worked table" in _text(panel, "quiz-hints")
        await pilot.press("f2")
        await pilot.pause()
        assert "All hints are open" in _text(panel, "quiz-feedback")
        assert store.get_state(state_key(_context(store), block))["rung"] == 3

        await _answer(pilot, "0.1")
    assert store.quiz_attempts()[0].hints_used == 3


async def test_new_problem_key(store):
    block = _block()
    app = _app(store, block)
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(QuizPanel)
        panel.query_one(AnswerInput).focus()
        await pilot.press("f2")
        await pilot.press("f4")
        await pilot.pause()
        assert panel.seed != SEED
        assert panel.rung == 0
        assert f"seed {panel.seed}" in _text(panel, "quiz-title")
        assert store.get_state(state_key(_context(store), block))["seed"] == panel.seed


async def test_state_restored_on_remount(store):
    block = _block()
    app = _app(store, block)
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(QuizPanel)
        panel.query_one(AnswerInput).focus()
        await pilot.press("f2")
        await _answer(pilot, repr(panel.problem.expected))

    again = QuizApp(block, _context(store))
    async with again.run_test(size=(80, 24)):
        panel = again.query_one(QuizPanel)
        assert panel.seed == SEED
        assert panel.rung == 1
        assert panel.solved
        assert "Solved" in _text(panel, "quiz-feedback")


async def test_fresh_block_gets_a_seed(store):
    block = _block()
    app = _app(store, block, seed=None)
    async with app.run_test(size=(80, 24)):
        panel = app.query_one(QuizPanel)
        assert 10_000 <= panel.seed <= 99_999
        assert store.get_state(state_key(_context(store), block))["seed"] == panel.seed


async def test_fill_table_cells_in_order(store):
    block = _block(kind="weight-gradient", mode="fill-table")
    app = _app(store, block)
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(QuizPanel)
        table = panel.table
        first, second = table.cells[0], table.cells[1]
        assert f"{first.name} = ?" in _text(panel, "quiz-prompt")

        await _answer(pilot, format_number(first.step.value, 4))
        assert panel.cell == 1
        assert f"{second.name} = ?" in _text(panel, "quiz-prompt")
        assert f"{first.name} = {format_number(first.step.value, 4)}" in _text(panel, "quiz-cells")

        mistake = second.mistakes[0]
        await _answer(pilot, format_number(mistake.value, 4))
        assert panel.cell == 1
        assert mistake.mistake.title in _text(panel, "quiz-feedback")

        await pilot.press("f2")
        await pilot.pause()
        assert second.step.formula in _text(panel, "quiz-hints")
        for cell in table.cells[1:]:
            await _answer(pilot, repr(cell.step.value), typed=False)
        assert panel.solved
        assert "Table complete" in _text(panel, "quiz-feedback")

    attempts = store.quiz_attempts()
    assert len(attempts) == len(table.cells) + 1
    assert attempts[1].verdict == "mistake"
    assert attempts[1].mistake == mistake.mistake.key
    assert attempts[2].hints_used == 1
    assert attempts[3].hints_used == 0
    details = _details(store.path)
    assert [d["cell"] for d in details] == [table.cells[0].name] + [c.name for c in table.cells[1:2]] + \
        [c.name for c in table.cells[1:]]
    assert all(d["mode"] == "fill-table" for d in details)


async def test_invalid_block_shows_message(store):
    block = Block(kind="quiz", params={"kind": "hidden-delta", "layers": "1-1"}, line=3, id="quiz-2")
    app = QuizApp(block, _context(store))
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(QuizPanel)
        assert "at least two layers" in _text(panel, "quiz-problem")
        panel.focus()
        await pilot.press("h", "n", "w", "f2", "f3", "f4", "enter", "5")
        await pilot.pause()
    assert store.quiz_attempts() == []


def _shown_keys(app):
    """Return the keys and descriptions that the footer lists."""
    return {key: active.binding.description for key, active in app.screen.active_bindings.items()
            if active.binding.show}


async def test_box_keys_listed_in_footer(store):
    app = _app(store, _block())
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one(AnswerInput).focus()
        await pilot.pause()
        shown = _shown_keys(app)
        assert shown.get("f2") == "Hint"
        assert shown.get("f3") == "Worked table"
        assert shown.get("f4") == "New problem"
        assert shown.get("escape") == "Leave box"
        assert "h" not in shown
        assert "n" not in shown
        assert "w" not in shown


async def test_panel_keys_listed_in_footer(store):
    app = _app(store, _block())
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one(QuizPanel).focus()
        await pilot.pause()
        shown = _shown_keys(app)
        assert shown.get("h") == "Hint"
        assert shown.get("w") == "Worked table"
        assert shown.get("n") == "New problem"
        assert shown.get("enter") == "Answer"


async def test_weight_update_tolerance_stated(store):
    app = _app(store, _block(kind="weight-update"))
    async with app.run_test(size=(80, 24)):
        panel = app.query_one(QuizPanel)
        assert "Right within 0.5% of the step or 0.0001." in _text(panel, "quiz-keys")
        assert "Find the new W" in _text(panel, "quiz-problem")


async def test_typed_exponent_and_comma_reach_the_parser(store):
    app = _app(store, _block())
    async with app.run_test(size=(80, 24)) as pilot:
        await _answer(pilot, "5e-1")
        await _answer(pilot, "0,25")
    values = [attempt.value for attempt in store.quiz_attempts()]
    assert values == [0.5, 0.25]


async def test_damaged_state_starts_fresh(store):
    block = _block()
    context = _context(store)
    store.set_state(state_key(context, block), {"seed": SEED, "rung": "three", "cell": -4, "solved": "yes"})
    app = QuizApp(block, context)
    async with app.run_test(size=(80, 24)):
        panel = app.query_one(QuizPanel)
        assert panel.seed == SEED
        assert panel.rung == 0
        assert not panel.solved


async def test_letters_type_into_answer_box(store):
    app = _app(store, _block())
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(QuizPanel)
        answer_box = panel.query_one(AnswerInput)
        answer_box.focus()
        await _type(pilot, "nan hw")
        await pilot.pause()
        assert answer_box.value == "nan hw"
        assert panel.seed == SEED
        assert panel.rung == 0
        assert not panel.query_one(".quiz-worked").display


async def test_typed_nan_gets_parser_message(store):
    app = _app(store, _block())
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(QuizPanel)
        await _answer(pilot, "nan")
        assert panel.seed == SEED
        assert "nan and inf are not answers" in _text(panel, "quiz-feedback")
        await _answer(pilot, "inf")
        assert "nan and inf are not answers" in _text(panel, "quiz-feedback")
    assert store.quiz_attempts() == []


async def test_keys_line_names_function_keys(store):
    app = _app(store, _block())
    async with app.run_test(size=(80, 24)):
        keys = _text(app.query_one(QuizPanel), "quiz-keys")
        assert "f2 hint  f3 table  f4 new  esc leave" in keys
        assert "h hint" not in keys


async def test_escape_moves_focus_to_panel(store):
    app = _app(store, _block())
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(QuizPanel)
        answer_box = panel.query_one(AnswerInput)
        answer_box.focus()
        await pilot.press("escape")
        await pilot.pause()
        assert panel.has_focus
        assert app.focused is panel


async def test_panel_letters_run_commands(store):
    block = _block()
    app = _app(store, block)
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(QuizPanel)
        panel.focus()
        await pilot.press("h")
        await pilot.pause()
        assert panel.rung == 1
        await pilot.press("w")
        await pilot.pause()
        assert "after your first attempt" in _text(panel, "quiz-feedback")

        await pilot.press("n")
        await pilot.pause()
        assert panel.seed != SEED
        assert panel.rung == 0
        assert panel.query_one(AnswerInput).has_focus
        assert store.get_state(state_key(_context(store), block))["seed"] == panel.seed


async def test_panel_digit_starts_answer(store):
    app = _app(store, _block())
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(QuizPanel)
        panel.focus()
        await _type(pilot, "-0.5")
        await pilot.pause()
        answer_box = panel.query_one(AnswerInput)
        assert answer_box.has_focus
        assert answer_box.value == "-0.5"


async def test_panel_digit_burst_keeps_every_key(store):
    app = _app(store, _block())
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(QuizPanel)
        panel.focus()
        await pilot.pause()
        for key in "-0.107":
            app.simulate_key(key)
        await pilot.pause()
        await pilot.pause()
        assert panel.query_one(AnswerInput).value == "-0.107"


async def test_panel_enter_focuses_box(store):
    app = _app(store, _block())
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(QuizPanel)
        panel.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert panel.query_one(AnswerInput).has_focus
    assert store.quiz_attempts() == []


async def test_panel_focus_changes_border(store):
    app = _app(store, _block())
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(QuizPanel)
        panel.query_one(AnswerInput).focus()
        await pilot.pause()
        unfocused = panel.styles.border_top
        panel.focus()
        await pilot.pause()
        assert panel.styles.border_top != unfocused


async def test_solve_moves_focus_to_panel(store):
    app = _app(store, _block())
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(QuizPanel)
        await _answer(pilot, format_number(panel.problem.expected, 4))
        assert panel.solved
        assert panel.has_focus
        assert "Press f4 for a new problem" in _text(panel, "quiz-feedback")


async def test_solved_message_uses_engine_value(store):
    block = _block(kind="hidden-delta")
    app = _app(store, block, seed=96940)
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(QuizPanel)
        await _answer(pilot, "-0.00594")
        assert panel.solved
        engine_value = format_number(panel.problem.expected, 4)
        assert f"Right: dZ1[1] = {engine_value}." in _text(panel, "quiz-feedback")

    again = QuizApp(block, _context(store))
    async with again.run_test(size=(80, 24)):
        panel = again.query_one(QuizPanel)
        assert f"Solved: dZ1[1] = {engine_value}." in _text(panel, "quiz-feedback")
        assert f"Answer: dZ1[1] = {engine_value}" in _text(panel, "quiz-worked")


async def test_numerical_answer_named_as_estimate(store):
    block = _block(kind="numerical-gradient", layers="1-1-1", activation="sigmoid", loss="mse")
    app = _app(store, block, seed=61052)
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(QuizPanel)
        await _answer(pilot, "(0.19029577-0.19040505)/0.02", typed=False)
        feedback = _text(panel, "quiz-feedback")
        assert "Right: the estimate of dL/dW1[0,0] = -0.0055." in feedback
        assert "Right: W1[0,0]" not in feedback


async def test_hidden_delta_forgotten_derivative_named(store):
    app = _app(store, _block(kind="hidden-delta"), seed=96940)
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(QuizPanel)
        await _answer(pilot, "-0.0380")
        feedback = _text(panel, "quiz-feedback")
        assert "left out f'(z1[1])" in feedback
        assert "none of the usual slips" not in feedback
    assert store.quiz_attempts()[0].mistake == "forgot-derivative"


def _hidden_delta_section(course) -> int:
    lesson = course.lesson("backpropagation")
    for index, section in enumerate(lesson.sections):
        if any(block.kind == "quiz" and block.params.get("kind") == "hidden-delta" for block in section.blocks):
            return index
    raise AssertionError("the backpropagation lesson has no hidden-delta quiz")


def _hidden_delta_panel(app) -> QuizPanel | None:
    for panel in app.query(QuizPanel):
        if panel.spec is not None and panel.spec.kind == "hidden-delta" and panel.problem is not None:
            return panel
    return None


async def _open_quiz_in_app(pilot, app, course):
    """Open the section of the hidden-delta quiz; return its index and the quiz panel."""
    section = _hidden_delta_section(course)
    await app.open_lesson("backpropagation", section)
    for _ in range(100):
        if _hidden_delta_panel(app) is not None:
            break
        await pilot.pause(0.02)
    return section, _hidden_delta_panel(app)


@pytest.fixture(scope="module")
def course():
    from tutor.cli import block_validators
    from tutor.course import load_course
    from tutor.course.paths import default_lessons_dir

    return load_course(default_lessons_dir(), block_validators())


async def test_app_keys_work_after_escape(course, tmp_path):
    from tutor.ui.app import TutorApp

    app = TutorApp(course, ProgressStore(tmp_path / "p.sqlite3"))
    async with app.run_test(size=(100, 30)) as pilot:
        section, panel = await _open_quiz_in_app(pilot, app, course)
        answer_box = panel.query_one(AnswerInput)
        answer_box.focus()
        await _type(pilot, "0.1]p")
        assert answer_box.value == "0.1]p"
        assert app.section_index == section

        await pilot.press("escape", "right_square_bracket")
        await pilot.pause()
        assert app.section_index == section + 1


async def test_app_lab_key_then_digit_types_answer(course, tmp_path):
    from tutor.ui.app import TutorApp

    app = TutorApp(course, ProgressStore(tmp_path / "p.sqlite3"))
    async with app.run_test(size=(100, 30)) as pilot:
        _, panel = await _open_quiz_in_app(pilot, app, course)
        await pilot.press("l")
        await pilot.pause()
        assert panel.has_focus
        await _type(pilot, "0.5")
        assert panel.query_one(AnswerInput).value == "0.5"


async def test_app_moves_on_after_solve(course, tmp_path):
    from tutor.ui.app import TutorApp

    app = TutorApp(course, ProgressStore(tmp_path / "p.sqlite3"))
    async with app.run_test(size=(100, 30)) as pilot:
        section, panel = await _open_quiz_in_app(pilot, app, course)
        answer_box = panel.query_one(AnswerInput)
        answer_box.focus()
        answer_box.value = repr(panel.problem.expected)
        await pilot.press("enter")
        await pilot.pause()
        assert panel.solved
        assert panel.has_focus
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert app.section_index == section + 1


async def test_fresh_seed_skips_undrawable_seeds(store, monkeypatch):
    import tutor.ui.quiz.panel as panel_module

    # For weight-gradient on 3-3-3-1 ReLU with a batch of 4, no draw from seeds 10002
    # and 10004 passes the non-degeneracy checks; seed 10003 does.
    seeds = iter([10002, 10004, 10003])
    monkeypatch.setattr(panel_module, "new_seed", lambda: next(seeds))
    block = _block(kind="weight-gradient", layers="3-3-3-1", activation="relu", batch=4)
    app = _app(store, block, seed=None)
    async with app.run_test(size=(80, 24)):
        panel = app.query_one(QuizPanel)
        assert panel.spec_error is None
        assert panel.problem is not None
        assert panel.seed == 10003
