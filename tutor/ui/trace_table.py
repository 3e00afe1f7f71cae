"""The ```trace block: forward and backward tables that fill in one value per key press.

The panel traces a named worked example with the engine, then reveals the
values in trace order: every z and a, the loss, then dA, dZ, dW and db
from the output layer back. Below the tables it writes the current step's
formula and the same formula with the numbers substituted. The step is
saved in the progress store, so reopening the lesson resumes where the
learner stopped.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from tutor.course.model import Block
from tutor.engine.examples import get_example
from tutor.engine.trace import Trace, TraceStep, format_number, trace_pass
from tutor.ui.context import LabContext

log = logging.getLogger(__name__)

HIDDEN = "·"
MARKER = "▶"
CURRENT_STYLE = "reverse bold"
VALUE_WIDTH = len("-0.0000")
COLUMN_GAP = "  "
NARROW_COLUMN_GAP = " "
FORWARD_QUANTITIES = ("z", "a")
BACKWARD_QUANTITIES = ("dA", "dZ", "db")


def state_key(context: LabContext, block: Block) -> str:
    """Return the progress-store key under which a trace block's step is saved."""
    return f"trace:{context.lesson_id}:{block.id}"


@dataclass(frozen=True)
class _Cell:
    """The position of a step's value: its table, row and column."""

    table: str
    row: tuple[int, int]
    column: str


def _cell_of(step: TraceStep) -> _Cell:
    if step.quantity in FORWARD_QUANTITIES:
        return _Cell("forward", (step.layer, step.index[0]), step.quantity)
    if step.quantity == "L":
        return _Cell("loss", (0, 0), "L")
    if step.quantity == "dW":
        row, column = step.index
        return _Cell("dW", (step.layer, row), str(column))
    return _Cell("backward", (step.layer, step.index[0]), step.quantity)


class TraceLayout:
    """The rows and columns of a trace's tables and the cell of each step.

    Forward rows run from layer 1 to the output; backward rows run from the
    output back to layer 1, in the order backpropagation visits them.
    """

    def __init__(self, trace: Trace):
        self.cells = [_cell_of(step) for step in trace.steps]
        self.step_of = {cell: number for number, cell in enumerate(self.cells)}
        self.forward_rows = _rows_in_order(self.cells, "forward")
        self.backward_rows = _rows_in_order(self.cells, "backward")
        self.dW_rows = _rows_in_order(self.cells, "dW")
        present = {cell.column for cell in self.cells if cell.table == "backward"}
        self.backward_columns = [q for q in BACKWARD_QUANTITIES if q in present]
        self.dW_columns = sorted(
            {cell.column for cell in self.cells if cell.table == "dW"}, key=int
        )


def _rows_in_order(cells: list[_Cell], table: str) -> list[tuple[int, int]]:
    rows: list[tuple[int, int]] = []
    for cell in cells:
        if cell.table == table and cell.row not in rows:
            rows.append(cell.row)
    return rows


