"""The data side of the ```train block: settings, data sets, one training run and its charts.

A train block names a data set and a network (see lessons/AUTHORING.md).
`validate_training_params` lists what is wrong with the block's parameters,
and `training_settings` turns valid ones into a `TrainingSettings`. A
`TrainingRun` trains the network with the engine's `Trainer` one epoch at a
time, so a caller can show progress and stop the run from another thread.
`loss_chart` and `gradient_chart` turn the epoch records into ChartData.
Drawing is the UI's job, so this module imports neither Textual nor plotext.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from tutor.course.charts import ChartData, Series
from tutor.course.params import is_integer, is_number, show_value
from tutor.engine import datasets
from tutor.engine.digits_classifier import digits_split
from tutor.engine.network import Network, build_network
from tutor.engine.optimizers import OPTIMIZERS, make_optimizer
from tutor.engine.training import (
    STOP_REQUESTED,
    EpochRecord,
    Trainer,
    TrainingHistory,
    evaluate,
)

HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu")
MIN_EPOCHS, MAX_EPOCHS = 1, 200
MIN_BATCH_SIZE, MAX_BATCH_SIZE = 1, 1797
MAX_LEARNING_RATE = 10.0
MAX_WEIGHT_LAYERS = 5
MAX_LAYER_SIZE = 256

# How many misclassified test examples a result keeps to show.
MAX_MISCLASSIFIED = 3

# Pixel shades of the digit art, from blank (0) to full (1).
SHADES = " ░▒▓█"

# Parameters every block may carry besides the training settings.
_COMMON_PARAMETERS = ("id",)
_SETTINGS = ("dataset", "layers", "activation", "epochs", "batch_size", "learning_rate",
             "optimizer", "seed")

# The 2-D data sets are generated from this fixed seed and split 70/15/15 with
# it, so the block's `seed` changes the weights and the batch order only.
_DATA_SEED = 0
_SPLIT_FRACTIONS = (0.7, 0.15, 0.15)


@dataclass(frozen=True)
class DataSplit:
    """Train, validation and test parts, each (X, Y) in the (n_features, m) layout."""

    train: tuple[np.ndarray, np.ndarray]
    validation: tuple[np.ndarray, np.ndarray]
    test: tuple[np.ndarray, np.ndarray]
    note: str = ""


@dataclass(frozen=True)
class DatasetSpec:
    """A data set a train block can name: its sizes, its output layer and its default settings.

    Two classes get one sigmoid output unit with binary cross-entropy; more
    classes get a softmax output with cross-entropy.
    """

    name: str
    description: str
    n_inputs: int
    n_outputs: int
    load: Callable[[], DataSplit]
    defaults: dict[str, Any]
    images: bool = False

    @property
    def output_activation(self) -> str:
        return "sigmoid" if self.n_outputs == 1 else "softmax"

    @property
    def loss(self) -> str:
        return "bce" if self.n_outputs == 1 else "cross_entropy"


@lru_cache(maxsize=1)
def _digits() -> DataSplit:
    split = digits_split()
    return DataSplit(split.train, split.validation, split.test,
                     note="1293 train, 144 validation, 360 test images")


@lru_cache(maxsize=1)
def _xor() -> DataSplit:
    X, Y = datasets.xor()
    return DataSplit((X, Y), (X, Y), (X, Y),
                     note="4 examples; validation and test reuse them")


def _split_2d(X: np.ndarray, Y: np.ndarray) -> DataSplit:
    train, validation, test = datasets.split_dataset(X, Y, _SPLIT_FRACTIONS, seed=_DATA_SEED)
    note = f"{train[0].shape[1]} train, {validation[0].shape[1]} validation, {test[0].shape[1]} test points"
    return DataSplit(train, validation, test, note=note)


@lru_cache(maxsize=1)
def _moons() -> DataSplit:
    return _split_2d(*datasets.two_moons(400, noise=0.1, seed=_DATA_SEED))


@lru_cache(maxsize=1)
def _circles() -> DataSplit:
    return _split_2d(*datasets.circles(400, noise=0.05, factor=0.5, seed=_DATA_SEED))


@lru_cache(maxsize=1)
def _spirals() -> DataSplit:
    return _split_2d(*datasets.spirals(100, n_classes=3, noise=0.2, seed=_DATA_SEED))


def _defaults(layers: str, activation: str, epochs: int, batch_size: int,
              learning_rate: float, optimizer: str) -> dict[str, Any]:
    return {"layers": layers, "activation": activation, "epochs": epochs,
            "batch_size": batch_size, "learning_rate": learning_rate,
            "optimizer": optimizer, "seed": 0}


# With seeds 0 to 2, the defaults of every data set reached at least 93% test
# accuracy in a one-off engine run. The tests check seed 0: digits must reach
# the 95% goal and the 2-D sets 90%.
DATASETS: dict[str, DatasetSpec] = {
    "digits": DatasetSpec(
        "digits", "UCI 8x8 handwritten digits", 64, 10, _digits,
        _defaults("64-32-10", "relu", 20, 32, 0.1, "sgd"), images=True,
    ),
    "xor": DatasetSpec(
        "xor", "the four XOR points", 2, 1, _xor,
        _defaults("2-4-1", "sigmoid", 200, 1, 2.0, "sgd"),
    ),
    "moons": DatasetSpec(
        "moons", "two interleaved half circles", 2, 1, _moons,
        _defaults("2-16-1", "tanh", 100, 16, 0.5, "sgd"),
    ),
    "circles": DatasetSpec(
        "circles", "two concentric circles", 2, 1, _circles,
        _defaults("2-16-1", "relu", 100, 16, 0.5, "sgd"),
    ),
    "spirals": DatasetSpec(
        "spirals", "three spiral arms", 2, 3, _spirals,
        _defaults("2-16-3", "relu", 100, 16, 0.1, "momentum"),
    ),
}
DEFAULT_DATASET = "digits"


@dataclass(frozen=True)
class TrainingSettings:
    """The validated settings of one train block, defaults filled in."""

    dataset: str
    layers: tuple[int, ...]
    activation: str
    epochs: int
    batch_size: int
    learning_rate: float
    optimizer: str
    seed: int

    @property
    def spec(self) -> DatasetSpec:
        return DATASETS[self.dataset]

    @property
    def layers_text(self) -> str:
        return "-".join(str(size) for size in self.layers)


class TrainingParameterError(ValueError):
    """Raised by training_settings when the parameters have problems; `problems` lists them."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def validate_training_params(params: Any) -> list[str]:
    """Return one plain sentence per problem in a train block's parameters (empty when valid)."""
    if not isinstance(params, dict):
        return [f"train parameters must be a mapping of names to values, got {show_value(params)}"]

    problems = []
    for name in params:
        if name not in _SETTINGS and name not in _COMMON_PARAMETERS:
            problems.append(f"unknown parameter `{name}`; allowed: {', '.join(_SETTINGS)}, id")

    dataset = params.get("dataset", DEFAULT_DATASET)
    if dataset not in DATASETS:
        problems.append(f"unknown `dataset` {show_value(dataset)}; expected one of: {', '.join(DATASETS)}")
        spec = None
    else:
        spec = DATASETS[dataset]

    for name, checker in _CHECKERS.items():
        if name not in params:
            continue
        problem = checker(params[name])
        if problem:
            problems.append(f"`{name}` {problem}, got {show_value(params[name])}")

    if spec is not None and "layers" in params and _check_layers(params["layers"]) is None:
        problems.extend(_check_layers_fit(_parse_layers(params["layers"]), spec))
    return problems


