"""The hint ladder of a problem: the chain-rule factors, then their values, then the worked table.

Rung 1 names the factors, rung 2 gives their values (never the asked value
itself), rung 3 is the worked solution: the engine's trace of every step with
the numbers substituted. Every value comes from the engine.
"""

from __future__ import annotations

import numpy as np

from tutor.checking.quiz.problems import QuizProblem, Target
from tutor.engine.network import Network
from tutor.engine.trace import format_number, trace_pass

RUNGS = 3
RUNG_TITLES = ("Factors", "Their values", "Worked table")


def hint_rungs(problem: QuizProblem) -> list[list[str]]:
    """Return the three rungs of the ladder, each a list of short lines."""
    kind = problem.spec.kind
    if kind == "local-derivative":
        return _local_derivative_rungs(problem)
    if kind == "numerical-gradient":
        return _numerical_rungs(problem)
    if kind == "relative-error":
        return _relative_error_rungs(problem)
    return [_factor_lines(problem), _value_lines(problem), worked_lines(problem)]


def worked_lines(problem: QuizProblem) -> list[str]:
    """Return the worked solution: the engine's trace of each example, then the asked value."""
    kind = problem.spec.kind
    if kind in ("local-derivative", "numerical-gradient", "relative-error"):
        return hint_rungs(problem)[2]

    network, X, Y, target = problem.network, problem.X, problem.Y, problem.target
    digits = problem.spec.digits
    m = problem.batch
    lines: list[str] = []
    per_example = []
    for i in range(m):
        trace = trace_pass(network, X[:, i], Y[:, i], digits=digits)
        if m > 1:
            lines.append(f"Example {i + 1}:")
        lines.extend(f"{step.name} = {step.substituted}" for step in trace.steps)
        if target.quantity in ("dW", "db", "W"):
            name = _gradient_name(target)
            per_example.append(trace.value(name))

    if m > 1 and target.quantity in ("dW", "db", "W"):
        terms = " + ".join(_wrap(value, digits) for value in per_example)
        mean = float(np.mean(per_example))
        lines.append(f"{_gradient_name(target)} = (1/{m}) * ({terms}) = {format_number(mean, digits)}")
    if target.quantity == "W":
        j, k = target.index
        w = network.layers[target.layer - 1].W[j, k]
        lr = problem.given["learning_rate"]
        _, caches = network.forward(X)
        gradient = network.backward(caches, Y)[target.layer - 1].dW[j, k]
        lines.append(f"new {target.label} = {_wrap(w, digits)} - {lr:g} * {_wrap(gradient, digits)}"
                     f" = {format_number(problem.expected, digits)}")
    lines.append(f"Answer: {target.answer_label} = {format_number(problem.expected, digits)}")
    return lines


def _gradient_name(target: Target) -> str:
    inside = ",".join(str(i) for i in target.index)
    quantity = "dW" if target.quantity == "W" else target.quantity
    return f"{quantity}{target.layer}[{inside}]"


def _wrap(value: float, digits: int) -> str:
    text = format_number(value, digits)
    return f"({text})" if text.startswith("-") else text


def _chain_units(network: Network, target: Target) -> list[tuple[int, int]]:
    """Return the (layer, unit) pairs whose dZ the target needs, from the target's layer up."""
    units = [(target.layer, target.index[0])]
    frontier = [target.index[0]]
    for layer in range(target.layer + 1, len(network.layers) + 1):
        frontier = list(range(network.layers[layer - 1].n_out))
        units.extend((layer, unit) for unit in frontier)
    return units


def _factor_lines(problem: QuizProblem) -> list[str]:
    network, target = problem.network, problem.target
    count = len(network.layers)
    j = target.index[0]
    prev = "x" if target.layer == 1 else f"a{target.layer - 1}"
    lines = []
    mean = "(1/m) sum over examples of " if problem.batch > 1 else ""
    if target.quantity == "W":
        lines.append(f"new {target.label} = {target.label} - lr * dW{target.label[1:]}")
    if target.quantity in ("dW", "W"):
        k = target.index[1]
        lines.append(f"dW{target.layer}[{j},{k}] = {mean}dZ{target.layer}[{j}] * {prev}[{k}]")
    if target.quantity == "db":
        lines.append(f"db{target.layer}[{j}] = {mean}dZ{target.layer}[{j}]")

    for layer, unit in _chain_units(network, target):
        lines.append(f"dZ{layer}[{unit}] = dA{layer}[{unit}] * f'(z{layer}[{unit}])")
        if layer == count:
            rule = network.loss.dA_formula.split("= ", 1)[1]
            rule = rule.replace("a", f"a{layer}[{unit}]").replace("y", f"y[{unit}]")
            lines.append(f"dA{layer}[{unit}] = {rule}")
            if network.loss.uses_fused_gradient(network.layers[-1].activation.name):
                lines.append(f"with sigmoid, dZ{layer}[{unit}] = a{layer}[{unit}] - y[{unit}]")
        else:
            above = network.layers[layer]
            terms = " + ".join(f"W{layer + 1}[{i},{unit}]*dZ{layer + 1}[{i}]" for i in range(above.n_out))
            lines.append(f"dA{layer}[{unit}] = {terms}")
    for name in dict.fromkeys(layer.activation.name for layer in network.layers[target.layer - 1:]):
        rule = next(layer.activation for layer in network.layers if layer.activation.name == name)
        lines.append(f"{name}: {rule.derivative_formula}")
    return lines


