"""Loss functions with their constant factors stated.

Shapes follow the course convention: predictions A and targets Y are
(n_out, m), one column per example. `value` is the mean loss over the batch.
`dA` is the per-example gradient, the derivative of one example's own loss
with respect to its prediction; the 1/m of the mean enters later, at dW and db.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

# Predictions are clipped this far from 0 and 1 before a log or a division,
# so a prediction of exactly 0 or 1 gives a large finite loss, never inf or NaN.
PROBABILITY_EPSILON = 1e-12


@dataclass(frozen=True)
class Loss:
    """A loss L(A, Y) averaged over the batch, and its per-example gradient dA."""

    name: str
    value: Callable[[np.ndarray, np.ndarray], float]
    dA: Callable[[np.ndarray, np.ndarray], np.ndarray]
    formula: str
    dA_formula: str
    fused_activation: str | None = None
    fused_dZ_formula: str | None = None

    def fused_dZ(self, A: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """Return dZ of the output layer when the loss is fused with its activation (p - y)."""
        if self.fused_activation is None:
            raise ValueError(f"loss {self.name!r} is not fused with an activation")
        return A - Y


def _batch_size(A: np.ndarray) -> int:
    return A.shape[1] if A.ndim == 2 else 1


def mse_value(A: np.ndarray, Y: np.ndarray) -> float:
    """Return 1/(2m) * sum((A - Y)^2) over every output and example."""
    return float(np.sum((A - Y) ** 2) / (2 * _batch_size(A)))


def mse_dA(A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    return A - Y


def bce_value(A: np.ndarray, Y: np.ndarray) -> float:
    """Return -1/m * sum(y log a + (1 - y) log(1 - a))."""
    A = np.clip(A, PROBABILITY_EPSILON, 1 - PROBABILITY_EPSILON)
    return float(-np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / _batch_size(A))


def bce_dA(A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    A = np.clip(A, PROBABILITY_EPSILON, 1 - PROBABILITY_EPSILON)
    return (A - Y) / (A * (1 - A))


def cross_entropy_value(P: np.ndarray, Y: np.ndarray) -> float:
    """Return -1/m * sum(y log p) for softmax probabilities P and one-hot Y."""
    P = np.clip(P, PROBABILITY_EPSILON, 1.0)
    return float(-np.sum(Y * np.log(P)) / _batch_size(P))


def cross_entropy_dA(P: np.ndarray, Y: np.ndarray) -> np.ndarray:
    P = np.clip(P, PROBABILITY_EPSILON, 1.0)
    return -Y / P


LOSSES: dict[str, Loss] = {
    "mse": Loss(
        "mse", mse_value, mse_dA,
        "L = 1/(2m) * sum (a - y)^2", "dL/da = a - y",
    ),
    "bce": Loss(
        "bce", bce_value, bce_dA,
        "L = -1/m * sum [y log a + (1 - y) log(1 - a)]", "dL/da = (a - y) / (a(1 - a))",
    ),
    "cross_entropy": Loss(
        "cross_entropy", cross_entropy_value, cross_entropy_dA,
        "L = -1/m * sum y log p", "dL/dp = -y / p",
        fused_activation="softmax", fused_dZ_formula="dZ = p - y",
    ),
}


def get_loss(name: str) -> Loss:
    """Look up a loss by name; raise ValueError that lists the known names."""
    try:
        return LOSSES[name]
    except KeyError:
        known = ", ".join(sorted(LOSSES))
        raise ValueError(f"unknown loss {name!r}; expected one of: {known}") from None
