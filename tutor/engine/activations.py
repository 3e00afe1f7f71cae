"""Activation functions, each beside its local derivative.

Every activation maps z to a = f(z) elementwise and provides f'(z), the factor
that the backward pass multiplies into dA to get dZ. Softmax is the exception:
it couples the units of a column, so its backward pass is a Jacobian-vector
product (`softmax_backward`). With cross-entropy the network skips that
product and uses the fused gradient dZ = p - y.
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
    `derivative_from_output`, when set, computes f'(z) from z and the cached
    a = f(z) without evaluating f again; `backward_from_output`, when set,
    replaces the elementwise rule dZ = dA * f'(z) (softmax uses it).
    """

    name: str
    forward: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray], np.ndarray]
    formula: str
    derivative_formula: str
    derivative_from_output: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None
    backward_from_output: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None
    has_kink: bool = False

    def backward(self, dA: np.ndarray, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        """dA, z, a (n, m) -> dZ = dA * f'(z), using the cached a where that saves work."""
        if self.backward_from_output is not None:
            return self.backward_from_output(dA, a)
        if self.derivative_from_output is not None:
            return dA * self.derivative_from_output(z, a)
        return dA * self.derivative(z)


def identity(z: np.ndarray) -> np.ndarray:
    """a = z."""
    return np.asarray(z, dtype=float)


def identity_derivative(z: np.ndarray) -> np.ndarray:
    """f'(z) = 1."""
    return np.ones_like(z, dtype=float)


# Below this z, e^-z would overflow float64; sigmoid(z) there is under 1e-307.
SIGMOID_FLOOR = -708.0


def sigmoid(z: np.ndarray) -> np.ndarray:
    """a = 1 / (1 + e^-z), accurate in both tails; z below -708 counts as -708 (a ~ 3e-308)."""
    z = np.asarray(z, dtype=float)
    return 1.0 / (1.0 + np.exp(-np.maximum(z, SIGMOID_FLOOR)))


def sigmoid_derivative(z: np.ndarray) -> np.ndarray:
    """f'(z) = a(1 - a) with a = sigmoid(z)."""
    a = sigmoid(z)
    return a * (1.0 - a)


def _sigmoid_derivative_from_output(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return a * (1.0 - a)


def tanh(z: np.ndarray) -> np.ndarray:
    """a = tanh(z)."""
    return np.tanh(z)


def tanh_derivative(z: np.ndarray) -> np.ndarray:
    """f'(z) = 1 - tanh(z)^2."""
    return 1.0 - np.tanh(z) ** 2


def _tanh_derivative_from_output(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return 1.0 - a * a


def relu(z: np.ndarray) -> np.ndarray:
    """a = max(0, z)."""
    return np.maximum(z, 0.0)


def relu_derivative(z: np.ndarray) -> np.ndarray:
    """Return 1 where z > 0 and 0 elsewhere (the subgradient 0 at the kink)."""
    return (np.asarray(z) > 0).astype(float)


LEAKY_SLOPE = 0.01


def _relu_derivative_from_output(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return z > 0  # a boolean mask; dA * mask is dA where z > 0 and 0 elsewhere


def leaky_relu(z: np.ndarray) -> np.ndarray:
    """a = z for z > 0, else LEAKY_SLOPE * z."""
    return np.where(z > 0, z, LEAKY_SLOPE * z)


def leaky_relu_derivative(z: np.ndarray) -> np.ndarray:
    """f'(z) = 1 for z > 0, else LEAKY_SLOPE (LEAKY_SLOPE at the kink)."""
    return np.where(np.asarray(z) > 0, 1.0, LEAKY_SLOPE)


def softmax(z: np.ndarray) -> np.ndarray:
    """Return exp(z) / sum(exp(z)) per column, shifted by the column max so it never overflows."""
    z = np.asarray(z, dtype=float)
    shifted = z - np.maximum.reduce(z, axis=0, keepdims=True)
    exp_z = np.exp(shifted)
    return exp_z / np.add.reduce(exp_z, axis=0, keepdims=True)


def softmax_backward(dA: np.ndarray, a: np.ndarray) -> np.ndarray:
    """dA, a (n, m) -> dZ = a * (dA - sum_i a_i dA_i), the softmax Jacobian applied per column."""
    return a * (dA - np.sum(a * dA, axis=0, keepdims=True))


def _softmax_derivative(z: np.ndarray) -> np.ndarray:
    raise NotImplementedError(
        "softmax has a Jacobian, not an elementwise derivative; "
        "use softmax_backward(dA, a), or pair softmax with the cross_entropy loss "
        "(fused gradient dZ = p - y)"
    )


ACTIVATIONS: dict[str, Activation] = {
    "identity": Activation(
        "identity", identity, identity_derivative,
        "a = z", "f'(z) = 1",
    ),
    "sigmoid": Activation(
        "sigmoid", sigmoid, sigmoid_derivative,
        "a = 1 / (1 + e^-z)", "f'(z) = a(1 - a)",
        derivative_from_output=_sigmoid_derivative_from_output,
    ),
    "tanh": Activation(
        "tanh", tanh, tanh_derivative,
        "a = tanh(z)", "f'(z) = 1 - a^2",
        derivative_from_output=_tanh_derivative_from_output,
    ),
    "relu": Activation(
        "relu", relu, relu_derivative,
        "a = max(0, z)", "f'(z) = 1 if z > 0 else 0",
        derivative_from_output=_relu_derivative_from_output,
        has_kink=True,
    ),
    "leaky_relu": Activation(
        "leaky_relu", leaky_relu, leaky_relu_derivative,
        f"a = z if z > 0 else {LEAKY_SLOPE}z", f"f'(z) = 1 if z > 0 else {LEAKY_SLOPE}",
        has_kink=True,
    ),
    "softmax": Activation(
        "softmax", softmax, _softmax_derivative,
        "a_i = e^z_i / sum_j e^z_j", "Jacobian; fused with cross-entropy: dZ = p - y",
        backward_from_output=softmax_backward,
    ),
}


def get_activation(name: str) -> Activation:
    """Look up an activation by name; raise ValueError that lists the known names."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        known = ", ".join(sorted(ACTIVATIONS))
        raise ValueError(f"unknown activation {name!r}; expected one of: {known}") from None
