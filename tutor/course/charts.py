"""The data behind each ```chart block, computed with the engine.

A chart block names a kind and a few parameters (see lessons/AUTHORING.md).
`validate_chart_params` lists what is wrong with them. The lesson validator
and the chart widget both show that list. `chart_series` runs the engine and
returns the series to draw. Drawing is the UI's job, so this module imports
neither Textual nor plotext.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from tutor.course.params import is_integer, is_number, show_value
from tutor.engine import datasets
from tutor.engine.gradcheck import check_network_gradients, relative_error
from tutor.engine.network import build_network
from tutor.engine.training import train_full_batch

CHART_KINDS = ("xor-loss", "learning-rates", "gradient-flow", "gradient-check")

MAX_EPOCHS = 20000
MAX_LEARNING_RATES = 6
MIN_DEPTH, MAX_DEPTH = 2, 20
MAX_LEARNING_RATE = 1000.0
GRADIENT_FLOW_ACTIVATIONS = ("sigmoid", "relu")

# Curves are thinned to this many points before drawing: a terminal pane is
# under 200 cells wide, so more points only slow plotext down.
MAX_POINTS = 400

# Training the 2-2-1 XOR network takes roughly 35 microseconds per epoch (an
# estimate from one machine), so a chart that trains for more epochs than this,
# summed over its curves, may take longer than the 50 ms a key press may take.
SLOW_EPOCHS = 1000

DEFAULTS: dict[str, dict[str, Any]] = {
    "xor-loss": {"learning_rate": 2.0, "epochs": 3000, "seed": 0},
    "learning-rates": {"learning_rates": [0.1, 1.0, 5.0, 50.0], "epochs": 3000, "seed": 0},
    "gradient-flow": {"activation": "sigmoid", "depth": 6, "seed": 0},
    "gradient-check": {"seed": 0},
}

# Parameters every block may carry besides its kind's own.
_COMMON_PARAMETERS = ("kind", "id")

# Shape of the deep network in gradient-flow: 4 inputs, hidden layers of 16 units.
_FLOW_INPUTS, _FLOW_WIDTH, _FLOW_BATCH = 4, 16, 64


@dataclass(frozen=True)
class Series:
    """One curve: its legend label, x and y values, drawn as a line or as points."""

    label: str
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    scatter: bool = False


@dataclass(frozen=True)
class ChartData:
    """Everything a chart widget needs to draw one chart.

    `x_ticks` optionally fixes tick positions and their labels, such as the
    layer names of a gradient-flow chart.
    """

    title: str
    x_label: str
    y_label: str
    series: tuple[Series, ...]
    y_log: bool = False
    x_ticks: tuple[tuple[float, ...], tuple[str, ...]] | None = None


class ChartParameterError(ValueError):
    """Raised by chart_series when the parameters have problems; `problems` lists them."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def validate_chart_params(params: Any) -> list[str]:
    """Return one plain sentence per problem in a chart block's parameters (empty when valid)."""
    if not isinstance(params, dict):
        return [f"chart parameters must be a mapping of names to values, got {show_value(params)}"]

    kind = params.get("kind")
    if kind is None:
        return [f"missing `kind` (one of: {', '.join(CHART_KINDS)})"]
    if kind not in CHART_KINDS:
        return [f"unknown chart kind {show_value(kind)}; expected one of: {', '.join(CHART_KINDS)}"]

    allowed = DEFAULTS[kind]
    problems = []
    for name in params:
        if name not in allowed and name not in _COMMON_PARAMETERS:
            known = ", ".join(allowed)
            problems.append(f"unknown parameter `{name}` for chart kind {kind}; allowed: {known}")

    for name, value in params.items():
        checker = _CHECKERS.get(name)
        if checker is not None and name in allowed:
            problem = checker(value)
            if problem:
                problems.append(f"`{name}` {problem}, got {show_value(value)}")
    return problems


