"""Code exercises: loading their folders, generating inputs, and the engine references.

An exercise folder holds `exercise.toml`, `starter.py` and `solution.py`
(lessons/AUTHORING.md describes the format). For each function the learner
writes, the toml names an input generator with its parameters and a
reference. The generator makes seeded samples (a network with a batch, or a
scalar function with a point); the reference turns a sample into the
arguments of the learner's function and the arrays the engine expects back.
Expected arrays never leave this process: only the arguments go to the child.
"""

from __future__ import annotations

import atexit
import threading
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable

import numpy as np

from tutor.checking.runner import FunctionArgument
from tutor.checking.sandbox_worker import build_function
from tutor.engine.activations import Activation, get_activation
from tutor.engine.gradcheck import numerical_gradient, relative_error
from tutor.engine.network import Dense, Network
from tutor.engine.losses import get_loss

EXERCISE_FILE = "exercise.toml"
DEFAULT_TOLERANCE = 1e-6
DEFAULT_TIME_LIMIT = 5.0
# Allowed ranges of the numeric settings of exercise.toml, (low, high]: a relative error
# tolerance above 0.1 accepts clearly wrong gradients, and a check that needs more than a
# minute is not one a learner waits for.
TOLERANCE_RANGE = (0.0, 0.1)
TIME_LIMIT_RANGE = (0.0, 60.0)


