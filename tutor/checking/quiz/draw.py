"""Friendly random numbers for problems worked by hand, drawn from a seeded numpy Generator."""

from __future__ import annotations

import numpy as np

from tutor.engine.network import Network, network_from_weights

ONE_DECIMAL = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
TWO_DECIMALS = (0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85)
# Share of weights drawn with two decimals; the rest get one.
TWO_DECIMAL_SHARE = 0.25
BIASES = (-0.4, -0.3, -0.2, -0.1, 0.0, 0.1, 0.2, 0.3, 0.4)
INPUTS = (-2.0, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0)
TARGETS = {
    "sigmoid": (0.0, 1.0),
    "tanh": (-1.0, -0.5, 0.5, 1.0),
    "relu": (0.5, 1.0, 1.5, 2.0),
}
# Share of positive weights in ReLU networks, so that most draws keep every unit active.
RELU_POSITIVE_SHARE = 0.75


def draw_weight(rng: np.random.Generator, positive_share: float = 0.5) -> float:
    """Return a nonzero weight such as 0.5, -0.3 or 0.25."""
    pool = TWO_DECIMALS if rng.random() < TWO_DECIMAL_SHARE else ONE_DECIMAL
    magnitude = float(pool[rng.integers(len(pool))])
    return magnitude if rng.random() < positive_share else -magnitude


def draw_from(rng: np.random.Generator, values: tuple[float, ...]) -> float:
    return float(values[rng.integers(len(values))])


def draw_network(
    rng: np.random.Generator, sizes: tuple[int, ...], activations: list[str], loss: str
) -> Network:
    """Build a network of friendly weights and biases through the engine."""
    positive_share = RELU_POSITIVE_SHARE if "relu" in activations else 0.5
    weights = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        W = [[draw_weight(rng, positive_share) for _ in range(n_in)] for _ in range(n_out)]
        b = [draw_from(rng, BIASES) for _ in range(n_out)]
        weights.append((W, b))
    return network_from_weights(weights, activations, loss)


def draw_examples(
    rng: np.random.Generator, n_in: int, n_out: int, m: int, output_activation: str
) -> tuple[np.ndarray, np.ndarray]:
    """Return X (n_in, m) of small inputs and Y (n_out, m) of targets the output unit can reach."""
    X = np.array([[draw_from(rng, INPUTS) for _ in range(m)] for _ in range(n_in)])
    Y = np.array([[draw_from(rng, TARGETS[output_activation]) for _ in range(m)] for _ in range(n_out)])
    return X, Y


def draw_z(rng: np.random.Generator) -> float:
    """Return a pre-activation such as 0.35 or -1.2 (a multiple of 0.05 in [-2, 2], never 0)."""
    steps = int(rng.integers(1, 41))
    sign = 1.0 if rng.random() < 0.5 else -1.0
    return round(sign * steps * 0.05, 2)