def chart_series(params: dict[str, Any]) -> ChartData:
    """Compute the series of a chart block; raise ChartParameterError when the parameters are invalid."""
    problems = validate_chart_params(params)
    if problems:
        raise ChartParameterError(problems)

    kind = params["kind"]
    values = {**DEFAULTS[kind], **{k: v for k, v in params.items() if k not in _COMMON_PARAMETERS}}
    if kind == "xor-loss":
        return xor_loss_chart(float(values["learning_rate"]), int(values["epochs"]), int(values["seed"]))
    if kind == "learning-rates":
        rates = tuple(float(rate) for rate in values["learning_rates"])
        return learning_rates_chart(rates, int(values["epochs"]), int(values["seed"]))
    if kind == "gradient-flow":
        return gradient_flow_chart(str(values["activation"]), int(values["depth"]), int(values["seed"]))
    return gradient_check_chart(int(values["seed"]))


def is_slow(params: dict[str, Any]) -> bool:
    """Tell whether computing a valid chart takes long enough to belong in a background thread."""
    kind = params.get("kind")
    if kind not in ("xor-loss", "learning-rates"):
        return False
    values = {**DEFAULTS[kind], **params}
    curves = len(values["learning_rates"]) if kind == "learning-rates" else 1
    return int(values["epochs"]) * curves >= SLOW_EPOCHS


# The charts. Each is cached because a lesson reopens the same chart often and
# the results are deterministic for given arguments.


@lru_cache(maxsize=32)
def xor_loss_chart(learning_rate: float, epochs: int, seed: int) -> ChartData:
    """Train the 2-2-1 sigmoid XOR network with full-batch gradient descent and plot its MSE loss."""
    losses = _xor_losses(learning_rate, epochs, seed)
    return ChartData(
        title=f"XOR loss, lr {_number(learning_rate)}, final {losses[-1]:.4f}",
        x_label="epoch",
        y_label="loss",
        series=(_curve(f"lr {_number(learning_rate)}", losses),),
    )


@lru_cache(maxsize=32)
def learning_rates_chart(learning_rates: tuple[float, ...], epochs: int, seed: int) -> ChartData:
    """Train the same XOR network once per learning rate, from the same initial weights."""
    series = tuple(
        _curve(f"lr {_number(rate)}", _xor_losses(rate, epochs, seed)) for rate in learning_rates
    )
    return ChartData(
        title=f"XOR loss for {len(learning_rates)} learning rates",
        x_label="epoch",
        y_label="loss",
        series=series,
        y_log=True,
    )


@lru_cache(maxsize=32)
def gradient_flow_chart(activation: str, depth: int, seed: int) -> ChartData:
    """Plot ||dW|| of every layer of a deep network after one backward pass, on a log scale.

    The network has `depth` dense layers: 4 inputs, hidden layers of 16 units
    with `activation`, and one identity output unit, under MSE. Both
    activations use the same Xavier initialisation, so the difference
    between the curves comes from f'(z) alone.
    """
    norms = gradient_norms(activation, depth, seed)
    layers = tuple(float(number) for number in range(1, depth + 1))
    ratio = norms[0] / norms[-1] if norms[-1] > 0 else math.inf
    return ChartData(
        title=f"{activation} ||dW||: W1/W{depth} = {ratio:.1e}",
        x_label="layer",
        y_label="||dW||",
        series=(Series(f"{activation}, depth {depth}", layers, tuple(norms)),),
        y_log=True,
        x_ticks=(layers, tuple(f"W{number}" for number in range(1, depth + 1))),
    )


def gradient_norms(activation: str, depth: int, seed: int) -> list[float]:
    """Return the Frobenius norm of dW for each layer, first layer first, for one seeded batch."""
    sizes = [_FLOW_INPUTS] + [_FLOW_WIDTH] * (depth - 1) + [1]
    network = build_network(sizes, [activation] * (depth - 1) + ["identity"], "mse",
                            seed=seed, init="xavier")
    rng = np.random.default_rng(seed + 1)
    X = rng.normal(size=(_FLOW_INPUTS, _FLOW_BATCH))
    Y = rng.normal(size=(1, _FLOW_BATCH))
    _, grads = network.loss_and_gradients(X, Y)
    return [float(np.linalg.norm(layer_grads.dW)) for layer_grads in grads]


