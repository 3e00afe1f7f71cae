"""Loss functions with their constant factors stated.

Shapes follow the course convention: predictions A and targets Y are
(n_out, m), one column per example. `value` is the mean loss over the batch.
`dA` is the per-example gradient, the derivative of one example's own loss
with respect to its prediction; the 1/m of the mean enters later, at dW and db.

Two losses have a fused output gradient. Cross-entropy after softmax gives
dZ = p - y and works only with a softmax output layer. Binary cross-entropy
after sigmoid gives dZ = a - y; the network uses it whenever the output layer
is sigmoid, because dA * a(1 - a) loses all precision once a rounds to 0 or 1
(a logit of 40 would get dZ = 0 instead of about 1). Other output activations
go through dA as usual.
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
    fused_required: bool = True

    def fused_dZ(self, A: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """Return dZ of the output layer when the loss is fused with its activation (p - y)."""
        if self.fused_activation is None:
            raise ValueError(f"loss {self.name!r} is not fused with an activation")
        return A - Y

    def uses_fused_gradient(self, activation_name: str) -> bool:
        """Tell whether an output layer with this activation takes dZ = a - y directly.

        Raises ValueError when the loss only works fused and the activation does not match.
        """
        if self.fused_activation is None:
            return False
        if activation_name == self.fused_activation:
            return True
        if self.fused_required:
            raise ValueError(
                f"loss {self.name!r} needs a {self.fused_activation} output layer, "
                f"not {activation_name}"
            )
        return False


def _batch_size(A: np.ndarray) -> int:
    return A.shape[1] if A.ndim == 2 else 1


def mse_value(A: np.ndarray, Y: np.ndarray) -> float:
    """Return 1/(2m) * sum((A - Y)^2) over every output and example."""
    diff = A - Y
    return float(np.add.reduce(diff * diff, axis=None)) / (2 * _batch_size(A))


def mse_dA(A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """dL/da = a - y per example (the 1/2 cancels the square's 2)."""
    return A - Y


def bce_value(A: np.ndarray, Y: np.ndarray) -> float:
    """Return -1/m * sum(y log a + (1 - y) log(1 - a))."""
    A = np.clip(A, PROBABILITY_EPSILON, 1 - PROBABILITY_EPSILON)
    return float(-np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / _batch_size(A))


def bce_dA(A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """dL/da = (a - y) / (a(1 - a)) per example, with a clipped away from 0 and 1."""
    A = np.clip(A, PROBABILITY_EPSILON, 1 - PROBABILITY_EPSILON)
    return (A - Y) / (A * (1 - A))


def cross_entropy_value(P: np.ndarray, Y: np.ndarray) -> float:
    """Return -1/m * sum(y log p) for softmax probabilities P and one-hot Y."""
    P = np.maximum(P, PROBABILITY_EPSILON)
    return -float(np.add.reduce(Y * np.log(P), axis=None)) / _batch_size(P)


def cross_entropy_dA(P: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """dL/dp = -y / p per example, with p clipped away from 0."""
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
        fused_activation="sigmoid", fused_dZ_formula="dZ = a - y", fused_required=False,
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