def _value_lines(problem: QuizProblem) -> list[str]:
    """Return the values of every factor on the chain, per example, leaving out the asked value."""
    network, X, Y, target = problem.network, problem.X, problem.Y, problem.target
    digits = problem.spec.digits
    count = len(network.layers)
    lines = []
    for i in range(problem.batch):
        if problem.batch > 1:
            lines.append(f"Example {i + 1}:")
        _, caches = network.forward(X[:, i:i + 1])
        grads = network.backward(caches, Y[:, i:i + 1])
        if target.quantity in ("dW", "W"):
            k = target.index[1]
            prev = "x" if target.layer == 1 else f"a{target.layer - 1}"
            lines.append(f"{prev}[{k}] = {format_number(caches[target.layer - 1].a_prev[k, 0], digits)}")
        for layer, unit in _chain_units(network, target):
            cache = caches[layer - 1]
            activation = network.layers[layer - 1].activation
            derivative = activation.derivative(cache.z)[unit, 0]
            if layer == count:
                dA = network.loss.dA(cache.a, Y[:, i:i + 1])[unit, 0]
            else:
                dA = (network.layers[layer].W.T @ grads[layer].dZ)[unit, 0]
            lines.append(f"a{layer}[{unit}] = {format_number(cache.a[unit, 0], digits)}, "
                         f"f'(z{layer}[{unit}]) = {format_number(derivative, digits)}")
            lines.append(f"dA{layer}[{unit}] = {format_number(dA, digits)}")
            is_asked = target.quantity == "dZ" and (layer, unit) == (target.layer, target.index[0])
            if not is_asked:
                lines.append(f"dZ{layer}[{unit}] = {format_number(grads[layer - 1].dZ[unit, 0], digits)}")
    if target.quantity == "W":
        lines.append(f"lr = {problem.given['learning_rate']:g}")
    return lines


def _local_derivative_rungs(problem: QuizProblem) -> list[list[str]]:
    from tutor.engine.activations import get_activation

    activation = get_activation(problem.given["activation"])
    digits = problem.spec.digits
    z = np.array([[problem.given["z"]]])
    a = float(activation.forward(z)[0, 0])
    z_text = format_number(z[0, 0], 2)
    answer = format_number(problem.expected, digits)
    factors = [f"{activation.name}: {activation.formula}", activation.derivative_formula]
    values = [f"a = {activation.name}({z_text}) = {format_number(a, digits)}"]
    if activation.name == "sigmoid":
        worked = values + [f"f'(z) = a(1 - a) = {format_number(a, digits)} * (1 - {format_number(a, digits)})"
                           f" = {answer}"]
    elif activation.name == "tanh":
        worked = values + [f"f'(z) = 1 - a^2 = 1 - {_wrap(a, digits)}^2 = {answer}"]
    else:
        worked = [f"z = {z_text} > 0, so f'(z) = {answer}"]
    return [factors, values, worked]


def _numerical_rungs(problem: QuizProblem) -> list[list[str]]:
    given = problem.given
    digits = problem.spec.digits
    eps = given["epsilon"]
    label = problem.target.label
    difference = given["loss_plus"] - given["loss_minus"]
    factors = ["estimate = (L(w + eps) - L(w - eps)) / (2 eps)"]
    values = [f"L(w + eps) - L(w - eps) = {difference:.8f}", f"2 eps = {2 * eps:g}"]
    worked = values + [
        f"{difference:.8f} / {2 * eps:g} = {format_number(problem.expected, digits)}",
        f"Backpropagation gives dL/d{label} = {format_number(given['analytical'], digits)}",
        "The two agree closely: the gradient checks out.",
        f"Answer: {problem.target.answer_label} = {format_number(problem.expected, digits)}",
    ]
    return [factors, values, worked]


def _relative_error_rungs(problem: QuizProblem) -> list[list[str]]:
    digits = problem.spec.digits
    a = np.asarray(problem.given["analytical"])
    n = np.asarray(problem.given["numerical"])
    difference = a - n
    factors = ["error = ||a - n|| / (||a|| + ||n||)", "||v|| = sqrt(sum of v_i^2)"]
    values = [
        "a - n = (" + ", ".join(format_number(v, digits) for v in difference) + ")",
        f"||a - n|| = {format_number(np.linalg.norm(difference), digits)}",
        f"||a|| = {format_number(np.linalg.norm(a), digits)}",
        f"||n|| = {format_number(np.linalg.norm(n), digits)}",
    ]
    worked = values + [
        f"error = {format_number(np.linalg.norm(difference), digits)} / "
        f"({format_number(np.linalg.norm(a), digits)} + {format_number(np.linalg.norm(n), digits)})"
        f" = {format_number(problem.expected, digits)}",
        "Above 1e-4 means a bug: this backward pass is wrong.",
    ]
    return [factors, values, worked]
