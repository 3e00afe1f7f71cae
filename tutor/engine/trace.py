"""A step-by-step record of one forward and one backward pass.

The app shows a trace as tables that fill in one value per key press. Each
step holds the value, the symbolic rule that produced it, and the same rule
with the real numbers substituted. A trace covers one example (m = 1), so
dW = dZ @ a_prev.T needs no 1/m and every entry is a short sum.

Naming: layers count from 1 (W1 is the first layer's weights, a0 is the
input x), and unit indices count from 0 as in NumPy, so z2[0] is z of the
first unit of layer 2 and W1[1,0] is W1 row 1, column 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tutor.engine.network import Network

PHASES = ("forward", "loss", "backward")


def format_number(value: float, digits: int = 4) -> str:
    """Format a value the way every table and formula shows it: fixed decimals, -0 as 0."""
    text = f"{value:.{digits}f}"
    if float(text) == 0.0:
        text = f"{0.0:.{digits}f}"
    return text


def _wrap(value: float, digits: int) -> str:
    """Format a value for use inside an expression, in brackets when negative."""
    text = format_number(value, digits)
    return f"({text})" if text.startswith("-") else text


@dataclass(frozen=True)
class TraceStep:
    """One computed value of a pass.

    `quantity` is one of z, a, L, dA, dZ, dW, db; `layer` counts from 1 (0 for
    the loss); `index` is the NumPy index within the layer's array.
    """

    phase: str
    quantity: str
    layer: int
    index: tuple[int, ...]
    value: float
    formula: str
    substituted: str

    @property
    def name(self) -> str:
        """The label shown in tables, such as z1[0], dW2[0,1] or L."""
        if self.quantity == "L":
            return "L"
        inside = ",".join(str(i) for i in self.index)
        return f"{self.quantity}{self.layer}[{inside}]"


@dataclass
class Trace:
    """Every intermediate value of one forward and backward pass, in order."""

    network: Network
    x: np.ndarray
    y: np.ndarray
    steps: list[TraceStep] = field(default_factory=list)

    def find(self, name: str) -> TraceStep:
        """Return the step with a given table label, such as "dW1[0,1]"."""
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(f"no step named {name!r} in this trace")

    def value(self, name: str) -> float:
        return self.find(name).value


def trace_pass(
    network: Network,
    x,
    y,
    *,
    digits: int = 4,
    include_bias: bool = True,
) -> Trace:
    """Run one forward and backward pass on a single example and record every step.

    x has n_in values and y has n_out values. `include_bias=False` leaves the
    "+ b" term out of the written formulas (for examples that have no biases);
    the values always include b.
    """
    x = np.asarray(x, dtype=float).reshape(-1, 1)
    y = np.asarray(y, dtype=float).reshape(-1, 1)
    A, caches = network.forward(x)
    grads = network.backward(caches, y)
    trace = Trace(network, x, y)
    add = trace.steps.append
    fmt = lambda v: format_number(v, digits)  # noqa: E731
    wrap = lambda v: _wrap(v, digits)  # noqa: E731

    for number, (layer, cache) in enumerate(zip(network.layers, caches), start=1):
        prev = "x" if number == 1 else f"a{number - 1}"
        for j in range(layer.n_out):
            terms = [
                f"{wrap(layer.W[j, k])}*{wrap(cache.a_prev[k, 0])}" for k in range(layer.n_in)
            ]
            symbols = [f"W{number}[{j},{k}]*{prev}[{k}]" for k in range(layer.n_in)]
            if include_bias:
                terms.append(wrap(layer.b[j, 0]))
                symbols.append(f"b{number}[{j}]")
            z = cache.z[j, 0]
            add(TraceStep(
                "forward", "z", number, (j,), float(z),
                f"z{number}[{j}] = " + " + ".join(symbols),
                " + ".join(terms) + f" = {fmt(z)}",
            ))
        for j in range(layer.n_out):
            name = layer.activation.name
            a = cache.a[j, 0]
            add(TraceStep(
                "forward", "a", number, (j,), float(a),
                f"a{number}[{j}] = {name}(z{number}[{j}])",
                f"{name}({fmt(cache.z[j, 0])}) = {fmt(a)}",
            ))

    loss = network.loss.value(A, y)
    add(TraceStep("loss", "L", 0, (), float(loss), network.loss.formula,
                  _loss_substitution(network.loss.name, A, y, loss, digits)))

    _trace_backward(trace, grads, caches, digits, include_bias)
    return trace


def _loss_substitution(loss_name: str, A: np.ndarray, y: np.ndarray, loss: float, digits: int) -> str:
    wrap = lambda v: _wrap(v, digits)  # noqa: E731
    pairs = list(zip(A[:, 0], y[:, 0]))
    if loss_name == "mse":
        inner = " + ".join(f"({wrap(a)} - {wrap(t)})^2" for a, t in pairs)
        return f"1/2 * [{inner}] = {format_number(loss, digits)}"
    if loss_name == "bce":
        inner = " + ".join(
            f"{wrap(t)}*log({wrap(a)}) + (1 - {wrap(t)})*log(1 - {wrap(a)})" for a, t in pairs
        )
        return f"-[{inner}] = {format_number(loss, digits)}"
    inner = " + ".join(f"{wrap(t)}*log({wrap(a)})" for a, t in pairs)
    return f"-[{inner}] = {format_number(loss, digits)}"


def _trace_backward(trace: Trace, grads, caches, digits: int, include_bias: bool) -> None:
    network = trace.network
    add = trace.steps.append
    fmt = lambda v: format_number(v, digits)  # noqa: E731
    wrap = lambda v: _wrap(v, digits)  # noqa: E731
    count = len(network.layers)
    loss = network.loss

    output_cache = caches[-1]
    output_activation = network.layers[-1].activation.name
    fused = loss.uses_fused_gradient(output_activation)
    # Softmax with cross-entropy skips dA (it would be -y/p); bce with a
    # sigmoid output still shows dA before the fused dZ = a - y.
    show_output_dA = not (fused and output_activation == "softmax")
    dA = loss.dA(output_cache.a, trace.y) if show_output_dA else None

    for number in range(count, 0, -1):
        layer = network.layers[number - 1]
        cache = caches[number - 1]
        layer_grads = grads[number - 1]
        prev = "x" if number == 1 else f"a{number - 1}"

        if number == count and show_output_dA:
            for j in range(layer.n_out):
                a, t = cache.a[j, 0], trace.y[j, 0]
                add(TraceStep(
                    "backward", "dA", number, (j,), float(dA[j, 0]),
                    f"dA{number}[{j}] = {loss.dA_formula.split('= ', 1)[1]}",
                    _dA_substitution(loss.name, a, t, dA[j, 0], digits),
                ))
        elif number < count:
            upper = network.layers[number]
            upper_dZ = grads[number].dZ
            for k in range(layer.n_out):
                terms = [f"{wrap(upper.W[j, k])}*{wrap(upper_dZ[j, 0])}" for j in range(upper.n_out)]
                symbols = [f"W{number + 1}[{j},{k}]*dZ{number + 1}[{j}]" for j in range(upper.n_out)]
                add(TraceStep(
                    "backward", "dA", number, (k,), float(dA[k, 0]),
                    f"dA{number}[{k}] = " + " + ".join(symbols),
                    " + ".join(terms) + f" = {fmt(dA[k, 0])}",
                ))

        for j in range(layer.n_out):
            dZ = float(layer_grads.dZ[j, 0])
            if number == count and fused:
                formula, substituted = _fused_dZ_step(number, j, cache, trace.y, dZ, digits)
            elif layer.activation.backward_from_output is not None:
                formula, substituted = _jacobian_dZ_step(number, j, cache, dA, dZ, digits)
            else:
                derivative = float(layer.activation.backward(
                    np.ones((1, 1)), cache.z[j:j + 1, 0:1], cache.a[j:j + 1, 0:1]
                )[0, 0])
                formula = (f"dZ{number}[{j}] = dA{number}[{j}] * f'(z{number}[{j}]),  "
                           f"{layer.activation.derivative_formula}")
                substituted = f"{wrap(dA[j, 0])} * {wrap(derivative)} = {fmt(dZ)}"
            add(TraceStep("backward", "dZ", number, (j,), dZ, formula, substituted))

        for j in range(layer.n_out):
            for k in range(layer.n_in):
                dW = layer_grads.dW[j, k]
                add(TraceStep(
                    "backward", "dW", number, (j, k), float(dW),
                    f"dW{number}[{j},{k}] = dZ{number}[{j}] * {prev}[{k}]",
                    f"{wrap(layer_grads.dZ[j, 0])} * {wrap(cache.a_prev[k, 0])} = {fmt(dW)}",
                ))
        for j in range(layer.n_out if include_bias else 0):
            db = layer_grads.db[j, 0]
            add(TraceStep(
                "backward", "db", number, (j,), float(db),
                f"db{number}[{j}] = dZ{number}[{j}]",
                f"{fmt(db)}",
            ))

        dA = layer.W.T @ layer_grads.dZ


def _fused_dZ_step(number: int, j: int, cache, y: np.ndarray, dZ: float, digits: int):
    """dZ = a - y at an output fused with its loss (softmax + cross-entropy, sigmoid + bce)."""
    p, t = cache.a[j, 0], y[j, 0]
    formula = f"dZ{number}[{j}] = a{number}[{j}] - y[{j}]"
    return formula, f"{_wrap(p, digits)} - {_wrap(t, digits)} = {format_number(dZ, digits)}"


def _jacobian_dZ_step(number: int, j: int, cache, dA: np.ndarray, dZ: float, digits: int):
    """dZ_j = a_j (dA_j - sum_i a_i dA_i) for softmax without the fused loss."""
    wrap = lambda v: _wrap(v, digits)  # noqa: E731
    a = cache.a[:, 0]
    weighted = float(np.sum(a * dA[:, 0]))
    formula = (f"dZ{number}[{j}] = a{number}[{j}] * (dA{number}[{j}] - "
               f"sum_i a{number}[i]*dA{number}[i])")
    substituted = (f"{wrap(a[j])} * ({wrap(dA[j, 0])} - {wrap(weighted)}) = "
                   f"{format_number(dZ, digits)}")
    return formula, substituted


def _dA_substitution(loss_name: str, a: float, t: float, dA: float, digits: int) -> str:
    wrap = lambda v: _wrap(v, digits)  # noqa: E731
    if loss_name == "mse":
        return f"{wrap(a)} - {wrap(t)} = {format_number(dA, digits)}"
    if loss_name == "bce":
        return f"({wrap(a)} - {wrap(t)}) / ({wrap(a)}*(1 - {wrap(a)})) = {format_number(dA, digits)}"
    return f"-{wrap(t)} / {wrap(a)} = {format_number(dA, digits)}"
