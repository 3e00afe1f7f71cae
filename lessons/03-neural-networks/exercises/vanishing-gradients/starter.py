import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def gradient_norms(X, Y, weights, activation):
    """Return ||dW|| of every layer, first layer first, for L = 1/(2m) * sum (A - Y)^2.

    X: (n0, m); Y: (nL, m); weights: [[W1, b1], [W2, b2], ...];
    activation: "sigmoid" or "relu", used by every layer.
    """
    m = X.shape[1]

    # Forward pass: keep Z and A of every layer.
    Zs, As = [], [X]
    for W, b in weights:
        Z = W @ As[-1] + b
        A = sigmoid(Z) if activation == "sigmoid" else np.maximum(Z, 0.0)
        Zs.append(Z)
        As.append(A)

    # Backward pass: record the norm of each dW.
    norms = []
    # TODO: start from dA = As[-1] - Y and walk the layers from last to first.
    return norms
