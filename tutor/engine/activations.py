"""Activation functions, each beside its local derivative.

Every activation maps z to a = f(z) elementwise and knows f'(z), the factor
that the backward pass multiplies into delta. Softmax is the exception: it
couples the units of a column, so its derivative is a Jacobian, and the
engine only backpropagates through it fused with cross-entropy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Activation:
    """An elementwise activation f with its derivative f'(z).

    `formula` and `derivative_formula` are the plain-text rules that traces
    and lessons show, written in terms of z (and a where that is shorter).
    """

    name: str
    forward: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray], np.ndarray]
    formula: str
    derivative_formula: str


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Return 1 / (1 + exp(-z)) without overflow for large |z|."""
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    positive = z >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-z[positive]))
    exp_z = np.exp(z[~positive])
    out[~positive] = exp_z / (1.0 + exp_z)
    return out


def sigmoid_derivative(z: np.ndarray) -> np.ndarray:
    a = sigmoid(z)
    return a * (1.0 - a)


def tanh_derivative(z: np.ndarray) -> np.ndarray:
    return 1.0 - np.tanh(z) ** 2


def relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


def relu_derivative(z: np.ndarray) -> np.ndarray:
    """Return 1 where z > 0 and 0 elsewhere (the subgradient 0 at the kink)."""
    return (np.asarray(z) > 0).astype(float)


LEAKY_SLOPE = 0.01


def leaky_relu(z: np.ndarray) -> np.ndarray:
    return np.where(z > 0, z, LEAKY_SLOPE * z)


def leaky_relu_derivative(z: np.ndarray) -> np.ndarray:
    return np.where(np.asarray(z) > 0, 1.0, LEAKY_SLOPE)


def softmax(z: np.ndarray) -> np.ndarray:
    """Return exp(z) / sum(exp(z)) per column, shifted by the column max so it never overflows."""
    z = np.asarray(z, dtype=float)
    shifted = z - z.max(axis=0, keepdims=True)
    exp_z = np.exp(shifted)
    return exp_z / exp_z.sum(axis=0, keepdims=True)


def _softmax_derivative(z: np.ndarray) -> np.ndarray:
    raise NotImplementedError(
        "softmax has a Jacobian, not an elementwise derivative; "
        "pair it with the cross_entropy loss, whose fused gradient is p - y"
    )


ACTIVATIONS: dict[str, Activation] = {
    "identity": Activation(
        "identity", lambda z: np.asarray(z, dtype=float), lambda z: np.ones_like(z, dtype=float),
        "a = z", "f'(z) = 1",
    ),
    "sigmoid": Activation(
        "sigmoid", sigmoid, sigmoid_derivative,
        "a = 1 / (1 + e^-z)", "f'(z) = a(1 - a)",
    ),
    "tanh": Activation(
        "tanh", np.tanh, tanh_derivative,
        "a = tanh(z)", "f'(z) = 1 - a^2",
    ),
    "relu": Activation(
        "relu", relu, relu_derivative,
        "a = max(0, z)", "f'(z) = 1 if z > 0 else 0",
    ),
    "leaky_relu": Activation(
        "leaky_relu", leaky_relu, leaky_relu_derivative,
        f"a = z if z > 0 else {LEAKY_SLOPE}z", f"f'(z) = 1 if z > 0 else {LEAKY_SLOPE}",
    ),
    "softmax": Activation(
        "softmax", softmax, _softmax_derivative,
        "a_i = e^z_i / sum_j e^z_j", "Jacobian; fused with cross-entropy: dZ = p - y",
    ),
}


def get_activation(name: str) -> Activation:
    """Look up an activation by name; raise ValueError that lists the known names."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        known = ", ".join(sorted(ACTIVATIONS))
        raise ValueError(f"unknown activation {name!r}; expected one of: {known}") from None
