"""Key press to repaint: stepping the trace table against a one-Static baseline.

Budget: a key press that steps a table repaints in under 50 ms. Both apps
run headless at 80x24 with the same layout (prose on the left, a 40-column
lab pane on the right). The baseline's key press only updates one Static.
The trace panel's key press reveals a value, saves the step to a real
progress file and repaints its tables and formula. Each measured press
sends the key event, waits until every widget has handled its messages and
runs the screen update (layout, compositor render), as Pilot.pause does
but without its idle wait (see press_and_repaint). Prints the median and
95th percentile per press for both apps and the ratio of the medians.

Run: python benchmarks/bench_ui.py [presses]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from textual import events  # noqa: E402
from textual.app import App, ComposeResult  # noqa: E402
from textual.binding import Binding  # noqa: E402
from textual.containers import Horizontal, VerticalScroll  # noqa: E402
from textual.widgets import Static  # noqa: E402

from tutor.course.model import Block  # noqa: E402
from tutor.progress import ProgressStore  # noqa: E402
from tutor.ui.context import LabContext  # noqa: E402
from tutor.ui.trace_table import TracePanel  # noqa: E402

BUDGET_MS = 50.0
WARM_UP = 20
ROUNDS = 3
LAYOUT_CSS = """
#prose { width: 1fr; }
#lab { width: 40; }
"""
PROSE = "The lesson prose sits here. " * 30


class Counter(Static, can_focus=True):
    """The baseline widget: space and backspace change one number and update this Static."""

    BINDINGS = [
        Binding("space", "change(1)", "Next"),
        Binding("backspace", "change(-1)", "Back"),
    ]

    count = 0
    changes = 0

    def action_change(self, delta: int) -> None:
        self.count += delta
        self.changes += 1
        self.update(f"step {self.count}")


class BaselineApp(App):
    CSS = LAYOUT_CSS

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Static(PROSE, id="prose")
            with VerticalScroll(id="lab"):
                yield Counter("step 0")

    def on_mount(self) -> None:
        self.query_one(Counter).focus()


class TraceApp(App):
    CSS = LAYOUT_CSS

    def __init__(self, context: LabContext):
        super().__init__()
        self.context = context
        self.changes = 0

    def compose(self) -> ComposeResult:
        block = Block(kind="trace", params={"example": "xor-2-2-1"}, line=1, id="trace-1")
        with Horizontal():
            yield Static(PROSE, id="prose")
            with VerticalScroll(id="lab"):
                yield TracePanel(block, self.context)

    def on_mount(self) -> None:
        self.query_one(TracePanel).focus()

    def on_trace_panel_step_changed(self) -> None:
        self.changes += 1


def key_sequence(count: int, steps: int) -> list[str]:
    """Return `count` keys that walk forward through all steps, then back, and again."""
    cycle = ["space"] * steps + ["backspace"] * steps
    return [cycle[i % len(cycle)] for i in range(count)]


async def press_and_repaint(app: App, pilot, key: str) -> None:
    """Send one key, wait until every widget has handled its messages, then repaint the screen.

    Pilot.press would also wait for the process to look idle, which adds
    tens of milliseconds of sleeping to every press, so this sends the key
    event itself. Pilot._wait_for_screen and Screen._on_timer_update are
    private Textual 8 APIs, which is also what Pilot.pause calls.
    """
    character = " " if key == "space" else None
    app._driver.send_message(events.Key(key, character))
    await pilot._wait_for_screen()
    app.screen._on_timer_update()


async def time_presses(app: App, keys: list[str]) -> list[float]:
    """Return the milliseconds of each press, from sending the key to the repainted screen."""
    timings = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for key in keys[:WARM_UP]:
            await press_and_repaint(app, pilot, key)
        for key in keys[WARM_UP:]:
            start = time.perf_counter()
            await press_and_repaint(app, pilot, key)
            timings.append((time.perf_counter() - start) * 1000)
        await pilot.pause()
        check(app, len(keys))
    return timings


def check(app: App, expected: int) -> None:
    """Stop when some presses did not change the widget, so a broken run prints no figures."""
    changes = app.changes if isinstance(app, TraceApp) else app.query_one(Counter).changes
    if changes != expected:
        raise SystemExit(f"{type(app).__name__}: {changes} changes for {expected} key presses")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def main(presses: int) -> None:
    baseline: list[float] = []
    trace: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        store = ProgressStore(Path(folder) / "progress.sqlite3")
        context = LabContext(store=store, lesson_id="bench", course_root=Path(folder))
        steps = len(TracePanel(Block("trace", {"example": "xor-2-2-1"}, 1, "probe"), context).trace.steps)
        keys = key_sequence(presses + WARM_UP, steps)
        for _ in range(ROUNDS):
            baseline += await time_presses(BaselineApp(), keys)
            store.set_state("trace:bench:trace-1", 0)
            trace += await time_presses(TraceApp(context), keys)
        store.close()

    base_median = statistics.median(baseline)
    trace_median = statistics.median(trace)
    print(f"presses per app: {len(trace)} ({ROUNDS} rounds of {presses}), 80x24 headless")
    print(f"baseline (one Static): median {base_median:.2f} ms, p95 {percentile(baseline, 0.95):.2f} ms")
    print(f"trace panel step:      median {trace_median:.2f} ms, p95 {percentile(trace, 0.95):.2f} ms")
    print(f"ratio of medians: {trace_median / base_median:.2f}x")
    verdict = "within" if percentile(trace, 0.95) < BUDGET_MS else "OVER"
    print(f"budget {BUDGET_MS:.0f} ms per press: p95 {verdict} budget")


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    asyncio.run(main(count))
