"""Weight initialisations, always drawn from an explicit numpy Generator."""

from __future__ import annotations

import numpy as np


def initialize_weights(name: str, n_out: int, n_in: int, rng: np.random.Generator) -> np.ndarray:
    """Return a (n_out, n_in) weight matrix.

    zeros: all 0 (shows the symmetry problem); small: N(0, 0.01^2);
    xavier: N(0, 2 / (n_in + n_out)) (Glorot); he: N(0, 2 / n_in).
    """
    if name == "zeros":
        return np.zeros((n_out, n_in))
    if name == "small":
        return rng.normal(0.0, 0.01, size=(n_out, n_in))
    if name == "xavier":
        return rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_out, n_in))
    if name == "he":
        return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in))
    raise ValueError(f"unknown initialisation {name!r}; expected zeros, small, xavier or he")