class TracePanel(Widget, can_focus=True):
    """A step-through table of one worked example's forward and backward pass.

    `step` is the number of values revealed, from 0 to the number of steps
    of the trace; the current value is the last one revealed.
    """

    DEFAULT_CSS = """
    TracePanel {
        height: auto;
        border-left: outer $panel;
        padding: 0 0 0 1;
    }
    TracePanel:focus {
        border-left: outer $accent;
    }
    TracePanel > Static {
        width: 1fr;
    }
    TracePanel > #trace-title {
        text-style: bold;
    }
    """

    BINDINGS = [
        Binding("space,right,full_stop", "next_step", "Next", tooltip="Reveal the next value"),
        Binding("backspace,left,comma", "previous_step", "Back", tooltip="Hide the last value"),
        Binding("home", "reset", "Reset", tooltip="Hide every value"),
        Binding("end", "reveal_all", "Show all", tooltip="Reveal every value"),
    ]

    class StepChanged(Message):
        """Posted when the number of revealed values changes."""

        def __init__(self, panel: "TracePanel", step: int, total: int, current: TraceStep | None):
            super().__init__()
            self.panel = panel
            self.step = step
            self.total = total
            self.current = current

        @property
        def control(self) -> "TracePanel":
            return self.panel

    def __init__(self, block: Block, context: LabContext, *, name: str | None = None,
                 id: str | None = None, classes: str | None = None):
        super().__init__(name=name, id=id, classes=classes)
        self.block = block
        self.context = context
        self.trace: Trace | None = None
        self.example_title = ""
        self.error: str | None = None
        self._step = 0
        self._narrow = False
        self._shown: dict[str, Text] = {}
        self._save_failed = False
        self._load_trace()

    def _load_trace(self) -> None:
        name = self.block.params.get("example")
        if not isinstance(name, str):
            self.error = f"trace block needs `example`, the name of a worked example, got {name!r}"
            return
        try:
            example = get_example(name)
        except ValueError as error:
            self.error = f"trace block: {error}"
            return
        self.example_title = example.title
        self.trace = trace_pass(example.build(), example.x, example.y,
                                include_bias=example.include_bias)
        self.layout_map = TraceLayout(self.trace)

    # Public state.

    @property
    def step(self) -> int:
        return self._step

    @property
    def total(self) -> int:
        return len(self.trace.steps) if self.trace else 0

    @property
    def current(self) -> TraceStep | None:
        """The last revealed step, or None before the first one."""
        if self.trace is None or self._step == 0:
            return None
        return self.trace.steps[self._step - 1]

    @property
    def current_name(self) -> str | None:
        current = self.current
        return current.name if current else None

    def set_step(self, step: int) -> None:
        """Reveal the first `step` values (clamped to the trace), save the step and repaint."""
        step = max(0, min(step, self.total))
        if step == self._step:
            return
        self._step = step
        self._save_step()
        self._repaint()
        self.post_message(self.StepChanged(self, step, self.total, self.current))

    # Widget plumbing.

    def compose(self) -> ComposeResult:
        if self.trace is None:
            yield Static(Text(self.error or "", style="bold"), id="trace-error")
            return
        yield Static(self.example_title, id="trace-title")
        yield Static(id="trace-forward")
        yield Static(id="trace-backward")
        yield Static(id="trace-formula")

    def on_mount(self) -> None:
        if self.trace is None:
            return
        saved = self.context.store.get_state(state_key(self.context, self.block), 0)
        if isinstance(saved, int) and not isinstance(saved, bool):
            self._step = max(0, min(saved, self.total))
        self._repaint()

    def action_next_step(self) -> None:
        self.set_step(self._step + 1)

    def action_previous_step(self) -> None:
        self.set_step(self._step - 1)

    def action_reset(self) -> None:
        self.set_step(0)

    def action_reveal_all(self) -> None:
        self.set_step(self.total)

    def _save_step(self) -> None:
        try:
            self.context.store.set_state(state_key(self.context, self.block), self._step)
        except sqlite3.Error as error:
            log.warning("failed to save the trace step of %s: %s", self.block.id, error)
            if not self._save_failed:
                self._save_failed = True
                self.notify(f"Failed to save the trace position: {error}", severity="warning")

    def _repaint(self) -> None:
        """Update only the parts whose text changed, such as the backward table and the formula."""
        if self.trace is None:
            return
        self._update_part("#trace-forward", self.render_forward())
        self._update_part("#trace-backward", self.render_backward())
        self._update_part("#trace-formula", self.render_formula())
        self.call_after_refresh(self._scroll_to_current)

    def _update_part(self, selector: str, text: Text) -> None:
        if self._shown.get(selector) == text:
            return
        self._shown[selector] = text
        self.query_one(selector, Static).update(text)

    def _scroll_to_current(self) -> None:
        """Keep the table of the current value and the formula lines in view."""
        current = self.current
        if current is None or not self.is_mounted:
            return
        table_id = "#trace-forward" if current.phase != "backward" else "#trace-backward"
        self.query_one(table_id).scroll_visible(animate=False, top=False)
        self.query_one("#trace-formula").scroll_visible(animate=False, top=False)

    # Rendering: each part of the panel as Rich Text.

    def _cell_text(self, table: str, row: tuple[int, int], column: str) -> Text:
        number = self.layout_map.step_of.get(_Cell(table, row, column))
        if number is None:
            return Text("")
        if number >= self._step:
            return Text(HIDDEN, style="dim")
        value = format_number(self.trace.steps[number].value)
        if number == self._step - 1:
            return Text(value, style=CURRENT_STYLE)
        return Text(value)

    def _row_label(self, table: str, row: tuple[int, int], text: str) -> Text:
        """Label a row, marking the row of the current value (with ▶ unless the pane is narrow)."""
        is_current = False
        if self.current is not None:
            cell = self.layout_map.cells[self._step - 1]
            is_current = cell.table == table and cell.row == row
        if self._narrow:
            return Text(text, style=CURRENT_STYLE if is_current else "")
        if is_current:
            return Text(f"{MARKER}{text}", style="bold")
        return Text(f" {text}")

    def _gap(self) -> str:
        return NARROW_COLUMN_GAP if self._narrow else COLUMN_GAP

    def _wide_layout_width(self) -> int:
        """Return the width of the widest table line with the ▶ marker and two-space gaps."""
        layout = self.layout_map
        labels = [f"{MARKER}{layer}[{unit}]"
                  for layer, unit in layout.forward_rows + layout.backward_rows + layout.dW_rows]
        label_width = max(len(label) for label in labels + ["unit"])
        columns = max(len(FORWARD_QUANTITIES), len(layout.backward_columns), len(layout.dW_columns))
        return label_width + columns * (len(COLUMN_GAP) + VALUE_WIDTH)

    def on_resize(self) -> None:
        if self.trace is None:
            return
        narrow = self.content_size.width < self._wide_layout_width()
        if narrow != self._narrow:
            self._narrow = narrow
            self._repaint()

    def render_forward(self) -> Text:
        rows = [
            [self._row_label("forward", row, f"{row[0]}[{row[1]}]"),
             *(self._cell_text("forward", row, q) for q in FORWARD_QUANTITIES)]
            for row in self.layout_map.forward_rows
        ]
        loss = Text.assemble(self._row_label("loss", (0, 0), "L"), " = ",
                             self._cell_text("loss", (0, 0), "L"))
        return Text("\n").join([
            Text("Forward pass", style="bold"),
            _grid(["unit", *FORWARD_QUANTITIES], rows, self._gap()),
            loss,
        ])

    def render_backward(self) -> Text:
        layout = self.layout_map
        rows = [
            [self._row_label("backward", row, f"{row[0]}[{row[1]}]"),
             *(self._cell_text("backward", row, q) for q in layout.backward_columns)]
            for row in layout.backward_rows
        ]
        weight_rows = [
            [self._row_label("dW", row, f"{row[0]}[{row[1]}]"),
             *(self._cell_text("dW", row, column) for column in layout.dW_columns)]
            for row in layout.dW_rows
        ]
        weight_headers = ["dW", *(f"[:,{column}]" for column in layout.dW_columns)]
        return Text("\n").join([
            Text("Backward pass", style="bold"),
            _grid(["unit", *layout.backward_columns], rows, self._gap()),
            _grid(weight_headers, weight_rows, self._gap()),
        ])

    def render_formula(self) -> Text:
        current = self.current
        if current is None:
            return Text(f"0/{self.total}: press space or → to reveal the first value.")
        status = Text.assemble((f"{self._step}/{self.total} ", "bold"), f"{current.phase}: ",
                               (current.name, CURRENT_STYLE))
        # The engine joins a rule and its derivative formula with two spaces:
        # "dZ2[0] = dA2[0] * f'(z2[0]),  f'(z) = a(1 - a)". Each gets a line.
        rules = [Text(part, style="bold") for part in current.formula.split(",  ")]
        return Text("\n").join([status, *rules, Text(current.substituted)])


def _grid(headers: list[str], rows: list[list[Text]], gap: str) -> Text:
    """Lay out a header line and rows in fixed columns: labels left-aligned, values right-aligned.

    Widths come from the headers, the labels and VALUE_WIDTH, never from the
    values shown, so the columns stay put while values are revealed.
    """
    label_width = max([len(headers[0])] + [row[0].cell_len for row in rows])
    widths = [label_width] + [max(len(header), VALUE_WIDTH) for header in headers[1:]]

    header_line = Text()
    for number, (header, width) in enumerate(zip(headers, widths)):
        if number:
            header_line.append(gap)
        padded = header.ljust(width) if number == 0 else header.rjust(width)
        header_line.append(padded, style="bold underline")

    lines = [header_line]
    for row in rows:
        line = Text()
        for number, (cell, width) in enumerate(zip(row, widths)):
            padding = " " * (width - cell.cell_len)
            if number == 0:
                line.append_text(cell)
                line.append(padding)
            else:
                line.append(gap + padding)
                line.append_text(cell)
        lines.append(line)
    return Text("\n").join(lines)
