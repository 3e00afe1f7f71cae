"""TracePanel under Textual's Pilot, with the real engine trace and a real progress file."""

import io
from pathlib import Path

import pytest
from rich.console import Console
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll

from tutor.course.model import Block
from tutor.engine.examples import get_example
from tutor.engine.trace import format_number, trace_pass
from tutor.progress import ProgressStore
from tutor.ui.context import LabContext
from tutor.ui.trace_table import HIDDEN, TracePanel, state_key


def engine_trace(name: str):
    example = get_example(name)
    return trace_pass(example.build(), example.x, example.y, include_bias=example.include_bias)


def screen_text(app: App) -> str:
    """Return the plain text of the whole screen as the terminal shows it."""
    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(),
                      record=True, color_system=None, legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True,
                                                       screen_stack=app._background_screens))
    return console.export_text()


def flat(text: str) -> str:
    """Drop the panel's left border and collapse whitespace, so a wrapped formula still matches."""
    return " ".join(text.replace("▌", " ").split())


class PanelApp(App):
    """A lab pane of a given width holding one trace panel."""

    CSS = """
    #lab { width: 42; }
    """

    def __init__(self, block: Block, context: LabContext):
        super().__init__()
        self.block = block
        self.context = context
        self.steps_posted: list[tuple[int, str | None]] = []

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="lab"):
            yield TracePanel(self.block, self.context)

    def on_mount(self) -> None:
        self.query_one(TracePanel).focus()

    def on_trace_panel_step_changed(self, event: TracePanel.StepChanged) -> None:
        self.steps_posted.append((event.step, event.current.name if event.current else None))


@pytest.fixture
def store(tmp_path: Path):
    store = ProgressStore(tmp_path / "progress.sqlite3")
    yield store
    store.close()


@pytest.fixture
def context(store, tmp_path: Path) -> LabContext:
    return LabContext(store=store, lesson_id="backpropagation", course_root=tmp_path)


def xor_block() -> Block:
    return Block(kind="trace", params={"example": "xor-2-2-1"}, line=10, id="trace-1")


async def test_starts_with_values_hidden(context):
    app = PanelApp(xor_block(), context)
    async with app.run_test(size=(80, 40)) as pilot:
        panel = app.query_one(TracePanel)
        text = screen_text(app)

        assert panel.step == 0
        assert panel.current_name is None
        assert HIDDEN in text
        assert format_number(engine_trace("xor-2-2-1").value("z1[0]")) not in text
        assert "press space" in flat(text)


async def test_space_reveals_steps_in_trace_order(context):
    trace = engine_trace("xor-2-2-1")
    app = PanelApp(xor_block(), context)
    async with app.run_test(size=(80, 40)) as pilot:
        panel = app.query_one(TracePanel)
        for number, step in enumerate(trace.steps, start=1):
            await pilot.press("space")

            assert panel.step == number
            assert panel.current_name == step.name
            text = flat(screen_text(app))
            assert step.substituted in text, step.name
            assert format_number(step.value) in text, step.name


async def test_output_delta_shows_formula_and_numbers(context):
    trace = engine_trace("xor-2-2-1")
    target = trace.find("dZ2[0]")
    app = PanelApp(xor_block(), context)
    async with app.run_test(size=(80, 40)) as pilot:
        panel = app.query_one(TracePanel)
        for _ in range(trace.steps.index(target) + 1):
            await pilot.press("right")
        text = flat(screen_text(app))

        assert panel.current_name == "dZ2[0]"
        assert "dZ2[0] = dA2[0] * f'(z2[0])" in text
        assert "f'(z) = a(1 - a)" in text
        assert target.substituted in text
        assert "▶2[0]" in text


async def test_other_next_and_back_keys(context):
    app = PanelApp(xor_block(), context)
    async with app.run_test(size=(80, 40)) as pilot:
        panel = app.query_one(TracePanel)
        await pilot.press("full_stop", "right", "space")
        assert panel.step == 3

        await pilot.press("backspace")
        assert panel.step == 2

        await pilot.press("left")
        assert panel.step == 1

        await pilot.press("comma")
        assert panel.step == 0


async def test_back_hides_the_value_again(context):
    trace = engine_trace("xor-2-2-1")
    app = PanelApp(xor_block(), context)
    async with app.run_test(size=(80, 40)) as pilot:
        panel = app.query_one(TracePanel)
        await pilot.press("space", "space")
        assert trace.steps[1].substituted in flat(screen_text(app))

        await pilot.press("backspace")
        text = flat(screen_text(app))

        assert panel.current_name == trace.steps[0].name
        assert trace.steps[0].substituted in text
        assert trace.steps[1].substituted not in text


async def test_back_stops_at_zero(context):
    app = PanelApp(xor_block(), context)
    async with app.run_test(size=(80, 40)) as pilot:
        panel = app.query_one(TracePanel)
        await pilot.press("backspace", "left")

        assert panel.step == 0
        assert app.steps_posted == []


async def test_end_reveals_all_and_next_stops(context):
    trace = engine_trace("xor-2-2-1")
    app = PanelApp(xor_block(), context)
    async with app.run_test(size=(80, 40)) as pilot:
        panel = app.query_one(TracePanel)
        await pilot.press("end")
        text = screen_text(app)

        assert panel.step == len(trace.steps)
        assert panel.current_name == trace.steps[-1].name
        assert HIDDEN not in text
        for step in trace.steps:
            assert format_number(step.value) in text, step.name

        await pilot.press("space")
        assert panel.step == len(trace.steps)