@lru_cache(maxsize=32)
def gradient_check_chart(seed: int) -> ChartData:
    """Compare backward with central differences, entry by entry, for a 2-3-1 sigmoid network on XOR.

    The entries run W1 (row by row), b1, W2, b2. The title gives the relative
    error ||a - n|| / (||a|| + ||n||) over all entries.
    """
    X, Y = datasets.xor()
    network = build_network([2, 3, 1], "sigmoid", "mse", seed=seed)
    checks = check_network_gradients(network, X, Y)

    analytical = np.concatenate([check.analytical.ravel() for check in checks])
    numerical = np.concatenate([check.numerical.ravel() for check in checks])
    error = relative_error(analytical, numerical)

    positions, names, start = [], [], 1
    for check in checks:
        positions.append(float(start))
        names.append(check.name)
        start += check.analytical.size

    entries = tuple(float(i) for i in range(1, analytical.size + 1))
    return ChartData(
        title=f"Gradient check, rel. error {error:.1e}",
        x_label="parameter entry",
        y_label="dL/dtheta",
        series=(
            Series("analytical", entries, tuple(analytical.tolist())),
            Series("numerical", entries, tuple(numerical.tolist()), scatter=True),
        ),
        x_ticks=(tuple(positions), tuple(names)),
    )


def _xor_losses(learning_rate: float, epochs: int, seed: int) -> list[float]:
    X, Y = datasets.xor()
    network = build_network([2, 2, 1], "sigmoid", "mse", seed=seed)
    return train_full_batch(network, X, Y, learning_rate=learning_rate, epochs=epochs)


def _curve(label: str, losses: list[float]) -> Series:
    """Make a loss-per-epoch series (epochs count from 1), thinned to MAX_POINTS points."""
    count = len(losses)
    if count > MAX_POINTS:
        indices = np.unique(np.linspace(0, count - 1, MAX_POINTS).round().astype(int))
    else:
        indices = np.arange(count)
    xs = tuple(float(i + 1) for i in indices)
    ys = tuple(float(losses[i]) for i in indices)
    return Series(label, xs, ys)


# Parameter checks: each returns what is wrong as a phrase, or None.


def _check_epochs(value: Any) -> str | None:
    if not is_integer(value) or not 1 <= value <= MAX_EPOCHS:
        return f"must be a whole number from 1 to {MAX_EPOCHS}"
    return None


def _check_seed(value: Any) -> str | None:
    if not is_integer(value) or value < 0:
        return "must be a whole number, 0 or more"
    return None


def _check_learning_rate(value: Any) -> str | None:
    if not is_number(value) or not 0 < value <= MAX_LEARNING_RATE:
        return f"must be a number above 0 and at most {_number(MAX_LEARNING_RATE)}"
    return None


def _check_learning_rates(value: Any) -> str | None:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_LEARNING_RATES:
        return f"must be a list of 1 to {MAX_LEARNING_RATES} learning rates"
    for rate in value:
        if _check_learning_rate(rate):
            return f"must contain numbers above 0 and at most {_number(MAX_LEARNING_RATE)}"
    return None


def _check_activation(value: Any) -> str | None:
    if value not in GRADIENT_FLOW_ACTIVATIONS:
        return f"must be one of: {', '.join(GRADIENT_FLOW_ACTIVATIONS)}"
    return None


def _check_depth(value: Any) -> str | None:
    if not is_integer(value) or not MIN_DEPTH <= value <= MAX_DEPTH:
        return f"must be a whole number of layers from {MIN_DEPTH} to {MAX_DEPTH}"
    return None


_CHECKERS = {
    "epochs": _check_epochs,
    "seed": _check_seed,
    "learning_rate": _check_learning_rate,
    "learning_rates": _check_learning_rates,
    "activation": _check_activation,
    "depth": _check_depth,
}


def _number(value: float) -> str:
    """Format a learning rate the short way: 2, 0.1, 50."""
    return f"{value:g}"

