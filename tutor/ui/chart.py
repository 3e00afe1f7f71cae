"""The ```chart block: a plotext chart drawn to fit the widget.

`PlotextChart` draws any ChartData at the widget's content size (a title,
the plotext 6 plot and a legend) and redraws when the size changes. `ChartPanel` turns a chart block
into ChartData with tutor.course.charts, in a background thread when that
takes long, and shows a plain message for invalid parameters.

plotext is imported inside `draw_chart` because the app's start-up time is
budgeted and most screens show no chart.
"""

from __future__ import annotations

import logging
import math
from functools import lru_cache

from rich.text import Text
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from tutor.course.charts import ChartData, chart_series, is_slow, validate_chart_params
from tutor.course.model import Block
from tutor.ui.context import LabContext

log = logging.getLogger(__name__)

MIN_WIDTH, MIN_HEIGHT = 20, 6

# Per series: a plotext marker, the character that stands for it in the
# legend, and a colour of the 16-colour palette (bright blue, green, red,
# cyan, magenta, yellow). The markers differ in shape, so the curves stay
# apart without colour (NO_COLOR, monochrome terminals). "hd" draws with
# the 2x2 quadrant block characters.
LINE_MARKERS = (("hd", "▚"), ("x", "x"), ("+", "+"), ("o", "o"), ("*", "*"), ("#", "#"))
SCATTER_MARKER = ("x", "x")
COLORS = (12, 10, 9, 14, 13, 11)


def series_style(data: ChartData, number: int) -> tuple[str, str, int]:
    """Return the plotext marker, its legend character and the colour index of series `number`."""
    series = data.series[number]
    if series.scatter:
        marker, symbol = SCATTER_MARKER
    else:
        marker, symbol = LINE_MARKERS[number % len(LINE_MARKERS)]
    return marker, symbol, COLORS[number % len(COLORS)]


def y_label_fits(data: ChartData, width: int) -> bool:
    """Tell whether plotext's bottom row has room for the y label left of the centred x label."""
    x_label_start = (width - len(data.x_label)) // 2
    return len(data.y_label) + 1 < x_label_start


def header_lines(data: ChartData, width: int) -> list[Text]:
    """Return the title, centred and wrapped to width, and the y label under it when plotext has no room for it."""
    title = Text(data.title, style="bold", justify="center")
    lines = list(title.wrap(_measuring_console(), width))
    if not y_label_fits(data, width):
        lines.append(Text(data.y_label, style="dim"))
    return lines


@lru_cache(maxsize=1)
def _measuring_console():
    from rich.console import Console

    return Console(width=200, color_system=None, legacy_windows=False)


def legend_lines(data: ChartData, width: int) -> list[Text]:
    """Lay out the legend ("▚ lr 0.1  x lr 1") in lines of at most width cells; none for one series."""
    if len(data.series) < 2:
        return []
    lines = [Text()]
    for number, series in enumerate(data.series):
        _, symbol, color = series_style(data, number)
        entry = Text.assemble((symbol, f"color({color})"), f" {series.label}")
        line = lines[-1]
        if line.cell_len and line.cell_len + 2 + entry.cell_len > width:
            lines.append(Text())
            line = lines[-1]
        if line.cell_len:
            line.append("  ")
        line.append_text(entry)
    return lines


def draw_chart(data: ChartData, width: int, height: int, *, y_label: bool = True) -> str:
    """Draw data with plotext at width x height cells and return the text with ANSI colours.

    The title is left to the caller, because plotext 6.1 leaves out a title
    that is wider than the plot, and the y label is drawn only when asked.

    A log y axis is drawn as log10(y) on a linear axis with ticks labelled
    1e-4, 1e-3, ..., because plotext 6.1 fails (math domain error) when a
    log ruler gets explicit ticks. Points with y <= 0 are left out there.
    plotext keeps one global figure, so this must run on one thread at a
    time; the widgets call it from the UI thread only.
    """
    import plotext

    figure = plotext.figure
    figure.clear()
    figure.plot_size(width, height)
    figure.theme("simple")

    for number, series in enumerate(data.series):
        marker, _, color = series_style(data, number)
        xs, ys = list(series.xs), list(series.ys)
        if data.y_log:
            xs, ys = _log_points(xs, ys)
        if not xs:
            continue
        signal = figure.signal(xs, ys, marker=plotext.marker(marker, color))
        if not series.scatter:
            signal.lines()
        figure.draw(signal)

    figure.label(data.x_label, axis="x")
    if y_label:
        figure.label(data.y_label, axis="y")
    _set_x_ticks(figure, data, width)
    if data.y_log:
        _set_log_ticks(figure, data, height)
    else:
        _widen_flat_y_axis(figure, data)
    return figure.build().string()