def training_settings(params: dict[str, Any]) -> TrainingSettings:
    """Fill in the data set's defaults and return the settings; raise TrainingParameterError when invalid."""
    problems = validate_training_params(params)
    if problems:
        raise TrainingParameterError(problems)

    dataset = params.get("dataset", DEFAULT_DATASET)
    values = {**DATASETS[dataset].defaults, **params}
    return TrainingSettings(
        dataset=dataset,
        layers=tuple(_parse_layers(values["layers"])),
        activation=str(values["activation"]),
        epochs=int(values["epochs"]),
        batch_size=int(values["batch_size"]),
        learning_rate=float(values["learning_rate"]),
        optimizer=str(values["optimizer"]),
        seed=int(values["seed"]),
    )


def _parse_layers(value: Any) -> list[int] | None:
    """Read "64-32-10" or [64, 32, 10] as a list of sizes; None when it is neither."""
    if isinstance(value, str):
        parts = value.split("-")
        if not all(part.strip().isdigit() for part in parts):
            return None
        return [int(part) for part in parts]
    if isinstance(value, list) and all(is_integer(size) for size in value):
        return list(value)
    return None


def _check_layers_fit(sizes: list[int], spec: DatasetSpec) -> list[str]:
    problems = []
    text = "-".join(str(size) for size in sizes)
    if sizes[0] != spec.n_inputs:
        problems.append(f"`layers` must start with {spec.n_inputs}, the number of inputs of "
                        f"{spec.name}, got {text}")
    if sizes[-1] != spec.n_outputs:
        problems.append(f"`layers` must end with {spec.n_outputs}, the number of outputs of "
                        f"{spec.name}, got {text}")
    return problems


