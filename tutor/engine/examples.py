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


EXAMPLES: dict[str, WorkedExample] = {
    "single-chain": WorkedExample(
        "single-chain", "Single chain: x -> w1 -> sigmoid -> w2 -> sigmoid",
        _single_chain, (1.0,), (1.0,), include_bias=False,
    ),
    "xor-2-2-1": WorkedExample(
        "xor-2-2-1", "2-2-1 sigmoid network on the XOR example x = (1, 0), y = 1",
        _xor_2_2_1, (1.0, 0.0), (1.0,),
    ),
}


def get_example(name: str) -> WorkedExample:
    try:
        return EXAMPLES[name]
    except KeyError:
        known = ", ".join(sorted(EXAMPLES))
        raise ValueError(f"unknown worked example {name!r}; expected one of: {known}") from None


def xor_training_data() -> tuple[np.ndarray, np.ndarray]:
    return datasets.xor()
