"""Dense layers and networks: shapes, backward against central differences, hand-worked values."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.engine import datasets
from tutor.engine.activations import get_activation
from tutor.engine.examples import get_example
from tutor.engine.gradcheck import check_gradients
from tutor.engine.network import (
    Dense,
    build_network,
    gradient_arrays,
    network_from_weights,
)
from tutor.engine.training import train_full_batch

EPS = 1e-6
HIDDEN = ["identity", "sigmoid", "tanh", "relu", "leaky_relu"]


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


@st.composite
def layer_cases(draw):
    n_in = draw(st.integers(1, 5))
    n_out = draw(st.integers(1, 5))
    m = draw(st.integers(1, 6))
    name = draw(st.sampled_from(HIDDEN + ["softmax"]))
    seed = draw(st.integers(0, 2**31 - 1))
    return n_in, n_out, m, name, seed


@settings(max_examples=60, deadline=None)
@given(case=layer_cases())
def test_dense_backward_matches_central_differences(case):
    n_in, n_out, m, name, seed = case
    rng = np.random.default_rng(seed)
    layer = Dense(rng.normal(0, 1, (n_out, n_in)), rng.normal(0, 1, (n_out, 1)), get_activation(name))
    a_prev = rng.normal(0, 1, (n_in, m))
    upstream = rng.normal(0, 1, (n_out, m))  # dA: the gradient arriving from above

    def objective():
        # sum(dA * a) / m has gradient dA / m with respect to a, so backward's
        # 1/m convention makes dW, db its exact gradients.
        return float(np.sum(upstream * layer.forward(a_prev)[0])) / m

    _, cache = layer.forward(a_prev)
    if get_activation(name).has_kink and np.min(np.abs(cache.z)) < 1e-4:
        return  # too close to the kink for a two-sided difference
    dA_prev, grads = layer.backward(upstream, cache)

    for theta, analytical in ((layer.W, grads.dW), (layer.b, grads.db), (a_prev, dA_prev / m)):
        numerical = np.zeros_like(theta)
        for index in np.ndindex(theta.shape):
            original = theta[index]
            theta[index] = original + EPS
            plus = objective()
            theta[index] = original - EPS
            minus = objective()
            theta[index] = original
            numerical[index] = (plus - minus) / (2 * EPS)
        np.testing.assert_allclose(analytical, numerical, rtol=1e-5, atol=1e-8)


@st.composite
def network_cases(draw):
    depth = draw(st.integers(1, 4))
    sizes = [draw(st.integers(1, 4)) for _ in range(depth + 1)]
    hidden = [draw(st.sampled_from(HIDDEN)) for _ in range(depth - 1)]
    output_kind = draw(st.sampled_from(["tanh", "identity", "sigmoid", "softmax", "cross_entropy"]))
    m = draw(st.integers(1, 5))
    seed = draw(st.integers(0, 2**31 - 1))
    return sizes, hidden, output_kind, m, seed


@settings(max_examples=50, deadline=None)
@given(case=network_cases())
def test_network_backward_matches_central_differences(case):
    sizes, hidden, output_kind, m, seed = case
    rng = np.random.default_rng(seed)
    if output_kind in ("softmax", "cross_entropy"):
        sizes[-1] = max(sizes[-1], 2)
    if output_kind == "cross_entropy":
        output, loss = "softmax", "cross_entropy"
        Y = datasets.one_hot(rng.integers(0, sizes[-1], m), sizes[-1])
    elif output_kind == "sigmoid":
        output, loss = "sigmoid", "bce"
        Y = rng.integers(0, 2, (sizes[-1], m)).astype(float)
    else:
        # tanh, identity and softmax outputs with MSE; softmax goes through its Jacobian.
        output, loss = output_kind, "mse"
        Y = rng.normal(0, 1, (sizes[-1], m))
    network = build_network(sizes, hidden + [output], loss, seed=seed, init="xavier")
    for layer in network.layers:
        layer.b += rng.normal(0, 0.5, layer.b.shape)
    X = rng.normal(0, 1, (sizes[0], m))

    report = check_gradients(network, X, Y)

    for check in report.checks:
        if check.kink_crossings:
            continue  # the two-sided difference straddles a kink there
        largest_difference = np.max(np.abs(check.analytical - check.numerical))
        # Tiny gradients meet the rounding floor of central differences
        # (about 1e-16 * L / eps); below it only the absolute difference counts.
        assert check.relative_error < 1e-6 or largest_difference < 1e-9, report.lines()


def test_single_chain_matches_hand_computation():
    # x = 1.0 -> w1 = 0.5 -> sigmoid -> w2 = 0.8 -> sigmoid, target 1.0, no biases, MSE.
    a1 = sigmoid(0.5)                  # 0.622459...
    z2 = 0.8 * a1                      # 0.497967...
    a2 = sigmoid(z2)                   # 0.621982...
    loss = 0.5 * (a2 - 1.0) ** 2       # 0.071449...
    dA2 = a2 - 1.0                     # dL/da2
    dZ2 = dA2 * a2 * (1 - a2)          # times sigmoid'(z2)
    dW2 = dZ2 * a1                     # dZ2 * a1
    dA1 = 0.8 * dZ2                    # w2 * dZ2
    dZ1 = dA1 * a1 * (1 - a1)          # times sigmoid'(z1)
    dW1 = dZ1 * 1.0                    # dZ1 * x
    network = get_example("single-chain").build()

    A, caches = network.forward(np.array([[1.0]]))
    grads = network.backward(caches, np.array([[1.0]]))

    assert caches[0].z[0, 0] == pytest.approx(0.5, abs=1e-15)
    assert caches[0].a[0, 0] == pytest.approx(a1, abs=1e-15)
    assert caches[0].a[0, 0] == pytest.approx(0.6224593312, abs=1e-10)
    assert caches[1].z[0, 0] == pytest.approx(z2, abs=1e-15)
    assert A[0, 0] == pytest.approx(a2, abs=1e-15)
    assert A[0, 0] == pytest.approx(0.6219815592, abs=1e-10)
    assert network.loss.value(A, np.array([[1.0]])) == pytest.approx(loss, abs=1e-15)
    assert grads[1].dZ[0, 0] == pytest.approx(dZ2, abs=1e-15)
    assert grads[1].dW[0, 0] == pytest.approx(dW2, abs=1e-15)
    assert grads[1].dW[0, 0] == pytest.approx(-0.0553241135, abs=1e-10)
    assert grads[0].dZ[0, 0] == pytest.approx(dZ1, abs=1e-15)
    assert grads[0].dW[0, 0] == pytest.approx(dW1, abs=1e-15)
    assert grads[0].dW[0, 0] == pytest.approx(-0.0167096822, abs=1e-10)
    assert grads[1].dZ[0, 0] * 0.8 == pytest.approx(dA1, abs=1e-15)


def test_gradients_average_over_the_batch():
    network = build_network([3, 4, 2], ["tanh", "sigmoid"], "mse", seed=3)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3, 5))
    Y = rng.uniform(size=(2, 5))

    _, batch = network.loss_and_gradients(X, Y)
    singles = [network.loss_and_gradients(X[:, [i]], Y[:, [i]])[1] for i in range(5)]

    for number in range(2):
        mean_dW = np.mean([grads[number].dW for grads in singles], axis=0)
        mean_db = np.mean([grads[number].db for grads in singles], axis=0)
        np.testing.assert_allclose(batch[number].dW, mean_dW, rtol=1e-12)
        np.testing.assert_allclose(batch[number].db, mean_db, rtol=1e-12)


def test_shapes_follow_the_convention():
    network = build_network([4, 3, 2], "sigmoid", "mse", seed=0)
    X = np.zeros((4, 7))

    A, caches = network.forward(X)
    grads = network.backward(caches, np.zeros((2, 7)))

    assert network.layers[0].W.shape == (3, 4)
    assert network.layers[0].b.shape == (3, 1)
    assert A.shape == (2, 7)
    assert caches[1].a_prev.shape == (3, 7)
    assert grads[0].dW.shape == (3, 4)
    assert grads[0].db.shape == (3, 1)
    assert grads[1].dZ.shape == (2, 7)


def test_predict_equals_forward_output():
    network = build_network([2, 5, 3], ["relu", "softmax"], "cross_entropy", seed=1)
    X = np.random.default_rng(1).normal(size=(2, 9))

    np.testing.assert_array_equal(network.predict(X), network.forward(X)[0])


def test_first_layer_skips_input_gradient():
    network = build_network([2, 3, 1], "sigmoid", "mse", seed=0)
    _, caches = network.forward(np.ones((2, 1)))

    dA_prev, _ = network.layers[0].backward(np.ones((3, 1)), caches[0], compute_dA_prev=False)
    dA_full, _ = network.layers[0].backward(np.ones((3, 1)), caches[0])

    assert dA_prev is None
    assert dA_full.shape == (2, 1)


def test_parameter_names_match_gradient_arrays():
    network = build_network([2, 3, 4, 1], "tanh", "mse", seed=0)
    _, grads = network.loss_and_gradients(np.ones((2, 2)), np.ones((1, 2)))

    names = network.parameter_names()
    shapes = [g.shape for g in gradient_arrays(grads)]

    assert names == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert shapes == [p.shape for p in network.parameters()]


def test_copy_is_independent():
    network = build_network([2, 2, 1], "sigmoid", "mse", seed=0)
    twin = network.copy()

    twin.layers[0].W += 1.0

    assert not np.allclose(twin.layers[0].W, network.layers[0].W)


def test_build_network_same_seed_same_weights():
    first = build_network([3, 4, 2], "relu", "mse", seed=7, init="he")
    second = build_network([3, 4, 2], "relu", "mse", seed=7, init="he")
    third = build_network([3, 4, 2], "relu", "mse", seed=8, init="he")

    for a, b in zip(first.parameters(), second.parameters()):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first.layers[0].W, third.layers[0].W)


@pytest.mark.parametrize("init, expected_std", [("small", 0.01), ("xavier", math.sqrt(2 / 300)),
                                                ("he", math.sqrt(2 / 200))])
def test_initialisation_scale(init, expected_std):
    network = build_network([200, 100], "identity", "mse", seed=0, init=init)

    assert network.layers[0].W.std() == pytest.approx(expected_std, rel=0.05)


def test_zeros_initialisation_keeps_hidden_units_identical():
    network = build_network([2, 3, 1], "sigmoid", "mse", seed=0, init="zeros")
    X, Y = datasets.xor()

    train_full_batch(network, X, Y, learning_rate=1.0, epochs=50)

    W1 = network.layers[0].W
    assert np.allclose(W1, W1[0])


def test_build_network_rejects_bad_specs():
    with pytest.raises(ValueError, match="at least an input"):
        build_network([3], "relu", seed=0)
    with pytest.raises(ValueError, match="expected 2 activations"):
        build_network([3, 2, 1], ["relu"], seed=0)
    with pytest.raises(ValueError, match="unknown initialisation"):
        build_network([3, 1], "relu", seed=0, init="orthogonal")


def test_network_from_weights_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="bias of shape"):
        network_from_weights([([[1.0, 2.0]], [0.0, 0.0])], "sigmoid")
    with pytest.raises(ValueError, match="cannot follow"):
        network_from_weights([([[1.0, 2.0]], [0.0]), ([[1.0, 2.0]], [0.0])], "sigmoid")


def test_xor_2_2_1_learns_from_fixed_seed():
    X, Y = datasets.xor()
    network = build_network([2, 2, 1], "sigmoid", "mse", seed=0)

    losses = train_full_batch(network, X, Y, learning_rate=5.0, epochs=3000)

    assert losses[-1] < 0.01
    assert losses[-1] < losses[0]
    np.testing.assert_array_equal(network.predict(X) >= 0.5, Y >= 0.5)
