"""Fill-the-table mode: the learner fills every forward and backward cell of one example, in order.

The cells are the steps of the engine's trace. Each cell is judged like a
quiz answer, and its mistake values come from the engine's cached values of
the earlier cells, so a cell's diagnosis assumes the cells before it are right.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tutor.checking.answers import Tolerance
from tutor.checking.quiz import draw
from tutor.checking.quiz.check import Verdict, check_text
from tutor.checking.quiz.mistakes import MistakeValue, is_transposable, local_derivative, mistake_for_loss
from tutor.checking.quiz.problems import (
    MAX_DRAWS,
    SEPARATION_BANDS,
    GenerationError,
    unit_problems,
)
from tutor.checking.quiz.spec import QuizSpec
from tutor.engine.network import LayerCache, LayerGrads, Network
from tutor.engine.trace import Trace, TraceStep, format_number, trace_pass

# A backward cell must be at least this large, so that it is not a rounded zero.
MIN_CELL = 0.001
# Draws that must meet every rule. Deep sigmoid tables rarely do, because their first-layer
# gradients vanish, so later draws only keep units unsaturated.
# NOTE: a table from a relaxed draw can have cells near zero and cells whose slips are not named.
STRICT_DRAWS = 150


@dataclass
class TableCell:
    """One cell to fill: the engine's trace step and the mistakes that apply to it."""

    step: TraceStep
    mistakes: list[MistakeValue]
    band: float

    @property
    def name(self) -> str:
        return self.step.name


@dataclass
class TableProblem:
    """A network, one example, and the cells of its forward and backward table in order."""

    spec: QuizSpec
    seed: int
    network: Network
    X: np.ndarray
    Y: np.ndarray
    trace: Trace
    tolerance: Tolerance
    cells: list[TableCell] = field(default_factory=list)

    def check(self, index: int, text: str) -> Verdict:
        """Judge the answer typed for cell `index`."""
        cell = self.cells[index]
        return check_text(text, cell.step.value, cell.mistakes, cell.band, cell.name, self.spec.digits)

    def worked_lines(self, upto: int | None = None) -> list[str]:
        """Return the worked cells (formula with numbers) up to and including `upto`, or all."""
        cells = self.cells if upto is None else self.cells[: upto + 1]
        return [f"{cell.name} = {cell.step.substituted}" for cell in cells]

    def hint_rungs(self, index: int) -> list[list[str]]:
        """Return the ladder for one cell: its rule, the rule with numbers, the worked table so far."""
        step = self.cells[index].step
        with_numbers = step.substituted.rsplit(" = ", 1)[0]
        return [[step.formula], [f"{step.name} = {with_numbers}"], self.worked_lines(index)]


def generate_table(spec: QuizSpec, seed: int) -> TableProblem:
    """Return the table of `seed`: the first usable draw of (seed, 0), (seed, 1), ...

    The first STRICT_DRAWS draws must meet every rule; later ones only need live units.
    """
    if seed < 0:
        raise ValueError(f"a quiz seed must be a non-negative integer, not {seed}")
    tolerance = Tolerance.for_digits(spec.digits)
    for draw_number in range(MAX_DRAWS):
        strict = draw_number < STRICT_DRAWS
        problem = _draw_table(spec, seed, np.random.default_rng([seed, draw_number]), tolerance, strict)
        if problem is not None:
            return problem
    raise GenerationError(f"no usable table in {MAX_DRAWS} draws of seed {seed}")


def _draw_table(spec: QuizSpec, seed: int, rng: np.random.Generator, tolerance: Tolerance,
                strict: bool = True) -> TableProblem | None:
    """Draw one table; None when a unit is saturated or, if strict, a cell is degenerate.

    Without `strict`, tiny cells are allowed and a mistake within the separation of
    its cell's right value is left out of that cell, so such an answer counts as
    right or wrong but is not named.
    """
    activations = spec.activations()
    network = draw.draw_network(rng, spec.sizes, activations, spec.loss)
    X, Y = draw.draw_examples(rng, spec.sizes[0], spec.sizes[-1], 1, activations[-1])
    if unit_problems(network, X, Y):
        return None

    _, caches = network.forward(X)
    grads = network.backward(caches, Y)
    if strict and _has_tiny_gradient(network, grads):
        return None

    trace = trace_pass(network, X[:, 0], Y[:, 0], digits=spec.digits)
    problem = TableProblem(spec, seed, network, X, Y, trace, tolerance)
    for step in trace.steps:
        band = tolerance.band(step.value)
        if strict and step.phase == "backward" and abs(step.value) < MIN_CELL:
            return None
        mistakes = cell_mistakes(network, caches, grads, trace, step)
        separated = [item for item in mistakes if abs(item.value - step.value) > SEPARATION_BANDS * band]
        if strict and len(separated) < len(mistakes):
            return None
        problem.cells.append(TableCell(step, separated, band))
    return problem


