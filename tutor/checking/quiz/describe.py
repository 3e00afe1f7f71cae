"""The text of a problem: short lines that fit a lab pane about 35 columns wide."""

from __future__ import annotations

import numpy as np

from tutor.checking.quiz.problems import QuizProblem
from tutor.engine.network import Network
from tutor.engine.trace import format_number


def short_number(value: float) -> str:
    """Format a drawn value with the decimals it has, at most two: 0.5, -0.25, 1.0."""
    text = f"{value:.2f}".rstrip("0")
    if text.endswith("."):
        text += "0"
    return "0.0" if text == "-0.0" else text


def vector(values) -> str:
    """Format a vector as (0.5, -1.0), or a single value as 0.5."""
    values = list(values)
    if len(values) == 1:
        return short_number(values[0])
    return "(" + ", ".join(short_number(v) for v in values) + ")"


def matrix_row(values) -> str:
    return "[" + ", ".join(short_number(v) for v in values) + "]"


def network_lines(network: Network, X: np.ndarray, Y: np.ndarray) -> list[str]:
    """Describe a network, its examples and its loss with the loss's constant factor."""
    sizes = "-".join(str(size) for size in network.sizes)
    names = [layer.activation.name for layer in network.layers]
    if len(set(names)) == 1:
        units = f"{names[0]} units"
    else:
        units = f"{names[0]} hidden, {names[-1]} output"
    m = X.shape[1]
    lines = [f"Network {sizes}, {units}", f"Loss: {network.loss.name.upper()}", network.loss.formula]
    if m == 1:
        lines.append(f"x = {vector(X[:, 0])}, y = {vector(Y[:, 0])}")
    else:
        lines.append(f"Batch of m = {m} examples:")
        for i in range(m):
            lines.append(f"x({i + 1}) = {vector(X[:, i])}, y({i + 1}) = {vector(Y[:, i])}")
    lines.append("z = W @ a_prev + b, and W[j,k]")
    lines.append("joins input k to unit j")
    for number, layer in enumerate(network.layers, start=1):
        if layer.n_out == 1:
            lines.append(f"W{number} = {matrix_row(layer.W[0])}")
        else:
            for j, row in enumerate(layer.W):
                lines.append(f"W{number} row {j}: {matrix_row(row)}")
        lines.append(f"b{number} = {vector(layer.b[:, 0])}")
    return lines


def problem_lines(problem: QuizProblem) -> list[str]:
    """Return what the learner sees: the givens and the question, one short line each."""
    kind = problem.spec.kind
    given = problem.given
    if kind == "local-derivative":
        return [
            f"A {given['activation']} unit has z = {short_number(given['z'])}.",
            "Find f'(z) = da/dz.",
        ]
    if kind == "relative-error":
        return [
            "A backward pass gave row 0 of dW1:",
            f"a = {_vector4(given['analytical'], problem.spec.digits)}",
            "The numerical check of that row:",
            f"n = {_vector4(given['numerical'], problem.spec.digits)}",
            "Find the relative error of a, n.",
        ]

    lines = network_lines(problem.network, problem.X, problem.Y)
    label = problem.target.label
    if kind == "numerical-gradient":
        eps = given["epsilon"]
        lines += [
            f"With eps = {eps:g}, the loss at",
            f"{label} = {short_number(given['weight'])} + eps: {given['loss_plus']:.8f}",
            f"{label} = {short_number(given['weight'])} - eps: {given['loss_minus']:.8f}",
            f"Estimate dL/d{label} with the",
            "central difference.",
        ]
        return lines
    if kind == "weight-update":
        lines.append(f"One gradient step, lr = {given['learning_rate']:g}.")
        lines.append(f"Find the new {label}.")
        return lines
    average = " (batch mean)" if problem.batch > 1 else ""
    symbol = {"dZ": "z", "dW": "W", "db": "b"}[problem.target.quantity]
    lines.append(f"Find {label} = dL/d{symbol}{label[2:]}{average}.")
    return lines


def _vector4(values, digits: int) -> str:
    return "(" + ", ".join(format_number(v, digits) for v in values) + ")"