def _widen_flat_y_axis(figure, data: ChartData) -> None:
    """Give a series of equal y values a range around them, which plotext 6.1 mislabels otherwise."""
    ys = [y for series in data.series for y in series.ys]
    if not ys or max(ys) - min(ys) > 1e-12 * max(1.0, abs(max(ys))):
        return
    middle = ys[0]
    half = max(abs(middle) * 0.5, 0.5)
    positions = [middle - half, middle, middle + half]
    figure.ruler("y").lim(positions[0], positions[-1])
    figure.ruler("y").ticks(positions, [f"{p:.3g}" for p in positions])


def _log_points(xs: list[float], ys: list[float]) -> tuple[list[float], list[float]]:
    kept = [(x, math.log10(y)) for x, y in zip(xs, ys) if y > 0]
    return [x for x, _ in kept], [y for _, y in kept]


def _set_x_ticks(figure, data: ChartData, width: int) -> None:
    """Place x ticks on round numbers (or the chart's named ticks), about one per 10 cells."""
    xs = [x for series in data.series for x in series.xs]
    if not xs:
        return
    figure.ruler("x").lim(min(xs), max(xs))

    room = max(2, width // 10)
    if data.x_ticks is not None:
        positions, labels = data.x_ticks
        stride = max(1, math.ceil(len(positions) / room))
        figure.ruler("x").ticks(list(positions[::stride]), list(labels[::stride]))
        return

    positions = nice_ticks(min(xs), max(xs), room)
    figure.ruler("x").ticks(positions, [f"{p:g}" for p in positions])


def _set_log_ticks(figure, data: ChartData, height: int) -> None:
    """Fit the log10(y) axis to the data and label it at whole powers of ten.

    When the data spans less than two powers of ten, the two ends are
    labelled with their values instead (such as 8.5e-2 and 1.3e-1).
    """
    ys = [math.log10(y) for series in data.series for y in series.ys if y > 0]
    if not ys:
        return
    low, high = min(ys), max(ys)
    if high - low < 1e-12:
        low, high = low - 0.5, high + 0.5
    figure.ruler("y").lim(low, high)

    exponents = list(range(math.ceil(low), math.floor(high) + 1))
    if len(exponents) < 2:
        figure.ruler("y").ticks([low, high], [f"{10.0 ** low:.1e}", f"{10.0 ** high:.1e}"])
        return
    room = max(2, height // 3)
    stride = math.ceil(len(exponents) / room)
    exponents = exponents[::stride]
    figure.ruler("y").ticks([float(e) for e in exponents], [f"1e{e}" for e in exponents])


def nice_ticks(low: float, high: float, count: int) -> list[float]:
    """Return about `count` ticks within [low, high] on multiples of 1, 2 or 5 times a power of ten.

    The step is the smallest such multiple that gives at most `count` ticks,
    made finer when that would leave fewer than two.
    """
    if high <= low:
        return [low]
    raw = (high - low) / max(1, count - 1)
    power = 10.0 ** math.floor(math.log10(raw))
    steps = [m * power for m in (0.1, 0.2, 0.5, 1, 2, 5, 10)]
    chosen = next(number for number, step in enumerate(steps) if step >= raw)
    ticks = _ticks_with_step(low, high, steps[chosen])
    while len(ticks) < 2 and chosen > 0:
        chosen -= 1
        ticks = _ticks_with_step(low, high, steps[chosen])
    return ticks


def _ticks_with_step(low: float, high: float, step: float) -> list[float]:
    ticks = []
    value = math.ceil(low / step) * step
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks


class PlotextChart(Widget):
    """A chart of ChartData drawn by plotext at the widget's size; empty until it has data."""

    DEFAULT_CSS = """
    PlotextChart {
        height: 16;
        width: 1fr;
    }
    """

    def __init__(self, data: ChartData | None = None, *, name: str | None = None,
                 id: str | None = None, classes: str | None = None):
        super().__init__(name=name, id=id, classes=classes)
        self._data = data
        self._drawn_size: tuple[int, int] | None = None
        self._drawn: Text | None = None

    @property
    def data(self) -> ChartData | None:
        return self._data

    @data.setter
    def data(self, data: ChartData | None) -> None:
        self._data = data
        self._drawn = None
        self.refresh()

    @property
    def plot_text(self) -> str:
        """The plain text of the last drawing (empty before the first), for tests and logs."""
        return self._drawn.plain if self._drawn is not None else ""

    def render(self) -> Text:
        if self._data is None:
            return Text("")
        width, height = self.content_size.width, self.content_size.height
        if width < MIN_WIDTH or height < MIN_HEIGHT:
            return Text(f"The chart needs at least {MIN_WIDTH}x{MIN_HEIGHT} cells; "
                        f"this pane has {width}x{height}.", style="dim")
        if self._drawn is None or self._drawn_size != (width, height):
            self._drawn = self._draw(width, height)
            self._drawn_size = (width, height)
        return self._drawn

    def _draw(self, width: int, height: int) -> Text:
        """Stack the title, the plot and the legend. The plot gets the rows the others leave."""
        data = self._data
        header = header_lines(data, width)
        legend = legend_lines(data, width)
        plot_height = height - len(header) - len(legend)
        if plot_height < MIN_HEIGHT:
            legend = []
            plot_height = height - len(header)
        try:
            plot = draw_chart(data, width, plot_height, y_label=y_label_fits(data, width))
        except (ValueError, ArithmeticError, IndexError) as error:
            log.error("plotext failed to draw %r at %dx%d: %r", data.title, width, height, error)
            return Text(f"The chart could not be drawn: {error}", style="bold")
        lines = [*header, Text.from_ansi(plot.rstrip("\n")), *legend]
        return Text("\n").join(lines)

    def on_resize(self) -> None:
        self.refresh()


class ChartPanel(Widget):
    """The widget of a ```chart block: a message line and the chart under it."""

    DEFAULT_CSS = """
    ChartPanel {
        height: auto;
    }
    ChartPanel > #chart-message {
        width: 1fr;
    }
    """

    def __init__(self, block: Block, context: LabContext, *, name: str | None = None,
                 id: str | None = None, classes: str | None = None):
        super().__init__(name=name, id=id, classes=classes)
        self.block = block
        self.context = context
        self.problems = validate_chart_params(block.params)
        self._message = ""

    @property
    def chart(self) -> PlotextChart:
        return self.query_one(PlotextChart)

    @property
    def message(self) -> str:
        """The text of the message line: problems, "computing…", a failure, or empty."""
        return self._message

    def compose(self) -> ComposeResult:
        yield Static(id="chart-message")
        yield PlotextChart()

    def on_mount(self) -> None:
        if self.problems:
            lines = "\n".join(f"- {problem}" for problem in self.problems)
            self._show_message(f"This chart cannot be drawn:\n{lines}")
            self.chart.display = False
            return
        if is_slow(self.block.params):
            self._show_message("computing…")
            self.run_worker(lambda: chart_series(self.block.params), thread=True,
                            exclusive=True, exit_on_error=False, name="chart-series")
            return
        try:
            data = chart_series(self.block.params)
        except (ValueError, ArithmeticError) as error:
            log.error("chart %s failed: %r", self.block.id, error)
            self._show_message(f"The chart could not be computed: {error}")
            return
        self._show_data(data)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "chart-series":
            return
        if event.state == WorkerState.SUCCESS:
            self._show_data(event.worker.result)
        elif event.state == WorkerState.ERROR:
            log.error("chart %s failed: %r", self.block.id, event.worker.error)
            self._show_message(f"The chart could not be computed: {event.worker.error}")

    def _show_data(self, data: ChartData) -> None:
        self._show_message("")
        self.chart.data = data

    def _show_message(self, text: str) -> None:
        self._message = text
        message = self.query_one("#chart-message", Static)
        message.update(text)
        message.display = bool(text)
