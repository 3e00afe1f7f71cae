"""Slips judged against values computed here from the engine's gradients, and the names in messages."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.checking.quiz import KINDS, generate_problem, quiz_spec
from tutor.checking.quiz.check import CORRECT, MISTAKE, check_text
from tutor.checking.quiz.hints import worked_lines
from tutor.engine.trace import format_number

# Kinds whose answer has the asked layer's f'(z) as a factor.
DERIVATIVE_KINDS = ("output-delta", "hidden-delta", "weight-gradient", "bias-gradient", "weight-update")
LAYERS = ("1-1", "1-1-1", "2-2-1", "2-2-2-1", "3-2-1")
ACTIVATIONS = ("sigmoid", "tanh")


def _check(problem, text):
    return check_text(text, problem.expected, problem.mistakes, problem.band(),
                      problem.target.answer_label, problem.spec.digits)


def _value_without_asked_derivative(problem) -> float:
    """Recompute the answer from the engine's gradients with f'(z) of the asked layer divided out."""
    network, X, Y, target = problem.network, problem.X, problem.Y, problem.target
    _, caches = network.forward(X)
    grads = network.backward(caches, Y)
    cache = caches[target.layer - 1]
    dA = grads[target.layer - 1].dZ / network.layers[target.layer - 1].activation.derivative(cache.z)
    m = X.shape[1]
    j = target.index[0]
    if target.quantity == "dZ":
        return float(dA[j, 0])
    if target.quantity == "db":
        return float(dA[j].sum() / m)
    dW = (dA @ cache.a_prev.T / m)[target.index]
    if target.quantity == "dW":
        return float(dW)
    W = network.layers[target.layer - 1].W
    return float(W[target.index] - problem.spec.learning_rate * dW)


def _assert_forgot_derivative(problem):
    value = _value_without_asked_derivative(problem)
    for text in (repr(value), format_number(value, problem.spec.digits)):
        verdict = _check(problem, text)
        assert verdict.status == MISTAKE, (problem.seed, text, verdict.message)
        assert "forgot-derivative" in [m.key for m in verdict.mistakes], (problem.seed, text, verdict.message)
        layer, unit = problem.target.layer, problem.target.index[0]
        assert f"f'(z{layer}[{unit}])" in verdict.message, verdict.message


def _spec(kind, layers, activation, loss="mse", batch=1):
    if kind == "hidden-delta" and layers == "1-1":
        return None
    return quiz_spec({"kind": kind, "layers": layers, "activation": activation, "loss": loss, "batch": batch})


@pytest.mark.parametrize("kind", DERIVATIVE_KINDS)
@pytest.mark.parametrize("layers", LAYERS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_asked_layer_derivative_left_out_diagnosed(kind, layers, activation):
    spec = _spec(kind, layers, activation)
    if spec is None:
        pytest.skip("hidden-delta needs a hidden layer")
    for seed in range(8):
        _assert_forgot_derivative(generate_problem(spec, seed))


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(min_value=0, max_value=99_999),
       kind=st.sampled_from(DERIVATIVE_KINDS),
       layers=st.sampled_from(LAYERS[1:]),
       activation=st.sampled_from(("sigmoid", "tanh", "relu")),
       loss=st.sampled_from(("mse", "bce")),
       batch=st.integers(min_value=1, max_value=3))
def test_asked_layer_derivative_left_out_any_seed(seed, kind, layers, activation, loss, batch):
    if kind not in ("weight-gradient", "bias-gradient", "weight-update"):
        batch = 1
    problem = generate_problem(_spec(kind, layers, activation, loss, batch), seed)
    if problem.network.layers[problem.target.layer - 1].activation.name == "relu":
        return
    _assert_forgot_derivative(problem)


def test_relu_asked_layer_has_no_forgotten_derivative():
    spec = quiz_spec({"kind": "hidden-delta", "layers": "2-2-1", "activation": "relu", "loss": "bce"})
    for seed in range(8):
        problem = generate_problem(spec, seed)
        keys = [item.mistake.key for item in problem.mistakes]
        assert "forgot-derivative" not in keys
        assert "forgot-every-derivative" in keys


def test_hidden_delta_names_hidden_derivative():
    spec = quiz_spec({"kind": "hidden-delta", "layers": "2-2-1", "activation": "sigmoid", "loss": "mse"})
    problem = generate_problem(spec, 96940)
    assert problem.target.label == "dZ1[1]"
    assert problem.network.layers[0].W.tolist() == [[-0.3, -0.5], [-0.45, 0.9]]
    assert _check(problem, "-0.00594").status == CORRECT

    verdict = _check(problem, "-0.0380")
    assert verdict.status == MISTAKE
    assert [m.key for m in verdict.mistakes] == ["forgot-derivative"]
    assert "left out f'(z1[1]), the activation derivative of layer 1" in verdict.message


def test_every_derivative_left_out_diagnosed_separately():
    spec = quiz_spec({"kind": "hidden-delta", "layers": "2-2-1", "activation": "sigmoid", "loss": "mse"})
    problem = generate_problem(spec, 96940)
    values = {item.mistake.key: item.value for item in problem.mistakes}
    verdict = _check(problem, repr(values["forgot-every-derivative"]))
    assert [m.key for m in verdict.mistakes] == ["forgot-every-derivative"]


def test_numerical_answer_named_as_estimate():
    spec = quiz_spec({"kind": "numerical-gradient", "layers": "1-1-1", "activation": "sigmoid", "loss": "mse"})
    problem = generate_problem(spec, 61052)
    verdict = _check(problem, "(0.19029577-0.19040505)/0.02")
    assert verdict.status == CORRECT
    assert verdict.message == "Right: the estimate of dL/dW1[0,0] = -0.0055."


# The start of the right-answer message for each kind: it names the asked value, never a given.
RIGHT_MESSAGE_STARTS = {
    "local-derivative": "Right: f'(z) = ",
    "output-delta": "Right: dZ",
    "hidden-delta": "Right: dZ",
    "weight-gradient": "Right: dW",
    "bias-gradient": "Right: db",
    "weight-update": "Right: new W",
    "numerical-gradient": "Right: the estimate of dL/dW",
    "relative-error": "Right: the relative error = ",
}


def test_every_kind_has_a_message_start():
    assert set(RIGHT_MESSAGE_STARTS) == set(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_right_message_names_asked_value(kind):
    layers = "1-1" if kind == "local-derivative" else "2-2-1"
    spec = quiz_spec({"kind": kind, "layers": layers})
    for seed in range(6):
        problem = generate_problem(spec, seed)
        shown = format_number(problem.expected, spec.digits)
        verdict = _check(problem, shown)
        assert verdict.message.startswith(RIGHT_MESSAGE_STARTS[kind]), verdict.message
        assert verdict.message.endswith(f" = {shown}."), verdict.message


@pytest.mark.parametrize("kind", ["output-delta", "hidden-delta", "weight-gradient", "bias-gradient",
                                  "weight-update"])
def test_worked_answer_line_names_asked_value(kind):
    spec = quiz_spec({"kind": kind, "layers": "2-2-1"})
    for seed in range(6):
        problem = generate_problem(spec, seed)
        shown = format_number(problem.expected, spec.digits)
        assert worked_lines(problem)[-1] == f"Answer: {problem.target.answer_label} = {shown}"


def test_weight_update_worked_answer_is_new_weight():
    problem = generate_problem(quiz_spec({"kind": "weight-update", "layers": "2-2-1"}), 3)
    assert worked_lines(problem)[-1].startswith("Answer: new W")



@pytest.mark.parametrize(("layers", "seed"), [("1-1-1", 136), ("1-1-1", 385), ("2-2-1", 352), ("2-2-1", 1232)])
def test_numerical_answer_from_shown_losses(layers, seed):
    """The right value is the central difference of the two losses as shown, so the worked line adds up."""
    problem = generate_problem(quiz_spec({"kind": "numerical-gradient", "layers": layers}), seed)
    given = problem.given
    quotient = (given["loss_plus"] - given["loss_minus"]) / (2 * given["epsilon"])
    assert problem.expected == pytest.approx(quotient, rel=1e-9)
    shown = format_number(quotient, problem.spec.digits)
    assert f" = {shown}" in worked_lines(problem)[2]
    assert worked_lines(problem)[-1] == f"Answer: the estimate of dL/d{problem.target.label} = {shown}"
