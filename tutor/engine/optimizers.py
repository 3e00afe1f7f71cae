"""Optimizers, a step-decay learning-rate schedule and gradient clipping.

An optimizer updates a list of parameter arrays in place from a matching list
of gradient arrays: `network.parameters()` gives [W1, b1, W2, b2, ...] and
`gradient_arrays(grads)` gives [dW1, db1, dW2, db2, ...]. Per-parameter state
(velocity, running averages) lives in the optimizer, one array per parameter,
created at the first step. `learning_rate` is a plain attribute, so a schedule
can change it between epochs.

Update rules, for a parameter p with gradient g and learning rate lr:
    SGD       p -= lr * g
    momentum  v = beta * v + g;                    p -= lr * v
    RMSprop   s = rho * s + (1 - rho) * g^2;       p -= lr * g / (sqrt(s) + eps)
    Adam      m = beta1 * m + (1 - beta1) * g;     v = beta2 * v + (1 - beta2) * g^2
              m_hat = m / (1 - beta1^t);           v_hat = v / (1 - beta2^t)
              p -= lr * m_hat / (sqrt(v_hat) + eps)
Momentum follows the PyTorch form (v accumulates raw gradients, lr scales the
step); some texts write v = beta * v - lr * g, p += v, which is the same
update while lr stays constant.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np


@dataclass
class SGD:
    """Plain gradient descent: p -= lr * g."""

    learning_rate: float = 0.1
    name: str = field(default="sgd", init=False)

    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Update every parameter in place."""
        lr = self.learning_rate
        for p, g in zip(params, grads):
            p -= lr * g


@dataclass
class Momentum:
    """Gradient descent with momentum: v = beta * v + g; p -= lr * v."""

    learning_rate: float = 0.1
    beta: float = 0.9
    name: str = field(default="momentum", init=False)
    velocities: list[np.ndarray] = field(default_factory=list, init=False, repr=False)

    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Update every parameter in place."""
        if not self.velocities:
            self.velocities = [np.zeros_like(p) for p in params]
        lr, beta = self.learning_rate, self.beta
        for p, g, v in zip(params, grads, self.velocities):
            v *= beta
            v += g
            p -= lr * v


@dataclass
class RMSprop:
    """RMSprop: s = rho * s + (1 - rho) g^2; p -= lr * g / (sqrt(s) + eps)."""

    learning_rate: float = 0.001
    rho: float = 0.9
    eps: float = 1e-8
    name: str = field(default="rmsprop", init=False)
    squares: list[np.ndarray] = field(default_factory=list, init=False, repr=False)

    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Update every parameter in place."""
        if not self.squares:
            self.squares = [np.zeros_like(p) for p in params]
        lr, rho = self.learning_rate, self.rho
        for p, g, s in zip(params, grads, self.squares):
            s *= rho
            s += (1.0 - rho) * g * g
            p -= lr * g / (np.sqrt(s) + self.eps)


@dataclass
class Adam:
    """Adam: running means of g and g^2 with bias correction (Kingma and Ba, 2015)."""

    learning_rate: float = 0.001
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    name: str = field(default="adam", init=False)
    t: int = field(default=0, init=False)
    means: list[np.ndarray] = field(default_factory=list, init=False, repr=False)
    squares: list[np.ndarray] = field(default_factory=list, init=False, repr=False)

    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Update every parameter in place; t counts steps from 1."""
        if not self.means:
            self.means = [np.zeros_like(p) for p in params]
            self.squares = [np.zeros_like(p) for p in params]
        self.t += 1
        beta1, beta2 = self.beta1, self.beta2
        # Fold both bias corrections into one step size, as the Adam paper's
        # efficient form does: lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t).
        lr_t = self.learning_rate * math.sqrt(1.0 - beta2**self.t) / (1.0 - beta1**self.t)
        eps_t = self.eps * math.sqrt(1.0 - beta2**self.t)
        for p, g, m, v in zip(params, grads, self.means, self.squares):
            m *= beta1
            m += (1.0 - beta1) * g
            v *= beta2
            v += (1.0 - beta2) * g * g
            p -= lr_t * m / (np.sqrt(v) + eps_t)


Optimizer = SGD | Momentum | RMSprop | Adam

OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "rmsprop": RMSprop, "adam": Adam}


def make_optimizer(name: str, learning_rate: float, **options: float) -> Optimizer:
    """Build an optimizer by name (sgd, momentum, rmsprop, adam) with its learning rate."""
    try:
        factory = OPTIMIZERS[name]
    except KeyError:
        known = ", ".join(OPTIMIZERS)
        raise ValueError(f"unknown optimizer {name!r}; expected one of: {known}") from None
    return factory(learning_rate=learning_rate, **options)


@dataclass(frozen=True)
class StepDecay:
    """Learning rate lr0 * drop^floor(epoch / every), with epochs counted from 0."""

    initial: float
    drop: float = 0.5
    every: int = 10

    def __post_init__(self) -> None:
        if self.every < 1:
            raise ValueError(f"StepDecay.every must be at least 1, got {self.every}")

    def __call__(self, epoch: int) -> float:
        """Return the learning rate for a 0-based epoch."""
        return self.initial * self.drop ** (epoch // self.every)


def global_norm(grads: Sequence[np.ndarray]) -> float:
    """Return sqrt(sum of g^2 over every entry of every array)."""
    total = 0.0
    for g in grads:
        flat = g.ravel()
        total += float(np.dot(flat, flat))
    return math.sqrt(total)


def clip_by_global_norm(grads: Sequence[np.ndarray], max_norm: float) -> float:
    """Scale every gradient in place by max_norm / norm when the global norm exceeds max_norm.

    Returns the global norm before clipping. The direction of the full gradient
    is kept; only its length shrinks to max_norm.
    """
    if max_norm <= 0:
        raise ValueError(f"max_norm must be positive, got {max_norm}")
    norm = global_norm(grads)
    if norm > max_norm:
        scale = max_norm / norm
        for g in grads:
            g *= scale
    return norm
