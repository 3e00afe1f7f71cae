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
    dZ3 = np.zeros_like(Z3)  # TODO
    dW3 = np.zeros_like(W3)  # TODO
    db3 = np.zeros((W3.shape[0], 1))  # TODO

    # Layer 2 (ReLU).
    dW2 = np.zeros_like(W2)  # TODO
    db2 = np.zeros((W2.shape[0], 1))  # TODO

    # Layer 1 (ReLU).
    dW1 = np.zeros_like(W1)  # TODO
    db1 = np.zeros((W1.shape[0], 1))  # TODO

    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2, "dW3": dW3, "db3": db3}
