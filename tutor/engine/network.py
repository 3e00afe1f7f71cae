"""Dense layers and networks: forward and backward passes with explicit caches.

Convention used everywhere in the course:
    W has shape (n_out, n_in), b has shape (n_out, 1)
    a batch X has shape (n_features, m), one column per example
    z = W @ a_prev + b,  a = f(z)
    dZ = dA * f'(z)                     (per example)
    dW = (1/m) dZ @ a_prev.T,  db = (1/m) sum of dZ over examples
    dA_prev = W.T @ dZ
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from tutor.engine.activations import Activation, get_activation
from tutor.engine.losses import Loss, get_loss


@dataclass
class LayerCache:
    """What backward needs from forward: the layer's input, z and a."""

    a_prev: np.ndarray
    z: np.ndarray
    a: np.ndarray


@dataclass
class LayerGrads:
    """Gradients of one dense layer: dW (n_out, n_in), db (n_out, 1), and dZ (n_out, m)."""

    dW: np.ndarray
    db: np.ndarray
    dZ: np.ndarray


@dataclass
class Dense:
    """A fully connected layer a = f(W @ a_prev + b)."""

    W: np.ndarray
    b: np.ndarray
    activation: Activation

    @property
    def n_in(self) -> int:
        return self.W.shape[1]

    @property
    def n_out(self) -> int:
        return self.W.shape[0]

    def forward(self, a_prev: np.ndarray) -> tuple[np.ndarray, LayerCache]:
        """a_prev (n_in, m) -> a (n_out, m), with the cache for backward."""
        z = self.W @ a_prev + self.b
        a = self.activation.forward(z)
        return a, LayerCache(a_prev, z, a)

    def backward(
        self, dA: np.ndarray, cache: LayerCache, *, compute_dA_prev: bool = True
    ) -> tuple[np.ndarray | None, LayerGrads]:
        """dA (n_out, m) -> dA_prev (n_in, m) and this layer's gradients; dZ = dA * f'(z)."""
        dZ = self.activation.backward(dA, cache.z, cache.a)
        return self.backward_from_dZ(dZ, cache, compute_dA_prev=compute_dA_prev)

    def backward_from_dZ(
        self, dZ: np.ndarray, cache: LayerCache, *, compute_dA_prev: bool = True
    ) -> tuple[np.ndarray | None, LayerGrads]:
        """dZ (n_out, m) -> dA_prev = W.T @ dZ, dW = (1/m) dZ @ a_prev.T, db = (1/m) sum dZ.

        With compute_dA_prev=False, dA_prev is None (the first layer needs no dX).
        """
        m = cache.a_prev.shape[1]
        dW = dZ @ cache.a_prev.T / m
        db = np.add.reduce(dZ, axis=1, keepdims=True) / m
        dA_prev = self.W.T @ dZ if compute_dA_prev else None
        return dA_prev, LayerGrads(dW, db, dZ)


