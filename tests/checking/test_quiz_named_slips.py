"""Slips the course expects to diagnose, recomputed here from the engine's forward pass and named."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.checking.quiz import generate_problem, quiz_spec
from tutor.checking.quiz.check import CORRECT, MISTAKE, WRONG, check_text
from tutor.engine.trace import format_number

SEEDS = st.integers(min_value=0, max_value=99_999)


def _check(problem, text):
    return check_text(text, problem.expected, problem.mistakes, problem.band(),
                      problem.target.answer_label, problem.spec.digits)


def _keys(problem, value):
    """Return the mistake keys named for `value`, typed in full and rounded to the shown decimals."""
    named = []
    for text in (repr(value), format_number(value, problem.spec.digits)):
        verdict = _check(problem, text)
        assert verdict.status == MISTAKE, (problem.seed, text, verdict.message)
        named.append({m.key for m in verdict.mistakes})
    return set.intersection(*named)


def _hidden_delta(problem, output_slope, hidden_slope):
    """dZ of the asked hidden unit of a two-layer network, with the given slopes standing in for f'."""
    network, X, Y = problem.network, problem.X, problem.Y
    _, (hidden, output) = network.forward(X)
    dA2 = network.loss.dA(output.a, Y)
    dZ2 = dA2 * output_slope(output)
    dZ1 = (network.layers[1].W.T @ dZ2) * hidden_slope(hidden)
    return float(dZ1[problem.target.index[0], 0])


# Fixed seeds whose slipped values were worked out by hand.

def test_hidden_delta_output_derivative_left_out_named():
    problem = generate_problem(quiz_spec({"kind": "hidden-delta"}), 27723)
    assert _check(problem, "0.0189").status == CORRECT
    verdict = _check(problem, "0.07597")
    assert [m.key for m in verdict.mistakes] == ["forgot-output-derivative"]
    assert "f'(z) of the output layer only" in verdict.message


def test_hidden_delta_z_in_hidden_rule_named():
    problem = generate_problem(quiz_spec({"kind": "hidden-delta"}), 27723)
    verdict = _check(problem, "-0.0559")
    assert [m.key for m in verdict.mistakes] == ["z-in-derivative-asked-layer"]
    assert "at layer 1 only" in verdict.message


def test_tanh_hidden_delta_sigmoid_slope_named():
    problem = generate_problem(quiz_spec({"kind": "hidden-delta", "activation": "tanh"}), 27482)
    verdict = _check(problem, "0.092557")
    assert verdict.status == MISTAKE
    assert "sigmoid-slope-for-tanh-asked-layer" in [m.key for m in verdict.mistakes]
    assert "1 - a^2" in verdict.message


def test_bias_gradient_batch_derivative_left_out_named():
    problem = generate_problem(quiz_spec({"kind": "bias-gradient", "batch": 2}), 93122)
    verdict = _check(problem, "-0.28984")
    assert [m.key for m in verdict.mistakes] == ["forgot-derivative+extra-1/m"]
    assert "left out f'(z2[0])" in verdict.message


def test_numerical_gradient_extra_division_named():
    problem = generate_problem(quiz_spec({"kind": "numerical-gradient", "layers": "1-1-1", "batch": 2}), 13628)
    verdict = _check(problem, "-0.0027145")
    assert [m.key for m in verdict.mistakes] == ["extra-1/m"]
    assert "already the mean" in verdict.message


# The same slips over many seeds, each value computed here by hand.

def _sigmoid_slope(cache):
    return cache.a * (1 - cache.a)


def _engine_slope(problem, number):
    layer = problem.network.layers[number - 1]
    return lambda cache: layer.activation.derivative(cache.z)


@settings(max_examples=60, deadline=None)
@given(seed=SEEDS, activation=st.sampled_from(("sigmoid", "tanh")), loss=st.sampled_from(("mse", "bce")))
def test_output_derivative_left_out_any_seed(seed, activation, loss):
    problem = generate_problem(quiz_spec({"kind": "hidden-delta", "activation": activation, "loss": loss}), seed)
    value = _hidden_delta(problem, lambda cache: 1.0, _engine_slope(problem, 1))
    assert "forgot-output-derivative" in _keys(problem, value)


@settings(max_examples=60, deadline=None)
@given(seed=SEEDS, activation=st.sampled_from(("sigmoid", "tanh")), loss=st.sampled_from(("mse", "bce")))
def test_z_in_hidden_rule_any_seed(seed, activation, loss):
    problem = generate_problem(quiz_spec({"kind": "hidden-delta", "activation": activation, "loss": loss}), seed)
    if activation == "sigmoid":
        def z_rule(cache):
            return cache.z * (1 - cache.z)
    else:
        def z_rule(cache):
            return 1 - cache.z**2
    value = _hidden_delta(problem, _engine_slope(problem, 2), z_rule)
    keys = _keys(problem, value)
    # With one slipping layer in the chain, the every-layer form is the same slip.
    assert keys & {"z-in-derivative-asked-layer", "z-in-derivative"}, keys


