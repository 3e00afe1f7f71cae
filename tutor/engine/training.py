"""Training loops."""

from __future__ import annotations

import numpy as np

from tutor.engine.network import Network


def train_full_batch(network: Network, X: np.ndarray, Y: np.ndarray, *,
                     learning_rate: float, epochs: int) -> list[float]:
    """Run plain gradient descent on the whole batch; return the loss before each update.

    Updates the network in place: W -= lr * dW, b -= lr * db.
    """
    losses = []
    for _ in range(epochs):
        loss, grads = network.loss_and_gradients(X, Y)
        losses.append(loss)
        for layer, layer_grads in zip(network.layers, grads):
            layer.W -= learning_rate * layer_grads.dW
            layer.b -= learning_rate * layer_grads.db
    return losses
