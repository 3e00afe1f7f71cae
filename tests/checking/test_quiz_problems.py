"""Generated quiz problems over many seeds: right answers accepted, mistakes named, never degenerate."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.checking.answers import parse_answer
from tutor.checking.quiz import KINDS, generate_problem, quiz_spec, validate_quiz_params
from tutor.checking.quiz.check import CORRECT, MISTAKE, check_text
from tutor.checking.quiz.problems import MIN_ANSWER
from tutor.engine.gradcheck import numerical_gradient, relative_error
from tutor.engine.trace import format_number, trace_pass

SEEDS = range(12)
LAYERS = ("1-1", "1-1-1", "2-2-1", "2-2-2-1", "3-2-1")
ACTIVATIONS = ("sigmoid", "tanh", "relu")
LOSSES = ("mse", "bce")
# Smallest f'(z) of a unit that is not saturated: sigmoid'(2.5) is 0.070, tanh'(1.5) is 0.18.
MIN_DERIVATIVE = 0.05


def _configs():
    configs = []
    for kind, layers, activation, loss in itertools.product(KINDS, LAYERS, ACTIVATIONS, LOSSES):
        params = {"kind": kind, "layers": layers, "activation": activation, "loss": loss}
        if not validate_quiz_params(params):
            configs.append(params)
    for kind in ("weight-gradient", "bias-gradient", "weight-update", "numerical-gradient"):
        configs.append({"kind": kind, "layers": "2-2-1", "activation": "sigmoid", "loss": "mse", "batch": 3})
        configs.append({"kind": kind, "layers": "1-1-1", "activation": "tanh", "loss": "bce", "batch": 2})
    return configs


CONFIGS = _configs()


def _id(params):
    return "-".join(str(value) for value in params.values())


def _problems(params):
    spec = quiz_spec(params)
    return [generate_problem(spec, seed) for seed in SEEDS]


def _check(problem, text):
    return check_text(text, problem.expected, problem.mistakes, problem.band(),
                      problem.target.label, problem.spec.digits)


def test_every_kind_has_configs():
    kinds = {params["kind"] for params in CONFIGS}
    assert kinds == set(KINDS)


@pytest.mark.parametrize("params", CONFIGS, ids=_id)
def test_right_answer_and_rounding_accepted(params):
    for problem in _problems(params):
        for text in (repr(problem.expected), format_number(problem.expected, problem.spec.digits),
                     format_number(problem.expected, problem.spec.digits).replace(".", ",")):
            verdict = _check(problem, text)
            assert verdict.status == CORRECT, (problem.seed, text, verdict.message)


@pytest.mark.parametrize("params", CONFIGS, ids=_id)
def test_mistake_values_diagnosed_never_accepted(params):
    for problem in _problems(params):
        for item in problem.mistakes:
            for text in (repr(item.value), format_number(item.value, problem.spec.digits)):
                verdict = _check(problem, text)
                assert verdict.status == MISTAKE, (problem.seed, item.mistake.key, text, verdict.message)
                assert item.mistake in verdict.mistakes, (problem.seed, item.mistake.key)


@pytest.mark.parametrize("params", CONFIGS, ids=_id)
def test_problems_never_degenerate(params):
    for problem in _problems(params):
        assert abs(problem.expected) >= MIN_ANSWER, problem.seed
        if problem.network is None:
            continue
        _, caches = problem.network.forward(problem.X)
        for layer, cache in zip(problem.network.layers, caches):
            derivative = layer.activation.derivative(cache.z)
            assert np.all(derivative >= MIN_DERIVATIVE), (problem.seed, layer.activation.name, cache.z)
        if problem.target.quantity == "W":
            _, caches = problem.network.forward(problem.X)
            grads = problem.network.backward(caches, problem.Y)
            step = problem.spec.learning_rate * grads[problem.target.layer - 1].dW[problem.target.index]
            assert abs(step) >= MIN_ANSWER, problem.seed


@pytest.mark.parametrize("params", CONFIGS[::7], ids=_id)
def test_problem_reproduced_from_its_seed(params):
    spec = quiz_spec(params)
    for problem in _problems(params)[:4]:
        again = generate_problem(spec, problem.seed)
        assert again.seed == problem.seed
        assert again.expected == problem.expected
        assert [m.value for m in again.mistakes] == [m.value for m in problem.mistakes]
        if problem.network is not None:
            for first, second in zip(problem.network.layers, again.network.layers):
                assert np.array_equal(first.W, second.W)


def test_weights_friendly():
    problem = generate_problem(quiz_spec({"kind": "weight-gradient", "layers": "3-3-1"}), 5)
    for layer in problem.network.layers:
        assert np.allclose(layer.W * 20, np.round(layer.W * 20))
        assert np.all(layer.W != 0)
        assert np.allclose(layer.b * 10, np.round(layer.b * 10))
    assert np.allclose(problem.X * 2, np.round(problem.X * 2))


def test_output_delta_mistakes_match_hand_formulas():
    spec = quiz_spec({"kind": "output-delta", "layers": "2-2-1", "activation": "sigmoid", "loss": "mse"})
    for seed in SEEDS:
        problem = generate_problem(spec, seed)
        _, caches = problem.network.forward(problem.X)
        z = caches[-1].z[0, 0]
        a = caches[-1].a[0, 0]
        y = problem.Y[0, 0]
        sigmoid = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
        values = {item.mistake.key: item.value for item in problem.mistakes}
        assert problem.expected == pytest.approx((a - y) * a * (1 - a))
        assert values["forgot-derivative"] == pytest.approx(a - y)
        assert values["derivative-at-a"] == pytest.approx((a - y) * sigmoid(a) * (1 - sigmoid(a)))
        assert values["sigmoid-one-plus-a"] == pytest.approx((a - y) * a * (1 + a))
        assert values["z-in-derivative"] == pytest.approx((a - y) * z * (1 - z))
        assert values["sign-flipped"] == pytest.approx((y - a) * a * (1 - a))
        assert values["z-for-a-loss"] == pytest.approx((z - y) * a * (1 - a))
        assert values["upstream-dropped"] == pytest.approx(a * (1 - a))


def test_batch_mistakes_scale_by_m():
    spec = quiz_spec({"kind": "weight-gradient", "layers": "2-2-1", "batch": 3})
    for seed in SEEDS:
        problem = generate_problem(spec, seed)
        values = {item.mistake.key: item.value for item in problem.mistakes}
        assert values["missing-1/m"] == pytest.approx(3 * problem.expected)
        assert values["extra-1/m"] == pytest.approx(problem.expected / 3)


def test_weight_update_mistakes():
    spec = quiz_spec({"kind": "weight-update", "layers": "2-2-1", "learning_rate": 0.5})
    for seed in SEEDS:
        problem = generate_problem(spec, seed)
        layer, (j, k) = problem.target.layer, problem.target.index
        w = problem.network.layers[layer - 1].W[j, k]
        _, caches = problem.network.forward(problem.X)
        dW = problem.network.backward(caches, problem.Y)[layer - 1].dW[j, k]
        values = {item.mistake.key: item.value for item in problem.mistakes}
        assert problem.expected == pytest.approx(w - 0.5 * dW)
        assert values["wrong-direction"] == pytest.approx(w + 0.5 * dW)
        assert values["forgot-learning-rate"] == pytest.approx(w - dW)
        if layer == 1:
            assert "updated-weight-used" in values


def test_updated_weight_mistake_uses_new_upper_weights():
    spec = quiz_spec({"kind": "weight-update", "layers": "1-1-1", "learning_rate": 0.5})
    for seed in SEEDS:
        problem = generate_problem(spec, seed)
        if problem.target.layer != 1:
            continue
        net = problem.network
        _, caches = net.forward(problem.X)
        grads = net.backward(caches, problem.Y)
        w2_new = net.layers[1].W[0, 0] - 0.5 * grads[1].dW[0, 0]
        dA1 = w2_new * grads[1].dZ[0, 0]
        dZ1 = dA1 * net.layers[0].activation.derivative(caches[0].z)[0, 0]
        expected = net.layers[0].W[0, 0] - 0.5 * dZ1 * problem.X[0, 0]
        values = {item.mistake.key: item.value for item in problem.mistakes}
        assert values["updated-weight-used"] == pytest.approx(expected)


def test_transpose_mistake_on_square_layers():
    spec = quiz_spec({"kind": "hidden-delta", "layers": "2-2-2-1"})
    seen = 0
    for seed in SEEDS:
        problem = generate_problem(spec, seed)
        if problem.target.layer != 1:
            continue
        keys = {item.mistake.key for item in problem.mistakes}
        assert "transpose-forgotten" in keys
        seen += 1
    assert seen > 0


def test_numerical_gradient_matches_backprop():
    spec = quiz_spec({"kind": "numerical-gradient", "layers": "2-2-1"})
    for seed in SEEDS:
        problem = generate_problem(spec, seed)
        assert problem.expected == pytest.approx(problem.given["analytical"], rel=1e-3)
        shown = (problem.given["loss_plus"] - problem.given["loss_minus"]) / (2 * problem.spec.epsilon)
        assert problem.accepts(shown, problem.expected)


def test_relative_error_from_shown_vectors():
    spec = quiz_spec({"kind": "relative-error", "layers": "2-2-1"})
    for seed in SEEDS:
        problem = generate_problem(spec, seed)
        a = np.array(problem.given["analytical"])
        n = np.array(problem.given["numerical"])
        assert problem.expected == pytest.approx(relative_error(a, n))
        assert problem.expected > 1e-4


def test_local_derivative_values():
    for activation in ("sigmoid", "tanh", "relu"):
        spec = quiz_spec({"kind": "local-derivative", "activation": activation})
        for seed in SEEDS:
            problem = generate_problem(spec, seed)
            z = problem.given["z"]
            expected = {"sigmoid": np.exp(-z) / (1 + np.exp(-z)) ** 2,
                        "tanh": 1 - np.tanh(z) ** 2,
                        "relu": 1.0}[activation]
            assert problem.expected == pytest.approx(expected)


def test_two_equal_mistakes_named_together():
    spec = quiz_spec({"kind": "weight-update", "layers": "2-2-1"})
    for seed in range(300):
        problem = generate_problem(spec, seed)
        values = {item.mistake.key: item.value for item in problem.mistakes}
        if values["sign-flipped"] == pytest.approx(values["wrong-direction"]):
            verdict = _check(problem, repr(values["wrong-direction"]))
            keys = {mistake.key for mistake in verdict.mistakes}
            assert {"sign-flipped", "wrong-direction"} <= keys
            assert "give the same number" in verdict.message
            return
    pytest.fail("no problem where two mistakes coincide")


def test_wrong_answer_not_matching_any_mistake():
    problem = generate_problem(quiz_spec({"kind": "output-delta"}), 3)
    far = problem.expected + 17.0
    verdict = _check(problem, repr(far))
    assert verdict.status == "wrong"
    assert verdict.mistakes == ()


def test_invalid_answer_is_not_an_attempt():
    problem = generate_problem(quiz_spec({"kind": "output-delta"}), 3)
    verdict = _check(problem, "abc")
    assert verdict.status == "invalid"
    assert not verdict.is_attempt


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(min_value=0, max_value=10**9),
       kind=st.sampled_from(KINDS),
       activation=st.sampled_from(ACTIVATIONS),
       loss=st.sampled_from(LOSSES))
def test_random_seeds_accept_right_reject_mistakes(seed, kind, activation, loss):
    layers = "1-1" if kind == "local-derivative" else "2-2-1"
    problem = generate_problem(quiz_spec({"kind": kind, "layers": layers, "activation": activation,
                                          "loss": loss}), seed)
    rounded = format_number(problem.expected, problem.spec.digits)
    assert _check(problem, rounded).status == CORRECT
    for item in problem.mistakes:
        verdict = _check(problem, format_number(item.value, problem.spec.digits))
        assert verdict.status == MISTAKE
        assert item.mistake in verdict.mistakes


@pytest.mark.parametrize("kind", ["weight-gradient", "bias-gradient"])
@pytest.mark.parametrize("layers", ["1-1-1", "2-2-1", "2-2-2-1"])
def test_expected_gradient_matches_central_differences(kind, layers):
    spec = quiz_spec({"kind": kind, "layers": layers, "activation": "tanh", "batch": 2})
    for seed in SEEDS:
        problem = generate_problem(spec, seed)
        network, X, Y = problem.network, problem.X, problem.Y
        layer = network.layers[problem.target.layer - 1]
        theta = layer.W if kind == "weight-gradient" else layer.b
        index = problem.target.index if kind == "weight-gradient" else (problem.target.index[0], 0)
        numerical = numerical_gradient(lambda: network.compute_loss(X, Y), theta)[index]
        assert problem.expected == pytest.approx(numerical, rel=1e-5, abs=1e-9)


@pytest.mark.parametrize("kind", ["output-delta", "hidden-delta", "weight-gradient", "bias-gradient"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_answer_from_rounded_factors_accepted(kind, activation):
    """A learner who multiplies the worked table's four-decimal factors gets a right answer."""
    spec = quiz_spec({"kind": kind, "layers": "2-2-1", "activation": activation})
    for seed in range(30):
        problem = generate_problem(spec, seed)
        trace = trace_pass(problem.network, problem.X[:, 0], problem.Y[:, 0], digits=problem.spec.digits)
        expression = trace.find(problem.target.label).substituted.rsplit(" = ", 1)[0]
        value = parse_answer(expression)
        assert problem.accepts(value, problem.expected), (seed, expression, problem.expected)
