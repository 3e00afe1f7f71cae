import numpy as np


def backward(X, Y, params, cache):
    """Return the gradients of L = 1/(2m) * sum (A3 - Y)^2 for every W and b.

    X: (n0, m); Y: (n3, m); params: W1, b1, W2, b2, W3, b3; cache: Z1, A1, Z2, A2, Z3, A3.
    Layers 1 and 2 use ReLU, layer 3 uses sigmoid.
    """
    m = X.shape[1]
    W1, W2, W3 = params["W1"], params["W2"], params["W3"]
    Z1, A1, Z2, A2, Z3, A3 = (cache[key] for key in ("Z1", "A1", "Z2", "A2", "Z3", "A3"))

    # Layer 3 (sigmoid output).
    dA3 = A3 - Y
    dZ3 = dA3 * A3 * (1 - A3)
    dW3 = dZ3 @ A2.T / m
    db3 = dZ3.sum(axis=1, keepdims=True) / m

    # Layer 2 (ReLU).
    dA2 = W3.T @ dZ3
    dZ2 = dA2 * (Z2 > 0)
    dW2 = dZ2 @ A1.T / m
    db2 = dZ2.sum(axis=1, keepdims=True) / m

    # Layer 1 (ReLU).
    dA1 = W2.T @ dZ2
    dZ1 = dA1 * (Z1 > 0)
    dW1 = dZ1 @ X.T / m
    db1 = dZ1.sum(axis=1, keepdims=True) / m

    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2, "dW3": dW3, "db3": db3}
