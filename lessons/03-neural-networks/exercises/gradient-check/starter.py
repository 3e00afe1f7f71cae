import numpy as np


def numerical_gradient(f, x, h=1e-5):
    """Return the central-difference estimate of the gradient of f at x, shaped like x."""
    grad = np.zeros_like(x, dtype=float)
    for index in np.ndindex(x.shape):
        # TODO: evaluate f at x + h and x - h in this one entry, then restore x[index].
        pass
    return grad


def relative_error(a, b):
    """Return ||a - b|| / (||a|| + ||b||), or 0.0 when both a and b are all zeros."""
    # TODO
    return 0.0
