"""The ```train block: train a network live in the lab pane and watch it learn.

`s` starts a run in a thread worker and stops it again. The engine's Trainer
yields one EpochRecord per epoch, and the worker posts each record to the
panel. The panel then updates the epoch line and a PlotextChart of the loss
or, after `g`, of each layer's gradient norm. When the run ends the panel shows the test
accuracy and, for digits, a few misclassified test images as shade art.
The test accuracy of the last run is saved in the progress store.

The data side (settings, data sets, charts) lives in tutor.course.training_runs.
"""

from __future__ import annotations

import logging
import sqlite3

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from tutor.course.model import Block
from tutor.course.training_runs import (
    TrainingRun,
    TrainingSettings,
    RunResult,
    digit_art,
    gradient_chart,
    loss_chart,
    training_settings,
    validate_training_params,
)
from tutor.engine.training import STOP_DIVERGED, EpochRecord
from tutor.ui.chart import PlotextChart
from tutor.ui.context import LabContext

log = logging.getLogger(__name__)

WORKER_NAME = "training"
CHART_LOSS, CHART_GRADIENTS = "loss", "gradients"

# Columns between two misclassified digits, and the widest pixel drawn.
ART_GAP = 2
MAX_CELL_WIDTH = 2


def state_key(context: LabContext, block: Block) -> str:
    """Return the progress-store key under which a train block's last result is saved."""
    return f"train:{context.lesson_id}:{block.id}"


