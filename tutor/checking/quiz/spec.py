"""What a quiz block asks for: its kind and parameters, checked once when the lesson loads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

KINDS = (
    "local-derivative",
    "output-delta",
    "hidden-delta",
    "weight-gradient",
    "bias-gradient",
    "weight-update",
    "numerical-gradient",
    "relative-error",
)
ACTIVATIONS = ("sigmoid", "tanh", "relu")
LOSSES = ("mse", "bce")
MODES = ("single", "fill-table")
PARAMETERS = ("kind", "id", "layers", "activation", "loss", "mode", "batch", "learning_rate", "epsilon")

# Kinds whose answer averages over the batch, so a batch of m > 1 examples makes sense.
BATCH_KINDS = ("weight-gradient", "bias-gradient", "weight-update", "numerical-gradient")
MAX_BATCH = 4
MAX_LAYER_WIDTH = 3
MAX_LAYERS = 3
DEFAULT_LEARNING_RATE = 0.5
DEFAULT_EPSILON = 0.01
SHOWN_DIGITS = 4


class QuizSpecError(ValueError):
    """A quiz block whose parameters cannot make a problem; the message names the parameter."""


@dataclass(frozen=True)
class QuizSpec:
    """A checked quiz block: what to ask and on which kind of network.

    `sizes` lists the layer widths from input to output, such as (2, 2, 1).
    The output layer uses `activation` under MSE and sigmoid under BCE.
    """

    kind: str
    sizes: tuple[int, ...] = (2, 2, 1)
    activation: str = "sigmoid"
    loss: str = "mse"
    mode: str = "single"
    batch: int = 1
    learning_rate: float = DEFAULT_LEARNING_RATE
    epsilon: float = DEFAULT_EPSILON
    digits: int = SHOWN_DIGITS

    @property
    def fill_table(self) -> bool:
        return self.mode == "fill-table"

    @property
    def layer_count(self) -> int:
        return len(self.sizes) - 1

    def activations(self) -> list[str]:
        """Return the activation of every layer, first layer first."""
        output = "sigmoid" if self.loss == "bce" else self.activation
        return [self.activation] * (self.layer_count - 1) + [output]


def quiz_spec(params: dict[str, Any]) -> QuizSpec:
    """Build a QuizSpec from a block's parameters; raise QuizSpecError on the first problem."""
    problems = validate_quiz_params(params)
    if problems:
        raise QuizSpecError(problems[0])
    return _build(params)


def validate_quiz_params(params: dict[str, Any]) -> list[str]:
    """Return every problem with a quiz block's parameters, as messages for the lesson author."""
    unknown = sorted(set(params) - set(PARAMETERS))
    if unknown:
        return [f"unknown parameter {unknown[0]!r}; expected some of: {', '.join(PARAMETERS)}"]
    try:
        _build(params)
    except QuizSpecError as error:
        return [str(error)]
    return []


def _build(params: dict[str, Any]) -> QuizSpec:
    kind = params.get("kind")
    if kind not in KINDS:
        raise QuizSpecError(f"unknown quiz kind {kind!r}; expected one of: {', '.join(KINDS)}")
    mode = _choice(params, "mode", MODES, "single")
    default_layers = "1-1" if kind == "local-derivative" else "2-2-1"
    sizes = _sizes(params.get("layers", default_layers))
    spec = QuizSpec(
        kind=kind,
        sizes=sizes,
        activation=_choice(params, "activation", ACTIVATIONS, "sigmoid"),
        loss=_choice(params, "loss", LOSSES, "mse"),
        mode=mode,
        batch=_integer(params, "batch", 1, 1, MAX_BATCH),
        learning_rate=_number(params, "learning_rate", DEFAULT_LEARNING_RATE, 0.001, 10.0),
        epsilon=_number(params, "epsilon", DEFAULT_EPSILON, 1e-4, 0.1),
    )
    _check_combination(spec)
    return spec


def _check_combination(spec: QuizSpec) -> None:
    if spec.kind == "hidden-delta" and spec.layer_count < 2 and not spec.fill_table:
        raise QuizSpecError("hidden-delta needs at least two layers, such as layers: 2-2-1")
    if spec.batch > 1 and spec.fill_table:
        raise QuizSpecError("mode: fill-table traces one example, so it takes no batch")
    if spec.batch > 1 and spec.kind not in BATCH_KINDS:
        raise QuizSpecError(f"batch applies only to the kinds {', '.join(BATCH_KINDS)}")


def _sizes(value: Any) -> tuple[int, ...]:
    text = str(value).strip()
    parts = text.split("-")
    if not all(part.isdigit() for part in parts) or len(parts) < 2:
        raise QuizSpecError(f"layers must be sizes joined by dashes, such as 2-2-1, not {text!r}")
    sizes = tuple(int(part) for part in parts)
    if len(sizes) - 1 > MAX_LAYERS:
        raise QuizSpecError(f"layers {text!r} has {len(sizes) - 1} layers; quizzes use one to {MAX_LAYERS}")
    if not all(1 <= size <= MAX_LAYER_WIDTH for size in sizes):
        raise QuizSpecError(f"layers {text!r}: each size must be 1 to {MAX_LAYER_WIDTH} for work by hand")
    return sizes


def _choice(params: dict[str, Any], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = params.get(name, default)
    if value not in allowed:
        raise QuizSpecError(f"{name} {value!r} is not supported; expected one of: {', '.join(allowed)}")
    return value


def _integer(params: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = params.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise QuizSpecError(f"{name} must be a whole number from {low} to {high}, not {value!r}")
    return value


def _number(params: dict[str, Any], name: str, default: float, low: float, high: float) -> float:
    value = params.get(name, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise QuizSpecError(f"{name} must be a number from {low:g} to {high:g}, not {value!r}")
    return float(value)