@dataclass(frozen=True)
class Misclassified:
    """A test example the network got wrong: its column in the test set, the predicted and true class.

    `image` is the 8x8 picture for digits (pixels 0 to 1), else None.
    """

    index: int
    predicted: int
    true: int
    image: np.ndarray | None = None


@dataclass
class RunResult:
    """The outcome of a run: its history, the test scores and a few misclassified test examples."""

    history: TrainingHistory
    test_loss: float
    test_accuracy: float
    test_correct: int
    test_size: int
    misclassified: list[Misclassified] = field(default_factory=list)

    @property
    def stopped(self) -> bool:
        return self.history.stop_reason == STOP_REQUESTED

    @property
    def epochs_run(self) -> int:
        return len(self.history.records)


class TrainingRun:
    """One training run of a train block: a fresh seeded network, its data split and its Trainer.

    Iterate `epochs()` to train (each step yields the EpochRecord of one
    epoch), then call `result()` to score the network on the test set.
    `stop()` may be called from any thread; training ends before the next
    mini-batch. `run()` does all of it in one call.
    """

    def __init__(self, settings: TrainingSettings):
        self.settings = settings
        spec = settings.spec
        self.data = spec.load()
        init = "he" if settings.activation == "relu" else "xavier"
        hidden = [settings.activation] * (len(settings.layers) - 2)
        self.network: Network = build_network(
            settings.layers, [*hidden, spec.output_activation], spec.loss,
            seed=settings.seed, init=init,
        )
        self.trainer = Trainer(
            self.network, *self.data.train,
            epochs=settings.epochs,
            batch_size=settings.batch_size,
            optimizer=make_optimizer(settings.optimizer, settings.learning_rate),
            validation=self.data.validation,
            seed=settings.seed,
        )

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> "TrainingRun":
        return cls(training_settings(params))

    @property
    def history(self) -> TrainingHistory:
        return self.trainer.history

    def epochs(self) -> Iterator[EpochRecord]:
        """Train epoch by epoch; call once per run."""
        return self.trainer.run()

    def stop(self) -> None:
        """Ask the run to end before its next mini-batch; safe to call from another thread."""
        self.trainer.stop()

    def result(self) -> RunResult:
        """Score the network as it is now on the test set, and keep a few misclassified examples."""
        X_test, Y_test = self.data.test
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            test_loss, test_accuracy = evaluate(self.network, X_test, Y_test)
            predicted = datasets.labels_of(self.network.predict(X_test))
        true = datasets.labels_of(Y_test)
        wrong = np.flatnonzero(predicted != true)

        images = self.settings.spec.images
        misclassified = [
            Misclassified(int(i), int(predicted[i]), int(true[i]),
                          X_test[:, i].reshape(8, 8) if images else None)
            for i in wrong[:MAX_MISCLASSIFIED]
        ]
        size = X_test.shape[1]
        return RunResult(self.history, float(test_loss), float(test_accuracy),
                         size - int(wrong.size), size, misclassified)

    def run(self, on_epoch: Callable[[EpochRecord], bool | None] | None = None) -> RunResult:
        """Train to the end (on_epoch(record) returning True stops) and return the result."""
        for record in self.epochs():
            if on_epoch is not None and on_epoch(record):
                self.stop()
        return self.result()


