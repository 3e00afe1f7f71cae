"""Small data sets that work offline, in the course's (n_features, m) layout.

Every function returns X with one column per example and Y ready for a loss.
For two classes Y is a (1, m) row of 0/1 targets, to pair with a sigmoid
output and bce. For more classes Y is one-hot (n_classes, m), to pair with
softmax and cross_entropy. Generators take an explicit seed and return the examples in
shuffled order, so any leading slice mixes the classes.
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from importlib import resources
from typing import Sequence

import numpy as np

DIGITS_FILE = "digits.csv.gz"
DIGITS_ATTRIBUTION = (
    "UCI ML hand-written digits (Optical Recognition of Handwritten Digits), "
    "E. Alpaydin and C. Kaynak, 1998, CC BY 4.0"
)


def xor() -> tuple[np.ndarray, np.ndarray]:
    """Return the four XOR examples: X (2, 4) and Y (1, 4)."""
    X = np.array([[0, 0, 1, 1],
                  [0, 1, 0, 1]], dtype=float)
    Y = np.array([[0, 1, 1, 0]], dtype=float)
    return X, Y


def one_hot(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """labels (m,) of ints in [0, n_classes) -> Y (n_classes, m) with a single 1 per column."""
    labels = np.asarray(labels, dtype=int).ravel()
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"labels must lie in [0, {n_classes}), got {labels.min()}..{labels.max()}")
    Y = np.zeros((n_classes, labels.size))
    Y[labels, np.arange(labels.size)] = 1.0
    return Y


def labels_of(Y: np.ndarray) -> np.ndarray:
    """Y (n_out, m) -> class labels (m,): argmax per column, or y >= 0.5 for one row."""
    Y = np.asarray(Y)
    if Y.shape[0] == 1:
        return (Y[0] >= 0.5).astype(int)
    return Y.argmax(axis=0)


def _shuffled(X: np.ndarray, labels: np.ndarray, rng: np.random.Generator):
    order = rng.permutation(X.shape[1])
    return X[:, order], labels[order]


def two_moons(n: int = 200, *, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles: X (2, n), Y (1, n); the upper moon is class 0.

    The upper moon is (cos t, sin t) and the lower one (1 - cos t, 0.5 - sin t)
    for t in [0, pi]; Gaussian noise of standard deviation `noise` is added.
    """
    rng = np.random.default_rng(seed)
    n_upper = n // 2
    n_lower = n - n_upper
    t_upper = np.linspace(0.0, np.pi, n_upper)
    t_lower = np.linspace(0.0, np.pi, n_lower)
    upper = np.vstack([np.cos(t_upper), np.sin(t_upper)])
    lower = np.vstack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)])
    X = np.hstack([upper, lower]) + rng.normal(0.0, noise, size=(2, n))
    labels = np.concatenate([np.zeros(n_upper, dtype=int), np.ones(n_lower, dtype=int)])
    X, labels = _shuffled(X, labels, rng)
    return X, labels[np.newaxis, :].astype(float)


