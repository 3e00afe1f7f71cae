"""TrainingPanel under Textual's Pilot: real engine runs in a thread worker, a real progress file."""

import asyncio
import re
import time
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.worker import WorkerState

from tutor.cli import block_validators
from tutor.course import load_course
from tutor.course.model import Block
from tutor.course.paths import default_lessons_dir
from tutor.engine.training import STOP_REQUESTED
from tutor.progress import ProgressStore
from tutor.ui.app import TutorApp
from tutor.ui.context import LabContext
from tutor.ui.training_panel import CHART_GRADIENTS, CHART_LOSS, TrainingPanel, state_key

SIZE = (80, 24)
TIMEOUT = 60.0

DIGITS_BLOCK = {
    "dataset": "digits", "layers": "64-32-10", "activation": "relu", "epochs": 20,
    "batch_size": 32, "learning_rate": 0.1, "optimizer": "sgd", "seed": 0,
}
# One example per mini-batch: about 1300 steps per epoch, so a run lasts long
# enough to press keys while it trains.
LONG_BLOCK = {**DIGITS_BLOCK, "batch_size": 1, "epochs": 200}


class TrainingApp(App):
    """A lab pane half the screen wide holding one training panel, and an app key `x`."""

    CSS = "#lab { width: 50%; }"
    BINDINGS = [Binding("x", "count", "Count")]

    def __init__(self, block: Block, context: LabContext):
        super().__init__()
        self.block = block
        self.context = context
        self.presses = 0

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="lab"):
            yield TrainingPanel(self.block, self.context)

    def on_mount(self) -> None:
        self.query_one(TrainingPanel).focus()

    def action_count(self) -> None:
        self.presses += 1


@pytest.fixture
def context(tmp_path: Path):
    store = ProgressStore(tmp_path / "progress.sqlite3")
    yield LabContext(store=store, lesson_id="digit-classifier", course_root=tmp_path)
    store.close()


def train_block(params: dict) -> Block:
    return Block(kind="train", params=params, line=12, id="train-1")


async def wait_until(pilot, condition, description: str) -> None:
    """Let the app run until condition() holds; fail after TIMEOUT seconds."""
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {description}")
        await pilot.pause(0.02)


async def press_during_run(pilot, key: str) -> None:
    """Send one key to the app's message queue and let the app handle it.

    Pilot.press waits until the process is idle, up to 2 s per key in
    Textual 8.2, which never happens while the training thread keeps a core
    busy. Keys that start or interrupt a long run use this instead, and the
    caller waits for the key's effect with wait_until.
    """
    pilot.app.simulate_key(key)
    await pilot.pause(0.01)


async def finish_run(pilot, panel: TrainingPanel) -> None:
    await asyncio.wait_for(panel.worker.wait(), TIMEOUT)
    await wait_until(pilot, lambda: panel.result is not None, "the run's result")


async def test_panel_shows_settings_before_run(context):
    app = TrainingApp(train_block(DIGITS_BLOCK), context)
    async with app.run_test(size=SIZE):
        panel = app.query_one(TrainingPanel)

        assert panel.settings.layers == (64, 32, 10)
        assert panel.status_text == "Press s to train for 20 epochs."
        assert panel.worker is None
        assert not panel.chart.display


async def test_digits_run_shows_test_accuracy(context):
    app = TrainingApp(train_block(DIGITS_BLOCK), context)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(TrainingPanel)
        await pilot.press("s")
        await finish_run(pilot, panel)
        accuracy = panel.result.test_accuracy

        assert panel.worker.state == WorkerState.SUCCESS
        assert panel.status_text.startswith("epoch 20/20  loss ")
        assert "validation accuracy" in panel.status_text
        assert f"done, test accuracy {accuracy:.1%}" in panel.status_text
        assert accuracy >= 0.95
        assert f"{panel.result.test_correct} of 360 right" in panel.result_text
        assert "pred " in panel.result_text
        assert "true " in panel.result_text
        assert panel.chart.display
        assert "Loss per epoch" in panel.chart.plot_text


async def test_digits_run_saves_accuracy(context):
    block = train_block(DIGITS_BLOCK)
    app = TrainingApp(block, context)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(TrainingPanel)
        await pilot.press("s")
        await finish_run(pilot, panel)
        accuracy = panel.result.test_accuracy

    saved = context.store.get_state(state_key(context, block))
    assert saved == {"test_accuracy": accuracy, "epochs": 20}

    reopened = TrainingApp(block, context)
    async with reopened.run_test(size=SIZE):
        status = reopened.query_one(TrainingPanel).status_text
        assert status.startswith(f"Last run: test accuracy {accuracy:.1%}.")


