"""Numerical gradient checking by central differences.

The numerical estimate of dL/dtheta is (L(theta + eps) - L(theta - eps)) / (2 eps),
one parameter entry at a time. Agreement is measured by the relative error
||a - n|| / (||a|| + ||n||), which is scale-free:
    below 1e-7   the analytical gradient is right
    1e-7 .. 1e-4 suspicious unless the network has kinks (ReLU) near the point
    above 1e-4   almost certainly a bug
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tutor.engine.network import Network

DEFAULT_EPSILON = 1e-5
RELATIVE_ERROR_OK = 1e-7
RELATIVE_ERROR_BUG = 1e-4


def relative_error(analytical, numerical) -> float:
    """Return ||a - n|| / (||a|| + ||n||), and 0.0 when both are zero."""
    analytical = np.asarray(analytical, dtype=float)
    numerical = np.asarray(numerical, dtype=float)
    denominator = np.linalg.norm(analytical) + np.linalg.norm(numerical)
    if denominator == 0.0:
        return 0.0
    return float(np.linalg.norm(analytical - numerical) / denominator)


def numerical_gradient(f, theta: np.ndarray, eps: float = DEFAULT_EPSILON) -> np.ndarray:
    """Estimate df/dtheta entry by entry; f() reads theta, which is perturbed in place and restored."""
    grad = np.zeros_like(theta, dtype=float)
    iterator = np.nditer(theta, flags=["multi_index"])
    for _ in iterator:
        index = iterator.multi_index
        original = theta[index]
        theta[index] = original + eps
        plus = f()
        theta[index] = original - eps
        minus = f()
        theta[index] = original
        grad[index] = (plus - minus) / (2 * eps)
    return grad


@dataclass
class ParameterCheck:
    """The check of one parameter array, such as W1."""

    name: str
    analytical: np.ndarray
    numerical: np.ndarray
    relative_error: float


def check_network_gradients(
    network: Network, X: np.ndarray, Y: np.ndarray, eps: float = DEFAULT_EPSILON
) -> list[ParameterCheck]:
    """Compare backward with central differences for every W and b of the network."""
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    _, grads = network.loss_and_gradients(X, Y)
    checks = []
    for number, (layer, layer_grads) in enumerate(zip(network.layers, grads), start=1):
        for name, theta, analytical in (
            (f"W{number}", layer.W, layer_grads.dW),
            (f"b{number}", layer.b, layer_grads.db),
        ):
            numerical = numerical_gradient(lambda: network.compute_loss(X, Y), theta, eps)
            checks.append(ParameterCheck(name, analytical, numerical,
                                         relative_error(analytical, numerical)))
    return checks
