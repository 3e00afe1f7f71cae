"""Gradient checking: agreement on correct networks, planted bugs caught, unreliable cases flagged."""

import dataclasses

import numpy as np
import pytest

from tutor.engine import datasets
from tutor.engine.activations import get_activation
from tutor.engine.gradcheck import (
    RELATIVE_ERROR_BUG,
    RELATIVE_ERROR_OK,
    check_gradients,
    check_network_gradients,
    classify,
    numerical_gradient,
    relative_error,
)
from tutor.engine.network import build_network, network_from_weights


def small_classifier(seed=0):
    network = build_network([4, 5, 3, 3], ["tanh", "sigmoid", "softmax"], "cross_entropy", seed=seed)
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(4, 6))
    Y = datasets.one_hot(rng.integers(0, 3, 6), 3)
    return network, X, Y


def test_correct_network_passes_every_parameter():
    network, X, Y = small_classifier()

    report = check_gradients(network, X, Y)

    assert [check.name for check in report.checks] == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert report.passed
    assert report.reliable
    assert report.max_relative_error < RELATIVE_ERROR_OK


def test_missing_activation_derivative_is_caught():
    network, X, Y = small_classifier()
    tanh = network.layers[0].activation
    # A planted bug: backward leaves out f'(z) in layer 1 (dZ = dA).
    network.layers[0].activation = dataclasses.replace(
        tanh, derivative_from_output=lambda z, a: np.ones_like(z)
    )

    report = check_gradients(network, X, Y)

    assert report.find("W1").status == "wrong"
    assert report.find("W1").relative_error > RELATIVE_ERROR_BUG
    assert report.find("W3").status == "ok"
    assert not report.passed


def test_worst_entries_sorted_by_difference():
    network, X, Y = small_classifier()
    network.layers[1].activation = dataclasses.replace(
        network.layers[1].activation, derivative_from_output=lambda z, a: 2 * a * (1 - a)
    )

    check = check_gradients(network, X, Y, worst=4).find("W2")

    differences = [entry.absolute_error for entry in check.worst]
    assert len(check.worst) == 4
    assert differences == sorted(differences, reverse=True)
    top = check.worst[0]
    assert top.absolute_error == pytest.approx(abs(top.analytical - top.numerical))
    assert top.analytical == check.analytical[top.index]
    assert top.numerical == check.numerical[top.index]


def test_parameter_subset_checks_only_those():
    network, X, Y = small_classifier()

    report = check_gradients(network, X, Y, parameters=["b2", "W1"])

    assert [check.name for check in report.checks] == ["b2", "W1"]


def test_unknown_parameter_name_is_rejected():
    network, X, Y = small_classifier()

    with pytest.raises(ValueError, match="W9"):
        check_gradients(network, X, Y, parameters=["W9"])


def test_check_leaves_network_unchanged():
    network, X, Y = small_classifier()
    before = [p.copy() for p in network.parameters()]

    check_gradients(network, X, Y)

    for original, after in zip(before, network.parameters()):
        np.testing.assert_array_equal(original, after)


def test_float32_parameters_are_flagged():
    network, X, Y = small_classifier()
    network.layers[0].W = network.layers[0].W.astype(np.float32)

    report = check_gradients(network, X, Y)

    assert not report.reliable
    assert any("W1 is float32" in warning for warning in report.warnings)


def test_relu_kink_within_eps_is_flagged():
    # z1[0] = 1.0 * x - 1.0 = 2e-6 for x = 1 + 2e-6: a bias step of eps = 1e-5 crosses 0.
    network = network_from_weights(
        [([[1.0], [0.5]], [-1.0, 0.2]), ([[0.7, -0.3]], [0.1])], ["relu", "identity"], "mse"
    )
    X = np.array([[1.0 + 2e-6]])
    Y = np.array([[0.0]])

    report = check_gradients(network, X, Y)

    assert not report.reliable
    assert any("kink" in warning for warning in report.warnings)
    b1 = report.find("b1")
    assert b1.kink_crossings == 1
    assert [entry.index for entry in b1.worst if entry.crossed_kink] == [(0, 0)]
    assert report.find("W2").kink_crossings == 0


def test_relu_far_from_kink_is_reliable():
    network = network_from_weights(
        [([[1.0], [0.5]], [-0.5, 0.2]), ([[0.7, -0.3]], [0.1])], ["relu", "identity"], "mse"
    )

    report = check_gradients(network, np.array([[1.0]]), np.array([[0.0]]))

    assert report.reliable
    assert report.passed


def test_odd_eps_is_flagged():
    network, X, Y = small_classifier()

    report = check_gradients(network, X, Y, eps=1e-10)

    assert any("eps=1e-10" in warning for warning in report.warnings)


def test_report_lines_name_parameters_and_warnings():
    network, X, Y = small_classifier()
    network.layers[0].W = network.layers[0].W.astype(np.float32)

    lines = check_gradients(network, X, Y, worst=2).lines()

    assert lines[0].startswith("W1: relative error")
    assert lines[1].startswith("  W1[")
    assert lines[-1].startswith("warning: W1 is float32")


def test_check_network_gradients_keeps_its_old_shape():
    network, X, Y = small_classifier()

    checks = check_network_gradients(network, X, Y)

    assert [check.name for check in checks] == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert all(check.relative_error < RELATIVE_ERROR_OK for check in checks)


def test_numerical_gradient_of_quadratic():
    theta = np.array([[1.0, -2.0], [0.5, 3.0]])

    grad = numerical_gradient(lambda: float(np.sum(theta**2)), theta)

    np.testing.assert_allclose(grad, 2 * theta, rtol=1e-9)


def test_relative_error_definition():
    assert relative_error([1.0, 0.0], [1.0, 0.0]) == 0.0
    assert relative_error([0.0], [0.0]) == 0.0
    assert relative_error([1.0], [-1.0]) == 1.0
    assert relative_error([3.0, 4.0], [0.0, 0.0]) == 1.0
    assert relative_error([1.0], [1.1]) == pytest.approx(0.1 / 2.1)


@pytest.mark.parametrize("error, status", [(1e-9, "ok"), (1e-6, "suspicious"), (1e-2, "wrong"),
                                           (float("nan"), "wrong")])
def test_classify_thresholds(error, status):
    assert classify(error) == status


def test_leaky_relu_network_passes():
    network = build_network([3, 6, 2], ["leaky_relu", "sigmoid"], "bce", seed=4, init="he")
    rng = np.random.default_rng(4)

    report = check_gradients(network, rng.normal(size=(3, 5)), rng.integers(0, 2, (2, 5)))

    assert report.passed, report.lines()
    assert get_activation("leaky_relu").has_kink