async def test_epoch_text_updates_while_training(context):
    app = TrainingApp(train_block(LONG_BLOCK), context)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(TrainingPanel)
        await press_during_run(pilot, "s")
        await wait_until(pilot, lambda: len(panel.records) >= 2, "two epochs")
        epoch = panel.records[-1].epoch

        assert re.match(r"epoch \d+/200  loss \d\.\d{4}", panel.status_text)
        assert f"epoch {epoch}/200" in panel.status_text
        assert panel.running

        await wait_until(pilot, lambda: len(panel.records) > epoch, "one more epoch")
        assert f"epoch {panel.records[-1].epoch}/200" in panel.status_text

        await press_during_run(pilot, "s")
        await finish_run(pilot, panel)


async def test_stop_ends_run_early(context):
    app = TrainingApp(train_block(LONG_BLOCK), context)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(TrainingPanel)
        await press_during_run(pilot, "s")
        await wait_until(pilot, lambda: len(panel.records) >= 1, "the first epoch")
        await press_during_run(pilot, "s")
        await finish_run(pilot, panel)
        epochs = panel.result.epochs_run

        assert panel.result.history.stop_reason == STOP_REQUESTED
        assert epochs < 200
        assert not panel.running
        assert f"stopped after {epochs} epochs, test accuracy" in panel.status_text
        assert "of 360 right" in panel.result_text


async def test_keys_work_while_training(context):
    app = TrainingApp(train_block(LONG_BLOCK), context)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(TrainingPanel)
        await press_during_run(pilot, "s")
        await wait_until(pilot, lambda: len(panel.records) >= 2, "two epochs")

        await press_during_run(pilot, "x")
        await wait_until(pilot, lambda: app.presses == 1, "the app key")
        assert panel.running

        await press_during_run(pilot, "g")
        await wait_until(pilot, lambda: panel.chart_mode == CHART_GRADIENTS, "the chart key")
        assert panel.running
        await wait_until(pilot, lambda: "Gradient norm" in panel.chart.plot_text,
                         "the gradient chart")

        await press_during_run(pilot, "g")
        await wait_until(pilot, lambda: panel.chart_mode == CHART_LOSS, "the chart key")
        assert panel.running
        assert len(panel.records) < 200

        await press_during_run(pilot, "s")
        await finish_run(pilot, panel)


async def test_gradient_chart_has_layer_legend(context):
    app = TrainingApp(train_block({**DIGITS_BLOCK, "layers": "64-16-16-10", "epochs": 5}),
                      context)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(TrainingPanel)
        await pilot.press("g", "s")
        await finish_run(pilot, panel)
        await pilot.pause()

        assert "Gradient norm" in panel.chart.plot_text
        assert "W1" in panel.chart.plot_text
        assert "W3" in panel.chart.plot_text


async def test_removing_panel_stops_run(context):
    app = TrainingApp(train_block(LONG_BLOCK), context)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(TrainingPanel)
        await press_during_run(pilot, "s")
        await wait_until(pilot, lambda: len(panel.records) >= 1, "the first epoch")
        history = panel.training_run.history

        await panel.remove()
        await wait_until(pilot, lambda: history.stop_reason == STOP_REQUESTED, "the stop")

        assert len(history.records) < 200


async def test_xor_run_shows_no_digits(context):
    app = TrainingApp(train_block({"dataset": "xor"}), context)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(TrainingPanel)
        await pilot.press("s")
        await finish_run(pilot, panel)

        assert "epoch 200/200" in panel.status_text
        assert "test accuracy 100.0%" in panel.status_text
        assert "pred " not in panel.result_text


async def test_invalid_block_lists_problems(context):
    app = TrainingApp(train_block({"epochs": 0, "optimizer": "lbfgs"}), context)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(TrainingPanel)
        await pilot.press("s")

        assert len(panel.problems) == 2
        assert panel.settings is None
        assert panel.worker is None
        assert "`epochs`" in panel.problems[0]


async def test_second_run_starts_fresh(context):
    app = TrainingApp(train_block({**DIGITS_BLOCK, "epochs": 3}), context)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(TrainingPanel)
        await pilot.press("s")
        await finish_run(pilot, panel)
        first = panel.result

        await pilot.press("s")
        await finish_run(pilot, panel)

        assert panel.result is not first
        assert [record.epoch for record in panel.records] == [1, 2, 3]
        assert panel.result.test_accuracy == first.test_accuracy


async def test_digit_lesson_trains_in_app(tmp_path):
    course = load_course(default_lessons_dir(), block_validators())
    lesson = course.lesson("digit-classifier")
    index = next(number for number, section in enumerate(lesson.sections)
                 if any(block.kind == "train" for block in section.blocks))
    store = ProgressStore(tmp_path / "progress.sqlite3")
    store.set_position(lesson.id, index)

    app = TutorApp(course, store)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(app.query(TrainingPanel)) == 1, "the lab pane")
        panel = app.query_one(TrainingPanel)
        await pilot.press("l")
        assert panel.has_focus

        await pilot.press("s")
        await finish_run(pilot, panel)

        assert panel.result.test_accuracy >= 0.95
        assert "epoch 20/20" in panel.status_text
    store.close()
