"""Losses: stated constants, per-example gradients against central differences, no NaN/inf."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.engine.activations import sigmoid, softmax
from tutor.engine.losses import LOSSES, get_loss
from tutor.engine.network import network_from_weights

EPS = 1e-5


def numerical_gradient_of(f, A, floor=1e-2):
    """Central differences with a step relative to each entry, so that tiny
    probabilities (where -y/p is steep) still get an accurate estimate.

    `floor` bounds the step from below for entries near 0; probabilities need
    a tiny floor, because at p = 1e-5 a step of 1e-7 is already 1% of p.
    """
    grad = np.zeros_like(A)
    for index in np.ndindex(A.shape):
        step = EPS * max(abs(A[index]), floor)
        plus, minus = A.copy(), A.copy()
        plus[index] += step
        minus[index] -= step
        grad[index] = (f(plus) - f(minus)) / (2 * step)
    return grad


@st.composite
def predictions_and_targets(draw, kind):
    n = draw(st.integers(1, 4)) if kind != "bce_single" else 1
    m = draw(st.integers(1, 5))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    if kind == "mse":
        return rng.normal(0, 2, (n, m)), rng.normal(0, 2, (n, m))
    if kind.startswith("bce"):
        return rng.uniform(0.05, 0.95, (n, m)), rng.integers(0, 2, (n, m)).astype(float)
    n = max(n, 2)
    P = softmax(rng.normal(0, 2, (n, m)))
    Y = np.zeros((n, m))
    Y[rng.integers(0, n, m), np.arange(m)] = 1.0
    return P, Y


@settings(max_examples=40, deadline=None)
@given(data=predictions_and_targets("mse"))
def test_mse_dA_is_per_example_gradient(data):
    A, Y = data
    m = A.shape[1]
    loss = get_loss("mse")

    numerical = numerical_gradient_of(lambda a: m * loss.value(a, Y), A)

    np.testing.assert_allclose(loss.dA(A, Y), numerical, rtol=1e-6, atol=1e-8)


@settings(max_examples=40, deadline=None)
@given(data=predictions_and_targets("bce"))
def test_bce_dA_is_per_example_gradient(data):
    A, Y = data
    m = A.shape[1]
    loss = get_loss("bce")

    numerical = numerical_gradient_of(lambda a: m * loss.value(a, Y), A)

    np.testing.assert_allclose(loss.dA(A, Y), numerical, rtol=1e-5, atol=1e-7)


@settings(max_examples=40, deadline=None)
@given(data=predictions_and_targets("ce"))
def test_cross_entropy_dA_is_per_example_gradient(data):
    P, Y = data
    m = P.shape[1]
    loss = get_loss("cross_entropy")

    numerical = numerical_gradient_of(lambda p: m * loss.value(p, Y), P, floor=1e-12)

    np.testing.assert_allclose(loss.dA(P, Y), numerical, rtol=1e-5, atol=1e-7)


@settings(max_examples=40, deadline=None)
@given(data=predictions_and_targets("ce"))
def test_fused_softmax_cross_entropy_is_p_minus_y(data):
    P, Y = data
    m = P.shape[1]
    Z = np.log(P)  # softmax(log P) = P, so Z is a set of logits for P
    loss = get_loss("cross_entropy")

    numerical = numerical_gradient_of(lambda z: m * loss.value(softmax(z), Y), Z)

    np.testing.assert_allclose(loss.fused_dZ(P, Y), numerical, rtol=1e-5, atol=1e-7)


@settings(max_examples=40, deadline=None)
@given(data=predictions_and_targets("bce"))
def test_fused_sigmoid_bce_is_a_minus_y(data):
    A, Y = data
    m = A.shape[1]
    Z = np.log(A / (1 - A))
    loss = get_loss("bce")

    numerical = numerical_gradient_of(lambda z: m * loss.value(sigmoid(z), Y), Z)

    np.testing.assert_allclose(loss.fused_dZ(A, Y), numerical, rtol=1e-5, atol=1e-7)


def test_mse_constant_is_one_over_two_m():
    A = np.array([[1.0, 3.0]])
    Y = np.array([[0.0, 0.0]])

    assert get_loss("mse").value(A, Y) == pytest.approx((1 + 9) / (2 * 2))


def test_bce_value_matches_formula():
    A = np.array([[0.8, 0.3]])
    Y = np.array([[1.0, 0.0]])
    expected = -(np.log(0.8) + np.log(0.7)) / 2

    assert get_loss("bce").value(A, Y) == pytest.approx(expected)


def test_cross_entropy_value_matches_formula():
    P = np.array([[0.7, 0.1], [0.2, 0.6], [0.1, 0.3]])
    Y = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    expected = -(np.log(0.7) + np.log(0.6)) / 2

    assert get_loss("cross_entropy").value(P, Y) == pytest.approx(expected)


@pytest.mark.parametrize("name", ["bce", "cross_entropy"])
def test_predictions_of_exactly_zero_and_one_stay_finite(name):
    A = np.array([[0.0, 1.0, 0.0, 1.0]])
    Y = np.array([[1.0, 0.0, 0.0, 1.0]])
    loss = get_loss(name)

    with np.errstate(all="raise"):
        value = loss.value(A, Y)
        dA = loss.dA(A, Y)

    assert np.isfinite(value)
    assert value > 5.0
    assert np.all(np.isfinite(dA))


@pytest.mark.parametrize("logit", [1e3, -1e3])
def test_softmax_cross_entropy_gradient_finite_for_huge_logits(logit):
    network = network_from_weights([([[logit], [0.0], [-logit]], [0.0, 0.0, 0.0])],
                                   "softmax", "cross_entropy")
    Y = np.array([[0.0], [1.0], [0.0]])

    loss, grads = network.loss_and_gradients(np.array([[1.0]]), Y)

    assert np.isfinite(loss)
    assert np.all(np.isfinite(grads[0].dW))
    np.testing.assert_allclose(grads[0].dZ[:, 0], network.predict(np.array([[1.0]]))[:, 0] - Y[:, 0])


@pytest.mark.parametrize("logit", [1e3, -1e3, 40.0, -40.0])
def test_sigmoid_bce_gradient_survives_saturation(logit):
    network = network_from_weights([([[logit]], [0.0])], "sigmoid", "bce")
    Y = np.array([[0.0]])

    loss, grads = network.loss_and_gradients(np.array([[1.0]]), Y)

    assert np.isfinite(loss)
    # dZ = a - y exactly; the unfused product dA * a(1 - a) would give 0 at a = 1.
    expected = 1.0 if logit > 0 else sigmoid(np.array(logit))
    assert grads[0].dZ[0, 0] == pytest.approx(expected, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("logit", [1e3, -1e3])
def test_mse_with_sigmoid_finite_for_huge_logits(logit):
    network = network_from_weights([([[logit]], [0.0])], "sigmoid", "mse")

    loss, grads = network.loss_and_gradients(np.array([[1.0]]), np.array([[0.5]]))

    assert np.isfinite(loss)
    assert np.all(np.isfinite(grads[0].dW))


def test_cross_entropy_rejects_non_softmax_output():
    network = network_from_weights([([[1.0], [2.0]], [0.0, 0.0])], "sigmoid", "cross_entropy")

    with pytest.raises(ValueError, match="softmax output"):
        network.loss_and_gradients(np.array([[1.0]]), np.array([[1.0], [0.0]]))


def test_bce_with_tanh_output_goes_through_dA():
    network = network_from_weights([([[0.3]], [0.1])], "tanh", "bce")
    loss = get_loss("bce")
    x, y = np.array([[1.0]]), np.array([[1.0]])

    A, caches = network.forward(x)
    grads = network.backward(caches, y)

    expected = loss.dA(A, y) * (1 - A**2)
    np.testing.assert_allclose(grads[0].dZ, expected)


def test_every_loss_states_its_formula():
    for loss in LOSSES.values():
        assert loss.formula.startswith("L = ")
        assert "1/" in loss.formula


def test_unknown_loss_lists_known_names():
    with pytest.raises(ValueError, match="cross_entropy"):
        get_loss("hinge")
