import numpy as np


def backward(X, Y, params, cache):
    """Return dW1, db1, dW2, db2 of a 2-layer sigmoid network with L = 1/(2m) * sum (A2 - Y)^2."""
    m = X.shape[1]
    W2 = params["W2"]
    A1, A2 = cache["A1"], cache["A2"]

    dA2 = A2 - Y
    dZ2 = dA2 * A2 * (1 - A2)
    dW2 = dZ2 @ A1.T / m
    db2 = dZ2.sum(axis=1, keepdims=True) / m

    dA1 = W2.T @ dZ2
    dZ1 = dA1 * A1 * (1 - A1)
    dW1 = dZ1 @ X.T / m
    db1 = dZ1.sum(axis=1, keepdims=True) / m

    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