class ExerciseError(ValueError):
    """An exercise folder that cannot be loaded, with the file at fault."""

    def __init__(self, path: Path, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass(frozen=True)
class FunctionSpec:
    """A function the learner writes: its name, the signature shown, what it returns, how it is checked."""

    name: str
    signature: str
    reference: str
    returns: tuple[str, ...]
    inputs: dict[str, Any]


@dataclass(frozen=True)
class Variant:
    """One version of an exercise with its own starter file, such as one planted bug."""

    id: str
    title: str
    starter: str


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    prompt: str
    functions: tuple[FunctionSpec, ...]
    hints: tuple[str, ...]
    folder: Path
    starter: str = "starter.py"
    solution: str = "solution.py"
    variants: tuple[Variant, ...] = ()
    tolerance: float = DEFAULT_TOLERANCE
    time_limit: float = DEFAULT_TIME_LIMIT
    chart_title: str = ""

    def variant(self, variant_id: str | None) -> Variant | None:
        """Return the named variant, the first one when `variant_id` is None, or None without variants."""
        if not self.variants:
            return None
        if variant_id is None:
            return self.variants[0]
        for variant in self.variants:
            if variant.id == variant_id:
                return variant
        known = ", ".join(v.id for v in self.variants)
        raise KeyError(f"exercise {self.id} has no variant {variant_id!r}; expected one of: {known}")

    def starter_code(self, variant_id: str | None = None) -> str:
        variant = self.variant(variant_id)
        name = variant.starter if variant else self.starter
        return (self.folder / name).read_text(encoding="utf-8")

    def solution_code(self) -> str:
        return (self.folder / self.solution).read_text(encoding="utf-8")

    def draft_key(self, variant_id: str | None = None) -> str:
        """Return the key a draft is stored under: the id, plus the variant when there are variants."""
        variant = self.variant(variant_id)
        return f"{self.id}/{variant.id}" if variant else self.id


# Loading.

def _require(data: dict, key: str, kind: type, path: Path, where: str = "") -> Any:
    if key not in data:
        raise ExerciseError(path, f"missing required key {where}{key}")
    value = data[key]
    if not isinstance(value, kind):
        raise ExerciseError(path, f"{where}{key} must be a {kind.__name__}, got {type(value).__name__}")
    return value


def _bounded_number(data: dict, key: str, default: float, allowed: tuple[float, float],
                    path: Path) -> float:
    """Return the number under `key`, or `default`; raise ExerciseError outside low < value <= high."""
    low, high = allowed
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ExerciseError(path, f"{key} must be a number greater than {low:g} and at most "
                                  f"{high:g}, got {value!r}")
    if not low < value <= high:
        raise ExerciseError(path, f"{key} = {value!r} is out of range; it must be greater than "
                                  f"{low:g} and at most {high:g} (default {default:g})")
    return float(value)


def _load_function(data: dict, path: Path, number: int) -> FunctionSpec:
    where = f"functions[{number}]."
    name = _require(data, "name", str, path, where)
    reference = _require(data, "reference", str, path, where)
    if reference not in REFERENCES:
        known = ", ".join(sorted(REFERENCES))
        raise ExerciseError(path, f"{where}reference {reference!r} is unknown; expected one of: {known}")
    returns = _require(data, "returns", list, path, where)
    inputs = _require(data, "inputs", dict, path, where)
    generator = _require(inputs, "generator", str, path, where + "inputs.")
    if generator != REFERENCES[reference].generator:
        raise ExerciseError(path, f"{where}inputs.generator must be "
                                  f"{REFERENCES[reference].generator!r} for reference {reference!r}")
    return FunctionSpec(name, str(data.get("signature", f"{name}(...)")), reference,
                        tuple(str(item) for item in returns), dict(inputs))


def load_exercise(folder: Path) -> Exercise:
    """Load the exercise in `folder`; raise ExerciseError naming the file and the problem."""
    folder = Path(folder)
    path = folder / EXERCISE_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ExerciseError(path, "file not found") from None
    except tomllib.TOMLDecodeError as error:
        raise ExerciseError(path, f"invalid TOML: {error}") from None

    functions = _require(data, "functions", list, path)
    if not functions:
        raise ExerciseError(path, "functions is empty; name at least one function to write")
    variants = tuple(
        Variant(_require(item, "id", str, path, f"variants[{n}]."),
                str(item.get("title", item.get("id"))),
                _require(item, "starter", str, path, f"variants[{n}]."))
        for n, item in enumerate(data.get("variants", []))
    )
    exercise = Exercise(
        id=_require(data, "id", str, path),
        title=_require(data, "title", str, path),
        prompt=_require(data, "prompt", str, path).strip(),
        functions=tuple(_load_function(item, path, n) for n, item in enumerate(functions)),
        hints=tuple(str(hint) for hint in data.get("hints", [])),
        folder=folder,
        starter=str(data.get("starter", "starter.py")),
        solution=str(data.get("solution", "solution.py")),
        variants=variants,
        tolerance=_bounded_number(data, "tolerance", DEFAULT_TOLERANCE, TOLERANCE_RANGE, path),
        time_limit=_bounded_number(data, "time_limit", DEFAULT_TIME_LIMIT, TIME_LIMIT_RANGE, path),
        chart_title=str(data.get("chart", {}).get("title", "")),
    )
    if exercise.id != folder.name:
        raise ExerciseError(path, f"id {exercise.id!r} must match the folder name {folder.name!r}")
    starters = [v.starter for v in variants] or [exercise.starter]
    for name in [*starters, exercise.solution]:
        if not (folder / name).is_file():
            raise ExerciseError(folder / name, "file not found")
    return exercise


def exercise_folders(course_root: Path) -> list[Path]:
    """Return every folder below `course_root` that holds an exercise.toml, sorted by path."""
    return sorted(path.parent for path in Path(course_root).rglob(f"exercises/*/{EXERCISE_FILE}"))


def load_exercises(course_root: Path) -> tuple[list[Exercise], list[ExerciseError]]:
    """Load every exercise of a course; a broken folder becomes an error and the rest still load."""
    exercises, errors = [], []
    for folder in exercise_folders(course_root):
        try:
            exercises.append(load_exercise(folder))
        except ExerciseError as error:
            errors.append(error)
    return exercises, errors


def find_exercise(course_root: Path, exercise_id: str) -> Exercise:
    """Load the exercise with this id; raise KeyError when no folder has that name."""
    for folder in exercise_folders(course_root):
        if folder.name == exercise_id:
            return load_exercise(folder)
    raise KeyError(f"no exercise named {exercise_id!r} under {course_root}")


# Cases: one call of a learner's function with what the engine expects back.

@dataclass
class Case:
    """One call to check. `expected` maps each return name to the engine's array.

    The reference also fills in what the checker may report about a wrong
    result, so a message names only slips that this computation can make:
    `factor_hints` maps a constant factor (got / expected) to its likely
    cause, `sign_hint` explains a flipped sign, `matrix_hints` allows the
    hints about a missing .T and the axis of a sum over examples, and
    `input_hint` (a clause, no capital) says what to do when the function
    changes an argument in place.
    """

    function: str
    label: str
    args: tuple
    expected: dict[str, np.ndarray]
    batch_size: int | None = None
    chart_label: str | None = None
    mistakes: list[tuple[str, dict[str, np.ndarray]]] = field(default_factory=list)
    factor_hints: dict[float, str] = field(default_factory=dict)
    sign_hint: str = ""
    matrix_hints: bool = False
    input_hint: str = ""


# Input generators.

@dataclass
class NetworkSample:
    label: str
    network: Network
    X: np.ndarray
    Y: np.ndarray
    chart_label: str | None = None
    scalars: bool = False


@dataclass
class FunctionSample:
    label: str
    kind: str
    spec: dict
    x: np.ndarray


@dataclass
class PairSample:
    label: str
    a: np.ndarray
    b: np.ndarray


def _random_network(rng: np.random.Generator, sizes: list[int], activations: list[str],
                    loss: str, init: str, bias_scale: float) -> Network:
    layers = []
    for n_in, n_out, name in zip(sizes[:-1], sizes[1:], activations):
        if init == "he":
            scale = np.sqrt(2.0 / n_in)
        elif init == "xavier":
            scale = np.sqrt(2.0 / (n_in + n_out))
        else:
            scale = 1.0
        W = rng.normal(0.0, scale, size=(n_out, n_in))
        b = rng.normal(0.0, bias_scale, size=(n_out, 1))
        layers.append(Dense(W, b, get_activation(name)))
    return Network(layers, get_loss(loss))


def _targets(rng: np.random.Generator, activation: str, shape: tuple[int, int]) -> np.ndarray:
    if activation == "sigmoid":
        return rng.uniform(0.0, 1.0, size=shape)
    return rng.normal(0.0, 1.0, size=shape)


def generate_networks(params: dict) -> list[NetworkSample]:
    """Random dense networks with random batches, plus the edge cases a batch of one and an all-zero input.

    Parameters: sizes, activations (one name or one per layer), loss, init
    (xavier, he or unit), bias_scale, batch_sizes, seeds, edge_cases, and
    optionally `networks`, a list of overrides (label, activations, init)
    that each get every seed; `chart_seed` adds one sample per network for a
    chart. With `scalars = true` (only for one example and one unit per layer)
    the arguments are plain floats.
    """
    sizes = [int(size) for size in params["sizes"]]
    base = {"activations": params.get("activations", "sigmoid"), "init": params.get("init", "xavier")}
    networks = params.get("networks") or [{"label": "", **base}]
    batch_sizes = [int(m) for m in params.get("batch_sizes", [5])]
    seeds = [int(seed) for seed in params.get("seeds", [1, 2, 3])]
    edge_cases = params.get("edge_cases", ["batch-of-one", "zero-input"])
    loss = params.get("loss", "mse")
    bias_scale = float(params.get("bias_scale", 0.1))
    scalars = bool(params.get("scalars", False))

    samples = []
    for network in networks:
        activations = network.get("activations", base["activations"])
        if isinstance(activations, str):
            activations = [activations] * (len(sizes) - 1)
        init = network.get("init", base["init"])
        prefix = f"{network['label']} network, " if network.get("label") else ""

        def make(seed: int, m: int, label: str, zero: bool = False, chart: str | None = None) -> None:
            rng = np.random.default_rng(seed)
            net = _random_network(rng, sizes, activations, loss, init, bias_scale)
            X = np.zeros((sizes[0], m)) if zero else rng.normal(0.0, 1.0, size=(sizes[0], m))
            Y = _targets(rng, activations[-1], (sizes[-1], m))
            samples.append(NetworkSample(prefix + label, net, X, Y, chart, scalars))

        for index, seed in enumerate(seeds):
            m = batch_sizes[index % len(batch_sizes)]
            examples = "a random example" if m == 1 else f"a random batch of {m} examples"
            make(seed, m, f"{examples} (seed {seed})")
        if "batch-of-one" in edge_cases:
            make(seeds[0] + 1000, 1, "a batch of one example")
        if "zero-input" in edge_cases:
            make(seeds[0] + 2000, batch_sizes[0], "an all-zero input batch", zero=True)
        if "chart_seed" in params:
            seed = int(params["chart_seed"])
            make(seed, batch_sizes[0], f"chart sample (seed {seed})",
                 chart=network.get("label") or "network")
    return samples


def generate_functions(params: dict) -> list[FunctionSample]:
    """Scalar functions of one array with a point to differentiate at.

    Kinds: `network-loss` (the MSE loss of a small sigmoid network as a function
    of one weight matrix or bias) and `polynomial` (sum of a x^3 + b x^2 + c x).
    Parameters: kinds, seeds, edge_cases (zero-point).
    """
    kinds = params.get("kinds", ["network-loss", "polynomial"])
    seeds = [int(seed) for seed in params.get("seeds", [1, 2])]
    samples = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        for kind in kinds:
            samples.append(_function_sample(kind, rng, f"{kind} (seed {seed})", zero=False))
    if "zero-point" in params.get("edge_cases", ["zero-point"]):
        rng = np.random.default_rng(seeds[0] + 1000)
        samples.append(_function_sample("polynomial", rng, "polynomial at x = 0", zero=True))
    return samples


def _function_sample(kind: str, rng: np.random.Generator, label: str, zero: bool) -> FunctionSample:
    if kind == "polynomial":
        shape = (int(rng.integers(2, 4)), int(rng.integers(1, 4)))
        coefficients = rng.normal(0.0, 1.0, size=3)
        x = np.zeros(shape) if zero else rng.normal(0.0, 1.0, size=shape)
        return FunctionSample(label, kind, {"coefficients": coefficients}, x)
    if kind == "network-loss":
        sizes = [3, 4, 2]
        net = _random_network(rng, sizes, ["sigmoid", "sigmoid"], "mse", "xavier", 0.1)
        X = rng.normal(0.0, 1.0, size=(sizes[0], 4))
        Y = rng.uniform(0.0, 1.0, size=(sizes[-1], 4))
        layer = int(rng.integers(0, 2))
        parameter = "W" if rng.random() < 0.7 else "b"
        theta = net.layers[layer].W if parameter == "W" else net.layers[layer].b
        spec = {
            "weights": [[l.W, l.b] for l in net.layers],
            "activations": ["sigmoid", "sigmoid"],
            "X": X, "Y": Y, "layer": layer, "parameter": parameter,
        }
        return FunctionSample(f"{label}, d/d{parameter}{layer + 1}", kind, spec, theta.copy())
    raise ValueError(f"unknown function kind {kind!r}; expected network-loss or polynomial")


def generate_pairs(params: dict) -> list[PairSample]:
    """Pairs of arrays to compare: unrelated, nearly equal, and (edge case) both zero."""
    seeds = [int(seed) for seed in params.get("seeds", [1, 2])]
    samples = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        shape = (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
        a = rng.normal(0.0, 1.0, size=shape)
        samples.append(PairSample(f"two random arrays (seed {seed})", a, rng.normal(0.0, 1.0, size=shape)))
        samples.append(PairSample(f"nearly equal arrays (seed {seed})", a,
                                  a + rng.normal(0.0, 1e-6, size=shape)))
    if "zeros" in params.get("edge_cases", ["zeros"]):
        samples.append(PairSample("two all-zero arrays", np.zeros((2, 3)), np.zeros((2, 3))))
    return samples


GENERATORS: dict[str, Callable[[dict], list]] = {
    "dense-network": generate_networks,
    "scalar-function": generate_functions,
    "array-pairs": generate_pairs,
}


# References: what the engine expects for each sample.

def _layer_names(network: Network, prefix: str) -> list[str]:
    return [f"{prefix}{number}" for number in range(1, len(network.layers) + 1)]


def _gradients_by_name(network: Network, X: np.ndarray, Y: np.ndarray) -> dict[str, np.ndarray]:
    _, grads = network.loss_and_gradients(X, Y)
    expected = {}
    for number, layer_grads in enumerate(grads, start=1):
        expected[f"dW{number}"] = layer_grads.dW
        expected[f"db{number}"] = layer_grads.db
    return expected


def _params(network: Network) -> dict[str, np.ndarray]:
    params = {}
    for number, layer in enumerate(network.layers, start=1):
        params[f"W{number}"] = layer.W
        params[f"b{number}"] = layer.b
    return params


def _with_derivative(activation: Activation, derivative: Callable) -> Activation:
    """Return the activation with f'(z) replaced, dropping any shortcut that would bypass it."""
    changes: dict[str, Any] = {"derivative": derivative}
    for shortcut in ("derivative_from_output", "backward_from_output"):
        if shortcut in {item.name for item in fields(activation)}:
            changes[shortcut] = None
    return replace(activation, **changes)


def _derivative_mistakes(sample: NetworkSample) -> list[tuple[str, dict[str, np.ndarray]]]:
    """Recompute the gradients with one layer's f'(z) replaced by a = f(z), or left out."""
    mistakes = []
    for index, layer in enumerate(sample.network.layers):
        activation = layer.activation
        if activation.name in ("identity", "softmax"):
            continue
        slope = f"the {activation.name} slope is {activation.derivative_formula}"
        number = index + 1
        # The scalar exercise names one unit's values in lower case: dz1 = da1.
        skipped = f"dz{number} = da{number}" if sample.scalars else f"dZ{number} = dA{number}"
        wrong_derivatives = (
            (activation.forward, f"It matches a backward pass that uses a = f(z) in place of "
                                 f"f'(z) in layer {number}, but {slope}"),
            (np.ones_like, f"It matches a backward pass that leaves out f'(z) in layer "
                           f"{number} ({skipped}), but {slope}"),
        )
        for derivative, description in wrong_derivatives:
            layers = list(sample.network.layers)
            layers[index] = Dense(layer.W, layer.b, _with_derivative(activation, derivative))
            network = Network(layers, sample.network.loss)
            mistakes.append((description, _gradients_by_name(network, sample.X, sample.Y)))
    return mistakes


NETWORK_INPUT_HINT = ("build new arrays (dZ = dA * ...) instead of changing the batch, params "
                      "or cache in place with -=, *= or item assignment")


def _mse_hints(output: str, target: str) -> tuple[dict[float, str], str]:
    """Return the factor hints and the sign hint of an MSE network, in the exercise's notation."""
    gradient = f"{output} - {target}"
    factor_hints = {
        2.0: (f"A factor of 2 is what 2({gradient}) at the output gives: the 1/2 of the MSE "
              f"loss cancels the 2 of the square, so the gradient at the output is {gradient}."),
        0.5: (f"A factor of 1/2 is what ({gradient}) / 2 at the output gives: the 1/2 of the MSE "
              f"loss is already cancelled by the 2 of the square."),
    }
    sign_hint = (f"For the MSE loss the gradient at the output is {gradient}, and "
                 f"{target} - {output} flips every gradient.")
    return factor_hints, sign_hint


def _network_explanations(sample: NetworkSample) -> dict[str, Any]:
    """Return the Case fields that explain mistakes in the gradients of this sample's network."""
    explanations: dict[str, Any] = {"matrix_hints": not sample.scalars,
                                    "input_hint": NETWORK_INPUT_HINT}
    if sample.network.loss.name == "mse":
        # The scalar exercise writes one example in lower case: a2 - y.
        layers = len(sample.network.layers)
        output, target = (f"a{layers}", "y") if sample.scalars else ("A", "Y")
        explanations["factor_hints"], explanations["sign_hint"] = _mse_hints(output, target)
    return explanations


def _network_gradients_case(function: str, sample: NetworkSample) -> Case:
    """Positional arguments x, y, W1, b1, W2, b2, ...; returns dW1, db1, dW2, db2, ..."""
    args = [sample.X, sample.Y]
    for layer in sample.network.layers:
        args.extend([layer.W, layer.b])
    if sample.scalars:
        args = [float(np.ravel(arg)[0]) for arg in args]
    return Case(function, sample.label, tuple(args),
                _gradients_by_name(sample.network, sample.X, sample.Y), sample.X.shape[1],
                mistakes=_derivative_mistakes(sample), **_network_explanations(sample))


def _network_backward_case(function: str, sample: NetworkSample) -> Case:
    """Arguments X, Y, params {W1, b1, ...}, cache {Z1, A1, ...}; returns dW1, db1, ..."""
    _, caches = sample.network.forward(sample.X)
    cache = {}
    for number, layer_cache in enumerate(caches, start=1):
        cache[f"Z{number}"] = layer_cache.z
        cache[f"A{number}"] = layer_cache.a
    return Case(function, sample.label, (sample.X, sample.Y, _params(sample.network), cache),
                _gradients_by_name(sample.network, sample.X, sample.Y), sample.X.shape[1],
                mistakes=_derivative_mistakes(sample), **_network_explanations(sample))


def _gradient_norms_case(function: str, sample: NetworkSample) -> Case:
    """Arguments X, Y, weights [[W1, b1], ...], activation; returns the norm of each dW, first layer first."""
    gradients = _gradients_by_name(sample.network, sample.X, sample.Y)
    names = _layer_names(sample.network, "dW")
    norms = np.array([np.linalg.norm(gradients[name]) for name in names])
    weights = [[layer.W, layer.b] for layer in sample.network.layers]
    activation = sample.network.layers[0].activation.name
    explanations = _network_explanations(sample)
    # A norm is never negative, and the norms form a list, not a matrix product.
    explanations.pop("sign_hint", None)
    explanations["matrix_hints"] = False
    return Case(function, sample.label, (sample.X, sample.Y, weights, activation),
                {"norms": norms}, sample.X.shape[1], chart_label=sample.chart_label,
                **explanations)


def _numerical_gradient_case(function: str, sample: FunctionSample) -> Case:
    """Arguments f, x; returns the engine's central-difference gradient of f at x (h = 1e-5).

    f is the worker's own function, so both sides evaluate the same floats.
    """
    f = build_function(sample.kind, sample.spec)
    theta = sample.x.copy()
    expected = numerical_gradient(lambda: f(theta), theta)

    forward = np.zeros_like(theta)
    base = f(theta)
    for index in np.ndindex(theta.shape):
        original = theta[index]
        theta[index] = original + 1e-5
        forward[index] = (f(theta) - base) / 1e-5
        theta[index] = original
    one_sided = ("It matches a one-sided difference (f(x + h) - f(x)) / h; "
                 "the central difference (f(x + h) - f(x - h)) / (2h) is far more accurate",
                 {"gradient": forward})

    argument = FunctionArgument(sample.kind, sample.spec)
    return Case(function, sample.label, (argument, sample.x), {"gradient": expected},
                mistakes=[one_sided], factor_hints=dict(CENTRAL_DIFFERENCE_FACTOR_HINTS),
                sign_hint=CENTRAL_DIFFERENCE_SIGN_HINT, input_hint=CENTRAL_DIFFERENCE_INPUT_HINT)


CENTRAL_DIFFERENCE_FACTOR_HINTS = {
    2.0: ("A factor of 2 is what dividing by h gives: the central difference divides by 2h, "
          "because x + h and x - h are 2h apart."),
    0.5: ("A factor of 1/2 is what dividing by 4h, or by 2h twice, gives: the central "
          "difference divides by 2h once."),
}
CENTRAL_DIFFERENCE_SIGN_HINT = ("The central difference is (f(x + h) - f(x - h)) / (2h), with "
                                "f(x + h) first.")
CENTRAL_DIFFERENCE_INPUT_HINT = "restore each entry after perturbing it (x[i] = old)"

RELATIVE_ERROR_FACTOR_HINTS = {
    2.0: ("A factor of 2 is what dividing by the mean of the norms, (||a|| + ||b||) / 2, "
          "gives: the denominator is their sum."),
}
RELATIVE_ERROR_INPUT_HINT = "compute the difference as a new array (a - b) instead of changing a or b"


def _relative_error_case(function: str, sample: PairSample) -> Case:
    """Arguments a, b; returns ||a - b|| / (||a|| + ||b||), 0 when both are zero."""
    expected = np.array(relative_error(sample.a, sample.b))
    return Case(function, sample.label, (sample.a, sample.b), {"relative error": expected},
                factor_hints=dict(RELATIVE_ERROR_FACTOR_HINTS),
                input_hint=RELATIVE_ERROR_INPUT_HINT)


@dataclass(frozen=True)
class Reference:
    """An engine computation: the generator it takes samples from and how it builds a case."""

    generator: str
    build: Callable[[str, Any], Case]
    description: str


REFERENCES: dict[str, Reference] = {
    "network-gradients": Reference("dense-network", _network_gradients_case,
                                   "f(x, y, W1, b1, W2, b2, ...) -> dW1, db1, dW2, db2, ..."),
    "network-backward": Reference("dense-network", _network_backward_case,
                                  "f(X, Y, params, cache) -> dW1, db1, ..."),
    "gradient-norms": Reference("dense-network", _gradient_norms_case,
                                "f(X, Y, weights, activation) -> norm of each dW"),
    "numerical-gradient": Reference("scalar-function", _numerical_gradient_case,
                                    "f(f, x) -> central-difference gradient"),
    "relative-error": Reference("array-pairs", _relative_error_case,
                                "f(a, b) -> ||a - b|| / (||a|| + ||b||)"),
}


def build_cases(exercise: Exercise) -> list[Case]:
    """Return every case of every function of the exercise, in the order they are checked."""
    cases = []
    for spec in exercise.functions:
        reference = REFERENCES[spec.reference]
        params = {key: value for key, value in spec.inputs.items() if key != "generator"}
        for sample in GENERATORS[reference.generator](params):
            case = reference.build(spec.name, sample)
            case.expected = _rename(case.expected, spec.returns)
            case.mistakes = [(text, _rename(arrays, spec.returns)) for text, arrays in case.mistakes]
            cases.append(case)
    return cases


def _rename(expected: dict[str, np.ndarray], names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Match the engine's arrays to the return names the toml declares: by name, else by position."""
    if set(expected) == set(names):
        return {name: expected[name] for name in names}
    if len(expected) != len(names):
        raise ValueError(f"the reference returns {len(expected)} arrays "
                         f"({', '.join(expected)}), but returns lists {len(names)}")
    return dict(zip(names, expected.values()))


def validate_exercise_params(params: dict[str, Any], course_root: Path, *,
                             run_code: bool = True) -> list[str]:
    """Check an ```exercise block: its id names a folder that loads and whose inputs generate.

    With `run_code`, also run the reference solution (it must pass) and each
    starter (it must fail) through the real checker. Returns one message per
    problem, for `backprop-tutor validate`. A missing id is left to the lesson
    loader, which reports it itself.
    """
    exercise_id = params.get("id")
    if exercise_id is None:
        return []
    try:
        exercise = find_exercise(Path(course_root), str(exercise_id))
    except KeyError:
        return [_not_found_message(str(exercise_id), Path(course_root))]
    except ExerciseError as error:
        return [str(error)]
    try:
        build_cases(exercise)
    except (KeyError, TypeError, ValueError) as error:
        return [f"{exercise.folder / EXERCISE_FILE}: the inputs do not generate: {error!r}"]
    if not run_code:
        return []
    return check_reference_files(exercise)


def _not_found_message(exercise_id: str, course_root: Path) -> str:
    """Explain a missing exercise, naming a folder whose exercise.toml declares that id."""
    for folder in exercise_folders(course_root):
        try:
            declared = tomllib.loads((folder / EXERCISE_FILE).read_text(encoding="utf-8")).get("id")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        if declared == exercise_id:
            return (f"{folder / EXERCISE_FILE}: id {exercise_id!r} must match the folder name "
                    f"{folder.name!r}; rename the folder or change the id")
    return f"no exercise folder named {exercise_id!r} in an exercises/ folder below {course_root}"


_validation_runner = None
_validation_runner_lock = threading.Lock()


def _shared_validation_runner():
    """Return one warm runner for every validation in this process, closed at exit."""
    global _validation_runner
    from tutor.checking.runner import Runner

    with _validation_runner_lock:
        if _validation_runner is None:
            _validation_runner = Runner()
            atexit.register(_validation_runner.close)
        return _validation_runner


def check_reference_files(exercise: Exercise, runner=None) -> list[str]:
    """Run the solution and every starter through the checker; report a failing solution or a passing starter.

    Each file runs in its own child process; the shared warm runner keeps
    the next child ready while one runs.
    """
    from tutor.checking.codecheck import check_code

    runner = runner or _shared_validation_runner()
    problems = []
    solution = check_code(exercise, exercise.solution_code(), runner=runner,
                          filename=exercise.solution)
    if not solution.passed:
        problems.append(f"{exercise.folder / exercise.solution}: the reference solution fails "
                        f"the check: {solution.headline}")

    for variant_id in [variant.id for variant in exercise.variants] or [None]:
        variant = exercise.variant(variant_id)
        name = variant.starter if variant else exercise.starter
        report = check_code(exercise, exercise.starter_code(variant_id), runner=runner, filename=name)
        if report.passed:
            problems.append(f"{exercise.folder / name}: the starter code already passes the check; "
                            f"leave the part the learner writes unfinished")
    return problems