@dataclass
class Network:
    """A stack of dense layers trained against one loss."""

    layers: list[Dense]
    loss: Loss
    caches: list[LayerCache] = field(default_factory=list, repr=False)

    @property
    def sizes(self) -> list[int]:
        """Layer widths from input to output, such as [2, 2, 1]."""
        return [self.layers[0].n_in] + [layer.n_out for layer in self.layers]

    def parameters(self) -> list[np.ndarray]:
        """Return [W1, b1, W2, b2, ...], the arrays themselves (not copies)."""
        params: list[np.ndarray] = []
        for layer in self.layers:
            params.extend([layer.W, layer.b])
        return params

    def forward(self, X: np.ndarray) -> tuple[np.ndarray, list[LayerCache]]:
        """X (n_in, m) -> output A (n_out, m) and one cache per layer."""
        a = np.asarray(X, dtype=float)
        caches = []
        for layer in self.layers:
            a, cache = layer.forward(a)
            caches.append(cache)
        return a, caches

    def parameter_names(self) -> list[str]:
        """Return ["W1", "b1", "W2", "b2", ...] in the order of `parameters()`."""
        names: list[str] = []
        for number in range(1, len(self.layers) + 1):
            names.extend([f"W{number}", f"b{number}"])
        return names

    def predict(self, X: np.ndarray) -> np.ndarray:
        """X (n_in, m) -> output A (n_out, m), keeping no caches."""
        a = np.asarray(X, dtype=float)
        for layer in self.layers:
            a = layer.activation.forward(layer.W @ a + layer.b)
        return a

    def compute_loss(self, X: np.ndarray, Y: np.ndarray) -> float:
        """Return the mean loss of the batch, without caches or gradients."""
        return self.loss.value(self.predict(X), Y)

    def backward(self, caches: list[LayerCache], Y: np.ndarray) -> list[LayerGrads]:
        """Return the gradients of every layer, first layer first."""
        output = self.layers[-1]
        A = caches[-1].a
        single = len(self.layers) == 1
        if self.loss.uses_fused_gradient(output.activation.name):
            dZ = self.loss.fused_dZ(A, Y)
            dA, grads = output.backward_from_dZ(dZ, caches[-1], compute_dA_prev=not single)
        else:
            dA, grads = output.backward(self.loss.dA(A, Y), caches[-1], compute_dA_prev=not single)

        all_grads = [grads]
        for index in range(len(self.layers) - 2, -1, -1):
            dA, grads = self.layers[index].backward(dA, caches[index], compute_dA_prev=index > 0)
            all_grads.append(grads)
        all_grads.reverse()
        return all_grads

    def loss_and_gradients(self, X: np.ndarray, Y: np.ndarray) -> tuple[float, list[LayerGrads]]:
        """Run forward and backward on a batch; return the mean loss and every layer's gradients."""
        A, caches = self.forward(X)
        return self.loss.value(A, Y), self.backward(caches, Y)

    def copy(self) -> "Network":
        """Return an independent copy: new W and b arrays, the same activations and loss."""
        layers = [Dense(layer.W.copy(), layer.b.copy(), layer.activation) for layer in self.layers]
        return Network(layers, self.loss)


def gradient_arrays(grads: Sequence[LayerGrads]) -> list[np.ndarray]:
    """Return [dW1, db1, dW2, db2, ...], matching the order of `Network.parameters()`."""
    arrays: list[np.ndarray] = []
    for layer_grads in grads:
        arrays.extend([layer_grads.dW, layer_grads.db])
    return arrays


def build_network(
    sizes: Sequence[int],
    activations: Sequence[str] | str,
    loss: str = "mse",
    *,
    seed: int,
    init: str = "xavier",
) -> Network:
    """Build a network from layer sizes, e.g. [2, 2, 1], and an activation per layer.

    `activations` is one name for every layer or one per layer (len(sizes) - 1).
    Weights come from `init` with a numpy Generator seeded by `seed`; biases start at 0.
    """
    from tutor.engine.init import initialize_weights

    if len(sizes) < 2:
        raise ValueError(f"a network needs at least an input and an output size, got {list(sizes)}")
    if isinstance(activations, str):
        activations = [activations] * (len(sizes) - 1)
    if len(activations) != len(sizes) - 1:
        raise ValueError(
            f"expected {len(sizes) - 1} activations for sizes {list(sizes)}, got {len(activations)}"
        )
    rng = np.random.default_rng(seed)
    layers = []
    for n_in, n_out, name in zip(sizes[:-1], sizes[1:], activations):
        W = initialize_weights(init, n_out, n_in, rng)
        layers.append(Dense(W, np.zeros((n_out, 1)), get_activation(name)))
    return Network(layers, get_loss(loss))


def network_from_weights(
    weights: Sequence[tuple[Sequence, Sequence]],
    activations: Sequence[str] | str,
    loss: str = "mse",
) -> Network:
    """Build a network from explicit (W, b) pairs, as worked examples state them."""
    if isinstance(activations, str):
        activations = [activations] * len(weights)
    layers = []
    for (W, b), name in zip(weights, activations):
        W = np.atleast_2d(np.asarray(W, dtype=float))
        b = np.asarray(b, dtype=float).reshape(-1, 1)
        if b.shape[0] != W.shape[0]:
            raise ValueError(f"bias of shape {b.shape} does not match W of shape {W.shape}")
        layers.append(Dense(W, b, get_activation(name)))
    for previous, layer in zip(layers, layers[1:]):
        if layer.n_in != previous.n_out:
            raise ValueError(
                f"layer with W {layer.W.shape} cannot follow a layer with {previous.n_out} outputs"
            )
    return Network(layers, get_loss(loss))
