"""Named worked examples that lessons refer to by name.

A lesson block says `example: xor-2-2-1`; the app asks this module for the
network and the example to trace. Every number a lesson shows comes from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from tutor.engine import datasets
from tutor.engine.network import Network, network_from_weights


@dataclass(frozen=True)
class WorkedExample:
    """A network, one input x and its target y, ready to trace."""

    name: str
    title: str
    build: Callable[[], Network]
    x: tuple[float, ...]
    y: tuple[float, ...]
    include_bias: bool = True
    learning_rate: float | None = None
    source: str = ""


def _single_chain() -> Network:
    return network_from_weights([([[0.5]], [0.0]), ([[0.8]], [0.0])], "sigmoid", "mse")


def _xor_2_2_1() -> Network:
    return network_from_weights(
        [
            ([[0.5, -0.4], [0.3, 0.8]], [0.1, -0.2]),
            ([[0.7, -0.6]], [0.2]),
        ],
        "sigmoid",
        "mse",
    )


def _mazur_2_2_2() -> Network:
    # Weights and biases of Matt Mazur's "A Step by Step Backpropagation
    # Example" (2015): w1..w4 form W1 row by row, w5..w8 form W2, and each
    # layer's single shared bias (0.35, 0.60) is given to both of its units.
    return network_from_weights(
        [
            ([[0.15, 0.20], [0.25, 0.30]], [0.35, 0.35]),
            ([[0.40, 0.45], [0.50, 0.55]], [0.60, 0.60]),
        ],
        "sigmoid",
        "mse",
    )


EXAMPLES: dict[str, WorkedExample] = {
    "single-chain": WorkedExample(
        "single-chain", "Single chain: x -> w1 -> sigmoid -> w2 -> sigmoid",
        _single_chain, (1.0,), (1.0,), include_bias=False,
    ),
    "xor-2-2-1": WorkedExample(
        "xor-2-2-1", "2-2-1 sigmoid network on the XOR example x = (1, 0), y = 1",
        _xor_2_2_1, (1.0, 0.0), (1.0,),
    ),
    "mazur-2-2-2": WorkedExample(
        "mazur-2-2-2", "2-2-2 sigmoid network with squared error, one SGD step (lr 0.5)",
        _mazur_2_2_2, (0.05, 0.10), (0.01, 0.99),
        learning_rate=0.5,
        source="Matt Mazur, A Step by Step Backpropagation Example, 2015",
    ),
}


def get_example(name: str) -> WorkedExample:
    """Look up a worked example by name; raise ValueError that lists the known names."""
    try:
        return EXAMPLES[name]
    except KeyError:
        known = ", ".join(sorted(EXAMPLES))
        raise ValueError(f"unknown worked example {name!r}; expected one of: {known}") from None


def xor_training_data() -> tuple[np.ndarray, np.ndarray]:
    """Return the four XOR examples: X (2, 4) and Y (1, 4)."""
    return datasets.xor()
