"""ChartPanel and PlotextChart under Textual's Pilot, drawing real engine data with plotext."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from rich.text import Text
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll

from tutor.course.charts import ChartData, Series, chart_series
from tutor.course.model import Block
from tutor.progress import ProgressStore
from tutor.ui import chart as chart_module
from tutor.ui.chart import ChartPanel, PlotextChart, draw_chart, legend_lines, nice_ticks
from tutor.ui.context import LabContext


ROOT = Path(__file__).resolve().parents[2]


def screen_text(app: App) -> str:
    """Return the plain text of the whole screen as the terminal shows it."""
    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(),
                      record=True, color_system=None, legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True,
                                                       screen_stack=app._background_screens))
    return console.export_text()


def flat(text: str) -> str:
    return " ".join(text.split())


class ChartApp(App):
    """A lab pane half the screen wide holding one chart panel."""

    CSS = """
    #lab { width: 50%; }
    """

    def __init__(self, block: Block, context: LabContext):
        super().__init__()
        self.block = block
        self.context = context

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="lab"):
            yield ChartPanel(self.block, self.context)


@pytest.fixture
def context(tmp_path: Path):
    store = ProgressStore(tmp_path / "progress.sqlite3")
    yield LabContext(store=store, lesson_id="backpropagation", course_root=tmp_path)
    store.close()


def chart_block(**params) -> Block:
    return Block(kind="chart", params=params, line=20, id="chart-1")


async def test_gradient_flow_draws_with_title(context):
    block = chart_block(kind="gradient-flow", activation="sigmoid", depth=6)
    title = chart_series(block.params).title
    app = ChartApp(block, context)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        panel = app.query_one(ChartPanel)

        assert panel.message == ""
        assert title in panel.chart.plot_text
        assert title in screen_text(app)
        assert "W1" in screen_text(app)


async def test_slow_chart_computes_in_worker(context):
    block = chart_block(kind="learning-rates", learning_rates=[0.5, 2.0], epochs=8000, seed=11)
    app = ChartApp(block, context)
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(ChartPanel)
        assert panel.message == "computing…"
        assert "computing…" in screen_text(app)

        await app.workers.wait_for_complete()
        await pilot.pause()
        text = screen_text(app)

        assert panel.message == ""
        assert "computing…" not in text
        assert "XOR loss for 2 learning rates" in text
        assert "lr 0.5" in text
        assert "lr 2" in text


async def test_xor_loss_draws_after_worker(context):
    block = chart_block(kind="xor-loss", learning_rate=2.0, epochs=3000)
    app = ChartApp(block, context)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        plot = app.query_one(ChartPanel).chart.plot_text

        assert "XOR loss, lr 2" in plot
        assert "epoch" in plot
        assert "3000" in plot


async def test_chart_redraws_on_resize(context):
    app = ChartApp(chart_block(kind="gradient-check"), context)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        chart = app.query_one(ChartPanel).chart
        first_width = max(len(line) for line in chart.plot_text.splitlines())

        await pilot.resize_terminal(120, 30)
        await pilot.pause()
        second_width = max(len(line) for line in chart.plot_text.splitlines())

        assert first_width == 40
        assert second_width == 60
        assert "Gradient check" in chart.plot_text


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "pie-chart"}, "unknown chart kind 'pie-chart'"),
        ({"kind": "xor-loss", "epochs": -3}, "`epochs` must be a whole number from 1 to 20000, got -3"),
        ({"kind": "xor-loss", "epochs": 50000}, "`epochs` must be a whole number from 1 to 20000"),
        ({"kind": "xor-loss", "learning_rate": "fast"}, "`learning_rate` must be a number above 0"),
        ({"kind": "gradient-flow", "activation": "tanh"}, "`activation` must be one of: sigmoid, relu"),
    ],
)
async def test_bad_params_show_message(context, params, expected):
    app = ChartApp(chart_block(**params), context)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        panel = app.query_one(ChartPanel)

        assert expected in panel.message
        assert expected in flat(screen_text(app))
        assert not panel.chart.display
        assert panel.chart.plot_text == ""


async def test_worker_failure_shows_message(context, monkeypatch):
    def failing_series(params):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(chart_module, "chart_series", failing_series)
    app = ChartApp(chart_block(kind="xor-loss", epochs=5000), context)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        panel = app.query_one(ChartPanel)

        assert "The chart could not be computed: out of memory" in panel.message
        assert app.is_running


class TinyChartApp(App):
    CSS = """
    PlotextChart { width: 30; height: 4; }
    """

    def compose(self) -> ComposeResult:
        yield PlotextChart(chart_series({"kind": "gradient-check"}))


async def test_too_small_chart_says_so():
    app = TinyChartApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()

        assert "needs at least 20x6 cells" in flat(screen_text(app))


class EmptyChartApp(App):
    def compose(self) -> ComposeResult:
        yield PlotextChart()


async def test_chart_without_data_is_blank():
    app = EmptyChartApp()
    async with app.run_test(size=(40, 20)) as pilot:
        await pilot.pause()
        chart = app.query_one(PlotextChart)

        assert chart.plot_text == ""
        assert screen_text(app).strip() == ""


async def test_setting_data_redraws():
    app = EmptyChartApp()
    async with app.run_test(size=(40, 20)) as pilot:
        chart = app.query_one(PlotextChart)
        chart.data = ChartData("Squares", "x", "y", (Series("x^2", (1.0, 2.0, 3.0), (1.0, 4.0, 9.0)),))
        await pilot.pause()

        assert "Squares" in chart.plot_text


def test_draw_chart_fills_the_size():
    data = chart_series({"kind": "gradient-flow", "depth": 5})
    lines = Text.from_ansi(draw_chart(data, 44, 14)).plain.splitlines()

    assert len(lines) == 14
    assert max(len(line) for line in lines) == 44
    assert "||dW||" in lines[-1]
    assert "layer" in lines[-1]


async def test_narrow_chart_keeps_title_and_y_label(context):
    data = chart_series({"kind": "gradient-check"})
    app = ChartApp(chart_block(kind="gradient-check"), context)
    async with app.run_test(size=(60, 24)) as pilot:
        await pilot.pause()
        plot = app.query_one(ChartPanel).chart.plot_text
        lines = plot.splitlines()

        assert max(len(line) for line in lines) == 30
        assert data.title in flat(plot)
        assert "dL/dtheta" in lines[2]
        assert len(lines) == 16


def test_log_axis_labels_powers_of_ten():
    data = chart_series({"kind": "gradient-flow", "activation": "sigmoid", "depth": 6})
    plot = Text.from_ansi(draw_chart(data, 40, 16)).plain

    assert "1e0" in plot
    assert "1e-2" in plot


def test_series_markers_differ_without_colour():
    data = chart_series({"kind": "learning-rates", "epochs": 100})
    (legend,) = legend_lines(data, 60)
    symbols = [part.split(" ")[0] for part in legend.plain.split("  ")]

    assert len(symbols) == 4
    assert len(set(symbols)) == 4


def test_legend_wraps_to_width():
    data = chart_series({"kind": "learning-rates", "epochs": 10})
    lines = legend_lines(data, 20)

    assert len(lines) == 2
    assert all(line.cell_len <= 20 for line in lines)


def test_single_series_has_no_legend():
    data = chart_series({"kind": "gradient-flow"})

    assert legend_lines(data, 40) == []


def test_nice_ticks_round_numbers():
    assert nice_ticks(1, 3000, 4) == [1000.0, 2000.0, 3000.0]
    assert nice_ticks(0, 1, 3) == [0.0, 0.5, 1.0]
    assert nice_ticks(5, 5, 4) == [5]
    assert nice_ticks(1, 800, 4) == [200.0, 400.0, 600.0, 800.0]


def test_plotext_imported_only_when_drawing():
    code = ("import sys, tutor.ui.chart\n"
            "print('plotext' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})

    assert result.stdout.strip() == "False"


class BrokenDataApp(App):
    def compose(self) -> ComposeResult:
        yield PlotextChart(ChartData("Broken", "x", "y", (Series("s", (1.0, 2.0), (1.0, 2.0)),)))


async def test_plotext_failure_shows_message(monkeypatch):
    def failing_draw(data, width, height, **options):
        raise ValueError("math domain error")

    monkeypatch.setattr(chart_module, "draw_chart", failing_draw)
    app = BrokenDataApp()
    async with app.run_test(size=(40, 20)) as pilot:
        await pilot.pause()

        assert "The chart could not be drawn: math domain error" in flat(screen_text(app))
        assert app.is_running


def test_flat_series_gets_labelled_range():
    data = ChartData("Flat", "x", "y", (Series("s", (1.0, 2.0, 3.0), (0.5, 0.5, 0.5)),))
    lines = Text.from_ansi(draw_chart(data, 30, 9)).plain.splitlines()
    curve_line = next(line for line in lines if any(mark in line for mark in "▀▄▖▗▘▝"))

    assert curve_line.lstrip().startswith("0.5┤")
