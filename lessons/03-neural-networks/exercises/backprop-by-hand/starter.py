import math


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def gradients(x, y, w1, b1, w2, b2):
    """Return (dw1, db1, dw2, db2) for one example; every argument is a float."""
    # Forward pass: keep every value, the backward pass needs them.
    z1 = w1 * x + b1
    a1 = sigmoid(z1)
    z2 = w2 * a1 + b2
    a2 = sigmoid(z2)

    # Backward pass: one line per step, from the loss back to w1.
    da2 = 0.0  # TODO: dL/da2 for L = 1/2 * (a2 - y)^2
    dz2 = 0.0  # TODO
    dw2 = 0.0  # TODO
    db2 = 0.0  # TODO
    da1 = 0.0  # TODO
    dz1 = 0.0  # TODO
    dw1 = 0.0  # TODO
    db1 = 0.0  # TODO
    return dw1, db1, dw2, db2