def circles(
    n: int = 200, *, noise: float = 0.05, factor: float = 0.5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles: X (2, n), Y (1, n); the outer circle (radius 1) is class 0.

    The inner circle has radius `factor`; Gaussian noise of standard deviation
    `noise` is added. No straight line separates the classes.
    """
    if not 0.0 < factor < 1.0:
        raise ValueError(f"factor must lie strictly between 0 and 1, got {factor}")
    rng = np.random.default_rng(seed)
    n_outer = n // 2
    n_inner = n - n_outer
    t_outer = np.linspace(0.0, 2 * np.pi, n_outer, endpoint=False)
    t_inner = np.linspace(0.0, 2 * np.pi, n_inner, endpoint=False)
    outer = np.vstack([np.cos(t_outer), np.sin(t_outer)])
    inner = factor * np.vstack([np.cos(t_inner), np.sin(t_inner)])
    X = np.hstack([outer, inner]) + rng.normal(0.0, noise, size=(2, n))
    labels = np.concatenate([np.zeros(n_outer, dtype=int), np.ones(n_inner, dtype=int)])
    X, labels = _shuffled(X, labels, rng)
    return X, labels[np.newaxis, :].astype(float)


def spirals(
    n_per_class: int = 100, *, n_classes: int = 3, noise: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Spiral arms, one per class: X (2, n_per_class * n_classes), Y one-hot (n_classes, m).

    Arm k runs from the centre out to radius 1 while its angle turns from
    4k to 4(k + 1) radians; Gaussian noise of standard deviation `noise` is
    added to the angle.
    """
    if n_classes < 2:
        raise ValueError(f"spirals needs at least 2 classes, got {n_classes}")
    rng = np.random.default_rng(seed)
    arms = []
    labels = []
    radius = np.linspace(0.0, 1.0, n_per_class)
    for k in range(n_classes):
        angle = np.linspace(4.0 * k, 4.0 * (k + 1), n_per_class)
        angle = angle + rng.normal(0.0, noise, size=n_per_class)
        arms.append(np.vstack([radius * np.sin(angle), radius * np.cos(angle)]))
        labels.append(np.full(n_per_class, k))
    X, label_array = _shuffled(np.hstack(arms), np.concatenate(labels), rng)
    return X, one_hot(label_array, n_classes)


@lru_cache(maxsize=1)
def _digits_table() -> np.ndarray:
    path = resources.files("tutor.engine").joinpath("data", DIGITS_FILE)
    with path.open("rb") as raw, gzip.open(raw, "rt") as text:
        table = np.loadtxt(text, delimiter=",", dtype=float)
    table.setflags(write=False)
    return table


def digits_images() -> tuple[np.ndarray, np.ndarray]:
    """Return the raw digits: images (1797, 8, 8) of pixel counts 0..16 and labels (1797,)."""
    table = _digits_table()
    return table[:, :64].reshape(-1, 8, 8).copy(), table[:, 64].astype(int)


def digits() -> tuple[np.ndarray, np.ndarray]:
    """Return the UCI 8x8 digits: X (64, 1797) scaled to [0, 1] and Y one-hot (10, 1797).

    Pixel counts run from 0 to 16, so X = count / 16. Column i of X is image
    i read row by row. Shipped with the package; see data/DIGITS-LICENSE.md.
    """
    table = _digits_table()
    X = table[:, :64].T / 16.0
    Y = one_hot(table[:, 64].astype(int), 10)
    return X, Y


def split_dataset(
    X: np.ndarray, Y: np.ndarray, fractions: Sequence[float], *, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Shuffle the columns with `seed` and cut them into parts, such as (0.8, 0.1, 0.1).

    Each part but the last gets floor(fraction * m) examples; the last gets the rest.
    The fractions must be positive and sum to 1.
    """
    if not fractions or any(f <= 0 for f in fractions) or abs(sum(fractions) - 1.0) > 1e-9:
        raise ValueError(f"fractions must be positive and sum to 1, got {list(fractions)}")
    X = np.asarray(X)
    Y = np.asarray(Y)
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"X has {X.shape[1]} examples but Y has {Y.shape[1]}")
    m = X.shape[1]
    order = np.random.default_rng(seed).permutation(m)
    parts = []
    start = 0
    for number, fraction in enumerate(fractions):
        end = m if number == len(fractions) - 1 else start + int(fraction * m)
        columns = order[start:end]
        parts.append((X[:, columns], Y[:, columns]))
        start = end
    return parts


def train_test_split(
    X: np.ndarray, Y: np.ndarray, test_fraction: float = 0.2, *, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return X_train, Y_train, X_test, Y_test after a seeded shuffle."""
    (X_train, Y_train), (X_test, Y_test) = split_dataset(
        X, Y, (1.0 - test_fraction, test_fraction), seed=seed
    )
    return X_train, Y_train, X_test, Y_test
