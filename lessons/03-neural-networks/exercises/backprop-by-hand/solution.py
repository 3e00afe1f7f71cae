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
    da2 = a2 - y
    dz2 = da2 * a2 * (1 - a2)
    dw2 = dz2 * a1
    db2 = dz2
    da1 = w2 * dz2
    dz1 = da1 * a1 * (1 - a1)
    dw1 = dz1 * x
    db1 = dz1
    return dw1, db1, dw2, db2