class TrainingPanel(Widget, can_focus=True):
    """The widget of a ```train block: a network trained in a thread worker, charted per epoch."""

    DEFAULT_CSS = """
    TrainingPanel {
        height: auto;
        border-left: outer $panel;
        padding: 0 0 0 1;
    }
    TrainingPanel:focus {
        border-left: outer $accent;
    }
    TrainingPanel > Static {
        width: 1fr;
    }
    TrainingPanel > #train-title {
        text-style: bold;
    }
    TrainingPanel > PlotextChart {
        height: 14;
    }
    """

    BINDINGS = [
        Binding("s", "toggle_training", "Train/stop", tooltip="Start training, or stop the run"),
        Binding("g", "toggle_chart", "Loss/gradients",
                tooltip="Switch the chart between the loss and the gradient norm per layer"),
    ]

    class EpochFinished(Message):
        """Posted by the training thread after each epoch; `run_number` counts the panel's runs."""

        def __init__(self, run_number: int, record: EpochRecord):
            super().__init__()
            self.run_number = run_number
            self.record = record

    class RunFinished(Message):
        """Posted by the training thread when a run ends, completed, stopped or diverged."""

        def __init__(self, run_number: int, result: RunResult):
            super().__init__()
            self.run_number = run_number
            self.result = result

    def __init__(self, block: Block, context: LabContext, *, name: str | None = None,
                 id: str | None = None, classes: str | None = None):
        super().__init__(name=name, id=id, classes=classes)
        self.block = block
        self.context = context
        self.problems = validate_training_params(block.params)
        self.settings: TrainingSettings | None = None
        if not self.problems:
            self.settings = training_settings(block.params)
        self.records: list[EpochRecord] = []
        self.result: RunResult | None = None
        self.chart_mode = CHART_LOSS
        self._run: TrainingRun | None = None
        self._stop_requested = False
        self._run_number = 0
        self._worker: Worker | None = None
        self._texts: dict[str, str] = {}

    # State for tests and for the app.

    @property
    def running(self) -> bool:
        return self._worker is not None and self._worker.state in (WorkerState.PENDING,
                                                                     WorkerState.RUNNING)

    @property
    def training_run(self) -> TrainingRun | None:
        """The run being trained or last trained; None until the worker has built it."""
        return self._run

    @property
    def worker(self) -> Worker | None:
        """The worker of the current or last run, None before the first."""
        return self._worker

    @property
    def status_text(self) -> str:
        """The plain text of the status line: the epoch, the loss, how the run ended."""
        return self._texts.get("#train-status", "")

    @property
    def result_text(self) -> str:
        """The plain text under the chart: the test score and the misclassified digits."""
        return self._texts.get("#train-result", "")

    @property
    def chart(self) -> PlotextChart:
        return self.query_one(PlotextChart)

    # Widget plumbing.

    def compose(self) -> ComposeResult:
        yield Static(id="train-title")
        yield Static(id="train-settings")
        yield Static(id="train-status")
        yield PlotextChart()
        yield Static(id="train-result")

    def on_mount(self) -> None:
        self.chart.display = False
        if self.settings is None:
            lines = "\n".join(f"- {problem}" for problem in self.problems)
            self._set("#train-title", "This training run cannot start:")
            self._set("#train-settings", lines)
            return
        self._set("#train-title", self._title())
        self._set("#train-settings", self._settings_text())
        self._set("#train-status", self._idle_text())

    def on_unmount(self) -> None:
        self._request_stop()

    def on_resize(self) -> None:
        if self.result is not None:
            self._show_result(self.result)

    # Actions.

    def action_toggle_training(self) -> None:
        if self.settings is None:
            self.notify("This training block has invalid settings.", severity="warning")
            return
        if self.running:
            self._request_stop()
            self._set("#train-status", self._status_text(stopping=True))
            return
        self._start()

    def action_toggle_chart(self) -> None:
        self.chart_mode = CHART_GRADIENTS if self.chart_mode == CHART_LOSS else CHART_LOSS
        self._update_chart()

    # The run.

    def _start(self) -> None:
        self.records = []
        self.result = None
        self._run = None
        self._stop_requested = False
        self._run_number += 1
        self.chart.display = False
        self._set("#train-result", "")
        self._set("#train-status", "starting…")
        run_number = self._run_number
        self._worker = self.run_worker(lambda: self._train(run_number), thread=True,
                                       exclusive=True, exit_on_error=False, name=WORKER_NAME)

    def _train(self, run_number: int) -> RunResult:
        """Run in the worker thread: train, posting each epoch, then score on the test set."""
        run = TrainingRun(self.settings)
        self._run = run
        if self._stop_requested:
            run.stop()
        for record in run.epochs():
            self.post_message(self.EpochFinished(run_number, record))
        result = run.result()
        self.post_message(self.RunFinished(run_number, result))
        return result

    def _request_stop(self) -> None:
        """Stop the run before its next mini-batch; the worker then posts RunFinished."""
        self._stop_requested = True
        if self._run is not None:
            self._run.stop()

    def on_training_panel_epoch_finished(self, message: EpochFinished) -> None:
        message.stop()
        if message.run_number != self._run_number:
            return  # a message of an earlier run, still queued when this one started
        self.records.append(message.record)
        self._set("#train-status", self._status_text(stopping=self._stop_requested))
        self._update_chart()

    def on_training_panel_run_finished(self, message: RunFinished) -> None:
        message.stop()
        if message.run_number != self._run_number:
            return
        self.result = message.result
        self._set("#train-status", self._status_text())
        self._update_chart()
        self._show_result(message.result)
        self._save_result(message.result)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is not self._worker or event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        log.error("training run of %s failed: %r", self.block.id, error)
        self._set("#train-status", Text(f"Training failed: {error}", style="bold"))

    # Text of the parts.

    def _title(self) -> str:
        settings = self.settings
        return f"Train {settings.layers_text} on {settings.dataset}"

    def _settings_text(self) -> Text:
        settings = self.settings
        spec = settings.spec
        text = Text()
        text.append(f"hidden {settings.activation}, output {spec.output_activation}\n")
        text.append(f"loss {spec.loss}, seed {settings.seed}\n")
        text.append(f"{settings.optimizer} lr {settings.learning_rate:g}, "
                    f"batch {settings.batch_size}\n")
        text.append("s", style="bold")
        text.append(" train/stop  ")
        text.append("g", style="bold")
        text.append(" loss/gradients")
        return text

    def _idle_text(self) -> str:
        epochs = f"{self.settings.epochs} epochs"
        saved = self._load_result()
        if saved is None:
            return f"Press s to train for {epochs}."
        return f"Last run: test accuracy {saved:.1%}.\nPress s to train for {epochs}."

    def _status_text(self, *, stopping: bool = False) -> Text:
        settings = self.settings
        text = Text()
        if not self.records:
            text.append("stopping…" if stopping else "starting…")
            return text

        last = self.records[-1]
        text.append(f"epoch {last.epoch}/{settings.epochs}", style="bold")
        text.append(f"  loss {last.train_loss:.4f}\n")
        if last.val_accuracy is not None:
            text.append(f"validation accuracy {last.val_accuracy:.1%}")
        if self.result is not None:
            text.append(f"\n{self._ending(self.result)}")
        elif stopping:
            text.append("\nstopping…")
        return text

    def _ending(self, result: RunResult) -> str:
        if result.history.stop_reason == STOP_DIVERGED:
            return "diverged: the loss is no longer finite; try a smaller learning rate"
        accuracy = f"test accuracy {result.test_accuracy:.1%}"
        if result.stopped:
            return f"stopped after {result.epochs_run} epochs, {accuracy}"
        return f"done, {accuracy}"

    def _show_result(self, result: RunResult) -> None:
        wrong = result.test_size - result.test_correct
        text = Text()
        text.append(f"Test: {result.test_correct} of {result.test_size} right, {wrong} wrong")
        if result.misclassified and result.misclassified[0].image is not None:
            text.append(f"\nThe first {len(result.misclassified)} misclassified digits:\n")
            text.append_text(self._digit_row(result))
        self._set("#train-result", text)

    def _digit_row(self, result: RunResult) -> Text:
        """Draw the misclassified digits side by side, each pixel 2 cells wide when they fit."""
        count = len(result.misclassified)
        width = self.content_size.width or self.size.width
        cell_width = MAX_CELL_WIDTH
        while cell_width > 1 and count * 8 * cell_width + (count - 1) * ART_GAP > width:
            cell_width -= 1
        digit_width = 8 * cell_width
        gap = " " * ART_GAP

        arts = [digit_art(item.image, cell_width=cell_width) for item in result.misclassified]
        rows = [gap.join(art[row] for art in arts) for row in range(8)]
        predicted = gap.join(f"pred {item.predicted}".ljust(digit_width)
                             for item in result.misclassified)
        true = gap.join(f"true {item.true}".ljust(digit_width) for item in result.misclassified)
        return Text("\n".join([*rows, predicted.rstrip(), true.rstrip()]))

    def _update_chart(self) -> None:
        # One epoch makes a single point, for which plotext 6.1 prints a warning
        # and cannot spread the x axis, so the chart waits for the second epoch.
        if len(self.records) < 2:
            return
        self.chart.display = True
        if self.chart_mode == CHART_GRADIENTS:
            self.chart.data = gradient_chart(self.records)
        else:
            self.chart.data = loss_chart(self.records)

    def _set(self, selector: str, content: str | Text) -> None:
        self._texts[selector] = content.plain if isinstance(content, Text) else content
        self.query_one(selector, Static).update(content)

    # The saved result.

    def _save_result(self, result: RunResult) -> None:
        try:
            self.context.store.set_state(state_key(self.context, self.block),
                                         {"test_accuracy": result.test_accuracy,
                                          "epochs": result.epochs_run})
        except sqlite3.Error as error:
            log.warning("failed to save the training result of %s: %s", self.block.id, error)
            self.notify(f"Failed to save the training result: {error}", severity="warning")

    def _load_result(self) -> float | None:
        saved = self.context.store.get_state(state_key(self.context, self.block))
        if not isinstance(saved, dict):
            return None
        accuracy = saved.get("test_accuracy")
        if isinstance(accuracy, (int, float)) and not isinstance(accuracy, bool):
            return float(accuracy)
        return None
