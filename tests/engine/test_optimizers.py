"""Optimizers, the step-decay schedule and clipping by global norm, against their textbook rules."""

import math

import numpy as np
import pytest

from tutor.engine.optimizers import (
    SGD,
    Adam,
    Momentum,
    RMSprop,
    StepDecay,
    clip_by_global_norm,
    global_norm,
    make_optimizer,
)

GRADS = [
    [np.array([[0.5, -1.0]]), np.array([[2.0]])],
    [np.array([[-0.2, 0.3]]), np.array([[1.0]])],
    [np.array([[0.1, 0.1]]), np.array([[-3.0]])],
]


def fresh_params():
    return [np.array([[1.0, 2.0]]), np.array([[-1.0]])]


def run(optimizer):
    params = fresh_params()
    for grads in GRADS:
        optimizer.step(params, [g.copy() for g in grads])
    return params


def test_sgd_step():
    params = run(SGD(learning_rate=0.1))

    expected = fresh_params()
    for grads in GRADS:
        for p, g in zip(expected, grads):
            p -= 0.1 * g
    np.testing.assert_allclose(params[0], expected[0])
    np.testing.assert_allclose(params[1], expected[1])


def test_momentum_accumulates_velocity():
    params = run(Momentum(learning_rate=0.1, beta=0.9))

    expected = fresh_params()
    velocity = [np.zeros_like(p) for p in expected]
    for grads in GRADS:
        for i, g in enumerate(grads):
            velocity[i] = 0.9 * velocity[i] + g
            expected[i] = expected[i] - 0.1 * velocity[i]
    np.testing.assert_allclose(params[0], expected[0], rtol=1e-12)
    np.testing.assert_allclose(params[1], expected[1], rtol=1e-12)


def test_rmsprop_scales_by_running_square():
    params = run(RMSprop(learning_rate=0.01, rho=0.9, eps=1e-8))

    expected = fresh_params()
    square = [np.zeros_like(p) for p in expected]
    for grads in GRADS:
        for i, g in enumerate(grads):
            square[i] = 0.9 * square[i] + 0.1 * g**2
            expected[i] = expected[i] - 0.01 * g / (np.sqrt(square[i]) + 1e-8)
    np.testing.assert_allclose(params[0], expected[0], rtol=1e-12)
    np.testing.assert_allclose(params[1], expected[1], rtol=1e-12)


def test_adam_matches_bias_corrected_textbook_form():
    params = run(Adam(learning_rate=0.01, beta1=0.9, beta2=0.999, eps=1e-8))

    expected = fresh_params()
    mean = [np.zeros_like(p) for p in expected]
    square = [np.zeros_like(p) for p in expected]
    for t, grads in enumerate(GRADS, start=1):
        for i, g in enumerate(grads):
            mean[i] = 0.9 * mean[i] + 0.1 * g
            square[i] = 0.999 * square[i] + 0.001 * g**2
            m_hat = mean[i] / (1 - 0.9**t)
            v_hat = square[i] / (1 - 0.999**t)
            expected[i] = expected[i] - 0.01 * m_hat / (np.sqrt(v_hat) + 1e-8)
    np.testing.assert_allclose(params[0], expected[0], rtol=1e-12)
    np.testing.assert_allclose(params[1], expected[1], rtol=1e-12)


def test_adam_first_step_moves_each_entry_by_learning_rate():
    params = fresh_params()

    Adam(learning_rate=0.01).step(params, [g.copy() for g in GRADS[0]])

    np.testing.assert_allclose(params[0], [[1.0 - 0.01, 2.0 + 0.01]], rtol=1e-6)


def test_make_optimizer_by_name():
    optimizer = make_optimizer("momentum", 0.05, beta=0.8)

    assert isinstance(optimizer, Momentum)
    assert optimizer.learning_rate == 0.05
    assert optimizer.beta == 0.8
    with pytest.raises(ValueError, match="adam"):
        make_optimizer("adagrad", 0.1)


def test_step_decay_halves_every_ten_epochs():
    schedule = StepDecay(initial=0.1, drop=0.5, every=10)

    assert schedule(0) == 0.1
    assert schedule(9) == 0.1
    assert schedule(10) == 0.05
    assert schedule(25) == pytest.approx(0.025)
    with pytest.raises(ValueError, match="every"):
        StepDecay(0.1, every=0)


def test_clip_scales_to_max_norm_and_keeps_direction():
    grads = [np.array([[3.0, 0.0]]), np.array([[4.0]])]
    original = [g.copy() for g in grads]

    norm = clip_by_global_norm(grads, max_norm=1.0)

    assert norm == pytest.approx(5.0)
    assert global_norm(grads) == pytest.approx(1.0)
    np.testing.assert_allclose(grads[0], original[0] / 5.0)
    np.testing.assert_allclose(grads[1], original[1] / 5.0)


def test_clip_leaves_small_gradients_alone():
    grads = [np.array([[0.3, 0.4]])]

    norm = clip_by_global_norm(grads, max_norm=1.0)

    assert norm == pytest.approx(0.5)
    np.testing.assert_array_equal(grads[0], [[0.3, 0.4]])


def test_clip_rejects_non_positive_max_norm():
    with pytest.raises(ValueError, match="positive"):
        clip_by_global_norm([np.ones(2)], 0.0)


def test_global_norm_covers_every_array():
    assert global_norm([np.ones((2, 2)), np.ones((1, 5))]) == pytest.approx(math.sqrt(9))
