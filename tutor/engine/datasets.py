"""Small data sets that work offline, in the course's (n_features, m) layout."""

from __future__ import annotations

import numpy as np


def xor() -> tuple[np.ndarray, np.ndarray]:
    """Return the four XOR examples: X (2, 4) and Y (1, 4)."""
    X = np.array([[0, 0, 1, 1],
                  [0, 1, 0, 1]], dtype=float)
    Y = np.array([[0, 1, 1, 0]], dtype=float)
    return X, Y