def _has_tiny_gradient(network: Network, grads: list[LayerGrads]) -> bool:
    """Tell whether a backward cell (dA, dZ, dW or db) would be below MIN_CELL, before tracing."""
    for number, layer_grads in enumerate(grads, start=1):
        arrays = [layer_grads.dZ, layer_grads.dW, layer_grads.db]
        if number > 1:
            arrays.append(network.layers[number - 1].W.T @ layer_grads.dZ)
        if any(np.any(np.abs(array) < MIN_CELL) for array in arrays):
            return True
    return False


def cell_mistakes(network: Network, caches: list[LayerCache], grads: list[LayerGrads],
                  trace: Trace, step: TraceStep) -> list[MistakeValue]:
    """Return the mistakes that apply to one cell, each computed from the engine's right earlier values."""
    values: list[MistakeValue] = []

    def add(key: str, value) -> None:
        values.append(MistakeValue(mistake_for_loss(key, network.loss.name), float(value)))

    count = len(network.layers)
    layer = network.layers[step.layer - 1] if step.layer else None
    cache = caches[step.layer - 1] if step.layer else None
    j = step.index[0] if step.index else 0
    quantity = step.quantity

    if quantity == "z":
        if layer.b[j, 0] != 0.0:
            add("forgot-bias", (layer.W @ cache.a_prev)[j, 0])
        if step.layer > 1 and network.layers[step.layer - 2].activation.name != "relu":
            add("z-for-a-forward", (layer.W @ caches[step.layer - 2].z + layer.b)[j, 0])
    elif quantity == "a":
        if layer.activation.name != "relu":
            add("gave-z", cache.z[j, 0])
        if layer.activation.name == "sigmoid":
            add("sigmoid-sign", layer.activation.forward(-cache.z)[j, 0])
    elif quantity == "L":
        if network.loss.name == "mse":
            add("forgot-half", 2 * step.value)
        else:
            add("log-sign", -step.value)
    elif quantity == "dA" and step.layer == count:
        add("sign-flipped", -step.value)
        if network.loss.name == "mse" and layer.activation.name != "relu":
            add("z-for-a-loss", network.loss.dA(cache.z, trace.y)[j, 0])
    elif quantity == "dA":
        above = network.layers[step.layer]
        upper_dZ = grads[step.layer].dZ
        if is_transposable(above.W):
            add("transpose-forgotten", (above.W @ upper_dZ)[j, 0])
        add("forgot-weights", upper_dZ.sum())
        if above.activation.name != "relu":
            upper_dA = trace_column(trace, f"dA{step.layer + 1}", above.n_out)
            add("dA-for-dZ", (above.W.T @ upper_dA)[j, 0])
    elif quantity == "dZ":
        _dZ_mistakes(network, cache, layer, trace, step, add)
    elif quantity == "dW":
        _dW_mistakes(network, caches, grads, step, add)
    return values


def _dZ_mistakes(network, cache, layer, trace, step, add) -> None:
    j = step.index[0]
    count = len(network.layers)
    name = layer.activation.name
    if step.layer == count and network.loss.uses_fused_gradient(name):
        dA = network.loss.dA(cache.a, trace.y)
        add("sign-flipped", -step.value)
        add("forgot-derivative", dA[j, 0])
        add("bce-slope-twice", step.value * cache.a[j, 0] * (1.0 - cache.a[j, 0]))
        return
    dA = trace.value(f"dA{step.layer}[{j}]")
    z, a = cache.z[j:j + 1, 0:1], cache.a[j:j + 1, 0:1]
    if name != "relu":
        add("forgot-derivative", dA)
        add("derivative-at-a", dA * local_derivative(layer.activation, z, a, "at_a")[0, 0])
        add("z-in-derivative", dA * local_derivative(layer.activation, z, a, "z_in_rule")[0, 0])
    if name == "sigmoid":
        add("sigmoid-one-plus-a", dA * local_derivative(layer.activation, z, a, "one_plus_a")[0, 0])


def _dW_mistakes(network, caches, grads, step, add) -> None:
    j, k = step.index
    layer = network.layers[step.layer - 1]
    dZ = grads[step.layer - 1].dZ
    a_prev = caches[step.layer - 1].a_prev
    add("forgot-input", dZ[j, 0])
    if step.layer > 1 and network.layers[step.layer - 2].activation.name != "relu":
        add("z-for-a-input", dZ[j, 0] * caches[step.layer - 2].z[k, 0])
    x = caches[0].a_prev
    if step.layer > 1 and k < x.shape[0]:
        add("input-for-a-prev", dZ[j, 0] * x[k, 0])
    if j != k and k < layer.n_out and j < layer.n_in:
        add("swapped-indices", dZ[k, 0] * a_prev[j, 0])


def trace_column(trace: Trace, prefix: str, size: int) -> np.ndarray:
    """Return the traced values prefix[0], prefix[1], ... as a column, such as dA2 of a layer."""
    return np.array([[trace.value(f"{prefix}[{i}]")] for i in range(size)])


def filled_line(problem: TableProblem, index: int) -> str:
    cell = problem.cells[index]
    return f"{cell.name} = {format_number(cell.step.value, problem.spec.digits)}"
