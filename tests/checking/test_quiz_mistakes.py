"""Mistake models: with no slip, backward_with reproduces the engine exactly."""

import itertools

import numpy as np
import pytest

from tutor.checking.quiz.mistakes import NO_SLIP, backward_with, local_derivative, with_slip
from tutor.engine.activations import get_activation
from tutor.engine.network import build_network


@pytest.mark.parametrize(
    ("sizes", "activation", "loss", "m"),
    list(itertools.product(([1, 1], [2, 2, 1], [3, 2, 2, 1]), ("sigmoid", "tanh", "relu"), ("mse", "bce"), (1, 3))),
)
def test_backward_with_no_slip_equals_engine(sizes, activation, loss, m):
    activations = [activation] * (len(sizes) - 2) + ["sigmoid" if loss == "bce" else activation]
    network = build_network(sizes, activations, loss, seed=4)
    rng = np.random.default_rng(5)
    X = rng.normal(size=(sizes[0], m))
    Y = (rng.random((sizes[-1], m)) > 0.5).astype(float)
    _, caches = network.forward(X)
    expected = network.backward(caches, Y)
    actual = backward_with(network, X, Y, NO_SLIP)
    for mine, engine in zip(actual, expected):
        np.testing.assert_allclose(mine.dW, engine.dW, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(mine.db, engine.db, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(mine.dZ, engine.dZ, rtol=1e-10, atol=1e-12)


def test_batch_divisions_scale_gradients():
    network = build_network([2, 2, 1], "sigmoid", "mse", seed=1)
    X = np.array([[0.5, -1.0, 2.0], [1.0, 0.5, -0.5]])
    Y = np.array([[1.0, 0.0, 1.0]])
    right = backward_with(network, X, Y)
    missing = backward_with(network, X, Y, with_slip(batch_divisions=0))
    np.testing.assert_allclose(missing[0].dW, 3 * right[0].dW)
    np.testing.assert_allclose(missing[1].db, 3 * right[1].db)


def test_transpose_slip_skips_non_square_layers():
    network = build_network([2, 2, 2, 1], "tanh", "mse", seed=2)
    X = np.array([[0.5], [-1.0]])
    Y = np.array([[0.5]])
    right = backward_with(network, X, Y)
    slipped = backward_with(network, X, Y, with_slip(transpose=True))
    np.testing.assert_allclose(slipped[1].dZ, right[1].dZ)
    W2 = network.layers[1].W
    np.testing.assert_allclose(
        slipped[0].dZ, (W2 @ right[1].dZ) * network.layers[0].activation.derivative(
            network.forward(X)[1][0].z))


@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_z_in_rule_applies_a_rule_to_z(name):
    activation = get_activation(name)
    z = np.array([[0.3, -1.2]])
    a = activation.forward(z)
    expected = z * (1 - z) if name == "sigmoid" else 1 - z**2
    np.testing.assert_allclose(local_derivative(activation, z, a, "z_in_rule"), expected)
    np.testing.assert_allclose(local_derivative(activation, z, a, "z"), activation.derivative(z))


def test_sigmoid_slip_leaves_tanh_layers_right():
    activation = get_activation("tanh")
    z = np.array([[0.4]])
    a = activation.forward(z)
    np.testing.assert_allclose(local_derivative(activation, z, a, "one_plus_a"), activation.derivative(z))
