import numpy as np


def numerical_gradient(f, x, h=1e-5):
    """Return the central-difference estimate of the gradient of f at x, shaped like x."""
    grad = np.zeros_like(x, dtype=float)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + h
        plus = f(x)
        x[index] = old - h
        minus = f(x)
        x[index] = old
        grad[index] = (plus - minus) / (2 * h)
    return grad


def relative_error(a, b):
    """Return ||a - b|| / (||a|| + ||b||), or 0.0 when both a and b are all zeros."""
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    if denominator == 0.0:
        return 0.0
    return float(np.linalg.norm(a - b) / denominator)