async def test_home_resets(context):
    app = PanelApp(xor_block(), context)
    async with app.run_test(size=(80, 40)) as pilot:
        panel = app.query_one(TracePanel)
        await pilot.press("space", "space", "space", "home")

        assert panel.step == 0
        assert panel.current is None
        assert "press space" in flat(screen_text(app))


async def test_step_change_posts_message(context):
    trace = engine_trace("xor-2-2-1")
    app = PanelApp(xor_block(), context)
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.press("space", "space", "backspace", "end", "home")
        await pilot.pause()

        assert app.steps_posted == [
            (1, trace.steps[0].name),
            (2, trace.steps[1].name),
            (1, trace.steps[0].name),
            (len(trace.steps), trace.steps[-1].name),
            (0, None),
        ]


async def test_step_saved_in_store(context, store):
    block = xor_block()
    app = PanelApp(block, context)
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.press("space", "space", "space")

    assert store.get_state("trace:backpropagation:trace-1") == 3
    assert state_key(context, block) == "trace:backpropagation:trace-1"


async def test_step_restored_on_remount(context, store, tmp_path):
    trace = engine_trace("xor-2-2-1")
    app = PanelApp(xor_block(), context)
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.press(*["space"] * 9)
    store.close()

    reopened = ProgressStore(tmp_path / "progress.sqlite3")
    again = PanelApp(xor_block(), LabContext(reopened, "backpropagation", tmp_path))
    async with again.run_test(size=(80, 40)) as pilot:
        panel = again.query_one(TracePanel)

        assert panel.step == 9
        assert panel.current_name == trace.steps[8].name
        assert trace.steps[8].substituted in flat(screen_text(again))
    reopened.close()


async def test_saved_step_out_of_range_is_clamped(context, store):
    trace = engine_trace("xor-2-2-1")
    store.set_state("trace:backpropagation:trace-1", 999)
    app = PanelApp(xor_block(), context)
    async with app.run_test(size=(80, 40)):
        assert app.query_one(TracePanel).step == len(trace.steps)


async def test_saved_step_of_wrong_type_is_ignored(context, store):
    store.set_state("trace:backpropagation:trace-1", "seven")
    app = PanelApp(xor_block(), context)
    async with app.run_test(size=(80, 40)):
        assert app.query_one(TracePanel).step == 0


async def test_single_chain_has_no_bias_column(context):
    trace = engine_trace("single-chain")
    block = Block(kind="trace", params={"example": "single-chain"}, line=3, id="trace-2")
    app = PanelApp(block, context)
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.press("end")
        text = screen_text(app)

        assert get_example("single-chain").title in flat(text)
        assert "db" not in text
        assert format_number(trace.value("dW1[0,0]")) in text


async def test_unknown_example_shows_message(context):
    block = Block(kind="trace", params={"example": "xor-9-9-9"}, line=3, id="trace-3")
    app = PanelApp(block, context)
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.press("space")
        text = screen_text(app)

        assert "unknown worked example 'xor-9-9-9'" in flat(text)
        assert "single-chain" in text
        assert app.query_one(TracePanel).step == 0


async def test_missing_example_shows_message(context):
    block = Block(kind="trace", params={}, line=3, id="trace-4")
    app = PanelApp(block, context)
    async with app.run_test(size=(80, 40)):
        assert "needs `example`" in flat(screen_text(app))


class SmallLabApp(PanelApp):
    """An 80x24 screen whose lab pane is 40 columns and 18 rows, as in the tutor."""

    CSS = """
    #lab { width: 40; height: 18; }
    """


async def test_formula_stays_visible_in_small_pane(context):
    trace = engine_trace("xor-2-2-1")
    app = SmallLabApp(xor_block(), context)
    async with app.run_test(size=(80, 24)) as pilot:
        for step in trace.steps:
            await pilot.press("space")
            await pilot.pause()
            text = screen_text(app)

            assert step.substituted.split(" = ")[-1] in text, step.name
            assert f"{trace.steps.index(step) + 1}/{len(trace.steps)}" in text, step.name


async def test_tables_fit_narrow_pane(context):
    app = SmallLabApp(xor_block(), context)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("end")
        await pilot.pause()
        lab_lines = [line[:40].rstrip() for line in screen_text(app).splitlines()]

        assert any("[:,0]" in line and "[:,1]" in line for line in lab_lines)
        assert any("dA" in line and "dZ" in line and "db" in line for line in lab_lines)


class NarrowLabApp(PanelApp):
    """The narrowest lab pane the tutor lays out: 30 columns inside, with a 1-column scrollbar."""

    CSS = """
    #lab { width: 31; height: 18; scrollbar-size-vertical: 1; }
    """


async def test_narrow_pane_keeps_rows_whole(context):
    trace = engine_trace("xor-2-2-1")
    app = NarrowLabApp(xor_block(), context)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.press("end")
        await pilot.pause()
        panel = app.query_one(TracePanel)
        for _ in range(12):
            panel.parent.scroll_up(animate=False)
        await pilot.pause()
        lines = [line[:31] for line in screen_text(app).splitlines()]
        expected = " ".join(format_number(trace.value(name)) for name in ("dA1[0]", "dZ1[0]", "db1[0]"))

        assert panel.content_size.width == 28
        assert any(expected in " ".join(line.split()) for line in lines), lines


async def test_narrow_pane_marks_current_row_without_marker(context):
    total = len(engine_trace("xor-2-2-1").steps)
    app = NarrowLabApp(xor_block(), context)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.press("space")
        await pilot.pause()
        text = screen_text(app)

        assert "▶" not in text
        assert f"1/{total}" in text