# Charts of a run so far, drawn by tutor.ui.chart.PlotextChart.


def loss_chart(records: Sequence[EpochRecord]) -> ChartData:
    """Plot the training and validation loss per epoch."""
    epochs = tuple(float(record.epoch) for record in records)
    train = tuple(float(record.train_loss) for record in records)
    series = [Series("train", epochs, train)]
    if records and records[0].val_loss is not None:
        series.append(Series("validation", epochs, tuple(float(r.val_loss) for r in records)))
    last = f", last {train[-1]:.4f}" if train else ""
    return ChartData(title=f"Loss per epoch{last}", x_label="epoch", y_label="loss",
                     series=tuple(series))


def gradient_chart(records: Sequence[EpochRecord]) -> ChartData:
    """Plot each layer's ||dW||, averaged over the epoch's mini-batches, per epoch on a log axis."""
    epochs = tuple(float(record.epoch) for record in records)
    n_layers = len(records[0].grad_norms) if records else 0
    series = tuple(
        Series(f"W{layer + 1}", epochs, tuple(float(r.grad_norms[layer]) for r in records))
        for layer in range(n_layers)
    )
    return ChartData(title="Gradient norm ||dW|| per layer", x_label="epoch",
                     y_label="||dW||", series=series, y_log=True)


def digit_art(image: np.ndarray, *, cell_width: int = 2) -> list[str]:
    """Draw an 8x8 image of pixels 0 to 1 as 8 lines of shade characters, each pixel cell_width wide."""
    levels = len(SHADES) - 1
    lines = []
    for row in np.clip(np.asarray(image, dtype=float), 0.0, 1.0):
        shades = (SHADES[int(round(value * levels))] * cell_width for value in row)
        lines.append("".join(shades))
    return lines


# Parameter checks: each returns what is wrong as a phrase, or None.


def _check_layers(value: Any) -> str | None:
    sizes = _parse_layers(value)
    shape = "must be layer sizes joined by dashes, such as 64-32-10"
    if sizes is None:
        return shape
    if not 2 <= len(sizes) <= MAX_WEIGHT_LAYERS + 1:
        return f"{shape}, with 2 to {MAX_WEIGHT_LAYERS + 1} sizes"
    if any(not 1 <= size <= MAX_LAYER_SIZE for size in sizes):
        return f"{shape}, each size from 1 to {MAX_LAYER_SIZE}"
    return None


def _check_activation(value: Any) -> str | None:
    if value not in HIDDEN_ACTIVATIONS:
        return f"must be one of: {', '.join(HIDDEN_ACTIVATIONS)}"
    return None


def _check_epochs(value: Any) -> str | None:
    if not is_integer(value) or not MIN_EPOCHS <= value <= MAX_EPOCHS:
        return f"must be a whole number from {MIN_EPOCHS} to {MAX_EPOCHS}"
    return None


def _check_batch_size(value: Any) -> str | None:
    if not is_integer(value) or not MIN_BATCH_SIZE <= value <= MAX_BATCH_SIZE:
        return f"must be a whole number from {MIN_BATCH_SIZE} to {MAX_BATCH_SIZE}"
    return None


def _check_learning_rate(value: Any) -> str | None:
    if not is_number(value) or not 0 < value <= MAX_LEARNING_RATE:
        problem = f"must be a number above 0 and at most {MAX_LEARNING_RATE:g}"
        if isinstance(value, str) and _is_float_text(value):
            problem += " (YAML reads 1e-3 as text; write 0.001 or 1.0e-3)"
        return problem
    return None


def _is_float_text(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _check_optimizer(value: Any) -> str | None:
    if value not in OPTIMIZERS:
        return f"must be one of: {', '.join(OPTIMIZERS)}"
    return None


def _check_seed(value: Any) -> str | None:
    if not is_integer(value) or value < 0:
        return "must be a whole number, 0 or more"
    return None


_CHECKERS = {
    "layers": _check_layers,
    "activation": _check_activation,
    "epochs": _check_epochs,
    "batch_size": _check_batch_size,
    "learning_rate": _check_learning_rate,
    "optimizer": _check_optimizer,
    "seed": _check_seed,
}


