"""Activations: forward values, derivatives against central differences, extreme inputs."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tutor.engine.activations import (
    ACTIVATIONS,
    LEAKY_SLOPE,
    get_activation,
    sigmoid,
    softmax,
    softmax_backward,
)

ELEMENTWISE = ["identity", "sigmoid", "tanh", "relu", "leaky_relu"]
EPS = 1e-6

shapes = st.tuples(st.integers(1, 5), st.integers(1, 6))


def z_arrays(low=-6.0, high=6.0):
    return shapes.flatmap(
        lambda shape: arrays(np.float64, shape, elements=st.floats(low, high, allow_subnormal=False))
    )


def central_difference_elementwise(f, z, eps=EPS):
    return (f(z + eps) - f(z - eps)) / (2 * eps)


@pytest.mark.parametrize("name", ELEMENTWISE)
@settings(max_examples=40, deadline=None)
@given(z=z_arrays())
def test_derivative_matches_central_difference(name, z):
    activation = get_activation(name)
    if activation.has_kink:
        # Keep every entry at least 10 eps away from the kink at 0.
        z = np.where(np.abs(z) < 10 * EPS, 10 * EPS + np.abs(z), z)

    numerical = central_difference_elementwise(activation.forward, z)

    np.testing.assert_allclose(activation.derivative(z), numerical, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", ELEMENTWISE)
@settings(max_examples=25, deadline=None)
@given(z=z_arrays())
def test_backward_uses_cached_output_consistently(name, z):
    activation = get_activation(name)
    a = activation.forward(z)
    dA = np.cos(z) + 0.5

    dZ = activation.backward(dA, z, a)

    np.testing.assert_allclose(dZ, dA * activation.derivative(z), rtol=1e-12, atol=1e-15)


@settings(max_examples=40, deadline=None)
@given(z=z_arrays(-20.0, 20.0))
def test_softmax_backward_matches_numerical_jacobian(z):
    dA = np.sin(3 * z) + 0.1
    a = softmax(z)
    numerical = np.zeros_like(z)
    for index in np.ndindex(z.shape):
        plus, minus = z.copy(), z.copy()
        plus[index] += EPS
        minus[index] -= EPS
        # d/dz_index of sum(dA * softmax(z)) is the Jacobian-vector product.
        numerical[index] = (np.sum(dA * softmax(plus)) - np.sum(dA * softmax(minus))) / (2 * EPS)

    np.testing.assert_allclose(softmax_backward(dA, a), numerical, rtol=1e-5, atol=1e-8)


@settings(max_examples=40, deadline=None)
@given(z=z_arrays(-1e3, 1e3))
def test_softmax_columns_sum_to_one_for_large_logits(z):
    p = softmax(z)

    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p.sum(axis=0), 1.0, rtol=1e-12)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_extreme_inputs_stay_finite(name):
    z = np.array([[-1e3, -800.0, -40.0, 0.0, 40.0, 800.0, 1e3]])
    activation = get_activation(name)

    a = activation.forward(z)
    derivative = activation.derivative(z)

    assert np.all(np.isfinite(a))
    assert np.all(np.isfinite(derivative))


def test_sigmoid_values_at_known_points():
    z = np.array([-1e3, -40.0, 0.0, 40.0, 1e3])

    a = sigmoid(z)

    assert 0.0 <= a[0] < 1e-300
    assert a[1] == pytest.approx(4.248354255291589e-18, rel=1e-12)
    assert a[2] == 0.5
    assert a[3] == 1.0
    assert a[4] == 1.0


def test_sigmoid_raises_no_overflow_warning():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = sigmoid(np.array([-1e3, 1e3]))

    assert a[0] < 1e-300
    assert a[1] == 1.0


def test_relu_subgradient_at_kink_is_zero():
    assert get_activation("relu").derivative(np.array([0.0]))[0] == 0.0


def test_leaky_relu_slope_below_zero():
    activation = get_activation("leaky_relu")

    assert activation.forward(np.array([-2.0]))[0] == pytest.approx(-2.0 * LEAKY_SLOPE)
    assert activation.derivative(np.array([-2.0]))[0] == LEAKY_SLOPE


def test_softmax_derivative_explains_jacobian():
    with pytest.raises(NotImplementedError, match="softmax_backward"):
        get_activation("softmax").derivative(np.zeros((2, 1)))


def test_unknown_activation_lists_known_names():
    with pytest.raises(ValueError, match="leaky_relu"):
        get_activation("swish")


def test_every_activation_states_formulas():
    for activation in ACTIVATIONS.values():
        assert activation.formula.startswith("a")
        assert activation.derivative_formula