@settings(max_examples=60, deadline=None)
@given(seed=SEEDS, loss=st.sampled_from(("mse", "bce")))
def test_sigmoid_slope_for_tanh_any_seed(seed, loss):
    problem = generate_problem(quiz_spec({"kind": "hidden-delta", "activation": "tanh", "loss": loss}), seed)
    value = _hidden_delta(problem, _engine_slope(problem, 2), _sigmoid_slope)
    keys = _keys(problem, value)
    assert keys & {"sigmoid-slope-for-tanh-asked-layer", "sigmoid-slope-for-tanh"}, keys


@settings(max_examples=60, deadline=None)
@given(seed=SEEDS, batch=st.integers(min_value=2, max_value=4), activation=st.sampled_from(("sigmoid", "tanh")),
       loss=st.sampled_from(("mse", "bce")))
def test_derivative_and_double_division_named(seed, batch, activation, loss):
    spec = quiz_spec({"kind": "bias-gradient", "batch": batch, "activation": activation, "loss": loss})
    problem = generate_problem(spec, seed)
    network, X, Y, target = problem.network, problem.X, problem.Y, problem.target
    _, caches = network.forward(X)
    grads = network.backward(caches, Y)
    cache = caches[target.layer - 1]
    dA = grads[target.layer - 1].dZ / network.layers[target.layer - 1].activation.derivative(cache.z)
    value = float(dA[target.index[0]].sum()) / batch**2
    assert "forgot-derivative+extra-1/m" in _keys(problem, value)


def test_compound_slip_absent_for_one_example():
    problem = generate_problem(quiz_spec({"kind": "bias-gradient"}), 93122)
    keys = {item.mistake.key for item in problem.mistakes}
    assert "forgot-derivative" in keys
    assert not any("+" in key for key in keys)


@settings(max_examples=40, deadline=None)
@given(seed=SEEDS, batch=st.integers(min_value=2, max_value=4), layers=st.sampled_from(("1-1-1", "2-2-1")))
def test_numerical_extra_division_any_seed(seed, batch, layers):
    problem = generate_problem(quiz_spec({"kind": "numerical-gradient", "layers": layers, "batch": batch}), seed)
    assert "extra-1/m" in _keys(problem, problem.expected / batch)


@settings(max_examples=40, deadline=None)
@given(seed=SEEDS, layers=st.sampled_from(("1-1-1", "2-2-1")))
def test_numerical_one_example_has_no_division_slip(seed, layers):
    problem = generate_problem(quiz_spec({"kind": "numerical-gradient", "layers": layers}), seed)
    assert "extra-1/m" not in {item.mistake.key for item in problem.mistakes}


def test_mistake_values_never_accepted_as_right():
    for params in ({"kind": "hidden-delta", "activation": "tanh"}, {"kind": "bias-gradient", "batch": 3},
                   {"kind": "numerical-gradient", "batch": 2}, {"kind": "hidden-delta", "layers": "2-2-2-1"}):
        for seed in range(40):
            problem = generate_problem(quiz_spec(params), seed)
            for item in problem.mistakes:
                for text in (repr(item.value), format_number(item.value, problem.spec.digits)):
                    assert _check(problem, text).status not in (CORRECT, WRONG), (params, seed, item.mistake.key)
            assert np.isfinite(problem.expected)


def test_weight_update_updated_weight_with_batch_named():
    problem = generate_problem(quiz_spec({"kind": "weight-update", "batch": 2}), 28931)
    assert problem.target.label == "W1[0,0]"
    verdict = _check(problem, "-0.58905")
    assert [m.key for m in verdict.mistakes] == ["updated-weight-used+extra-1/m"]
    assert "already-updated weight" in verdict.message


def _updated_weight_value(problem, divisions):
    """New W1 entry when dA1 flows through the already-updated W2, with dW1 divided by m `divisions` times."""
    network, X, Y, target = problem.network, problem.X, problem.Y, problem.target
    lr = problem.spec.learning_rate
    _, (hidden, output) = network.forward(X)
    grads = network.backward([hidden, output], Y)
    W2_new = network.layers[1].W - lr * grads[1].dW
    dZ1 = (W2_new.T @ grads[1].dZ) * network.layers[0].activation.derivative(hidden.z)
    m = X.shape[1]
    dW1 = dZ1 @ X.T / m**divisions
    return float(network.layers[0].W[target.index] - lr * dW1[target.index])


@settings(max_examples=60, deadline=None)
@given(seed=SEEDS, batch=st.integers(min_value=1, max_value=4), activation=st.sampled_from(("sigmoid", "tanh")),
       loss=st.sampled_from(("mse", "bce")))
def test_updated_weight_used_any_seed(seed, batch, activation, loss):
    spec = quiz_spec({"kind": "weight-update", "layers": "2-2-1", "batch": batch, "activation": activation,
                      "loss": loss})
    problem = generate_problem(spec, seed)
    if problem.target.layer != 1:
        return
    assert "updated-weight-used" in _keys(problem, _updated_weight_value(problem, 1))
    if batch > 1:
        assert "updated-weight-used+extra-1/m" in _keys(problem, _updated_weight_value(problem, 2))
        assert "updated-weight-used+missing-1/m" in _keys(problem, _updated_weight_value(problem, 0))
