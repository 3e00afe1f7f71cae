"""Mistake explanations hold for the quiz's loss and activation, and BCE's own slips are named."""

import itertools

import pytest

from tutor.checking.quiz import generate_problem, quiz_spec
from tutor.checking.quiz.check import CORRECT, MISTAKE, check_text
from tutor.checking.quiz.table import generate_table

NETWORK_KINDS = ("output-delta", "hidden-delta", "weight-gradient", "bias-gradient", "weight-update")
# Statements that are false under BCE, where dL/da = (a - y) / (a(1 - a)) and dZ = a - y.
FALSE_UNDER_BCE = ("dL/da is a - y", "so dL/da = a - y")


def _check(problem, text):
    return check_text(text, problem.expected, problem.mistakes, problem.band(),
                      problem.target.answer_label, problem.spec.digits)


def test_bce_flipped_sign_explains_dz_not_dl_da():
    spec = quiz_spec({"kind": "output-delta", "layers": "2-2-1", "activation": "sigmoid", "loss": "bce"})
    problem = generate_problem(spec, 21100)
    assert _check(problem, "-0.6140").status == CORRECT
    verdict = _check(problem, "+0.6140")
    assert [m.key for m in verdict.mistakes] == ["sign-flipped"]
    assert "dL/da is a - y" not in verdict.message
    assert "dZ is a - y" in verdict.message
    assert "(a - y) / (a(1 - a))" in verdict.message


def test_bce_slope_applied_twice_named():
    spec = quiz_spec({"kind": "output-delta", "layers": "2-2-1", "activation": "sigmoid", "loss": "bce"})
    problem = generate_problem(spec, 21100)
    verdict = _check(problem, "-0.1455")
    assert verdict.status == MISTAKE
    assert [m.key for m in verdict.mistakes] == ["bce-slope-twice"]
    assert "a(1 - a) again" in verdict.message


@pytest.mark.parametrize(("kind", "layers", "activation"),
                         list(itertools.product(NETWORK_KINDS, ("1-1-1", "2-2-1"), ("sigmoid", "tanh", "relu"))))
def test_bce_slope_twice_modelled_for_every_kind(kind, layers, activation):
    spec = quiz_spec({"kind": kind, "layers": layers, "activation": activation, "loss": "bce"})
    for seed in range(5):
        problem = generate_problem(spec, seed)
        network, X, Y = problem.network, problem.X, problem.Y
        _, caches = network.forward(X)
        output = caches[-1]
        # Recompute the slip by hand for an output-delta target: (a - y) * a(1 - a).
        if problem.target.quantity == "dZ" and problem.target.layer == len(network.layers):
            j = problem.target.index[0]
            a, y = output.a[j, 0], Y[j, 0]
            values = {item.mistake.key: item.value for item in problem.mistakes}
            assert values["bce-slope-twice"] == pytest.approx((a - y) * a * (1 - a))
        assert "bce-slope-twice" in [item.mistake.key for item in problem.mistakes]


@pytest.mark.parametrize(("kind", "layers", "activation", "loss"),
                         list(itertools.product(NETWORK_KINDS, ("1-1-1", "2-2-1"), ("sigmoid", "tanh", "relu"),
                                                ("mse", "bce"))))
def test_explanations_true_for_loss(kind, layers, activation, loss):
    spec = quiz_spec({"kind": kind, "layers": layers, "activation": activation, "loss": loss})
    for seed in range(4):
        problem = generate_problem(spec, seed)
        keys = [item.mistake.key for item in problem.mistakes]
        assert len(keys) == len(set(keys)), keys
        for item in problem.mistakes:
            text = item.mistake.explanation
            if loss == "bce":
                assert not any(claim in text for claim in FALSE_UNDER_BCE), (item.mistake.key, text)
                assert "z-for-a-loss" != item.mistake.key
            else:
                assert "bce" not in item.mistake.key
            if activation != "sigmoid" and loss == "mse":
                assert "sigmoid-one-plus-a" != item.mistake.key


@pytest.mark.parametrize(("layers", "activation"), list(itertools.product(("1-1", "2-2-1"), ("sigmoid", "tanh"))))
def test_table_explanations_true_for_bce(layers, activation):
    spec = quiz_spec({"kind": "weight-gradient", "layers": layers, "activation": activation, "loss": "bce",
                      "mode": "fill-table"})
    for seed in range(4):
        table = generate_table(spec, seed)
        for cell in table.cells:
            for item in cell.mistakes:
                assert not any(claim in item.mistake.explanation for claim in FALSE_UNDER_BCE), cell.name
        output_dz = [cell for cell in table.cells if cell.name == f"dZ{len(table.network.layers)}[0]"][0]
        assert "bce-slope-twice" in [item.mistake.key for item in output_dz.mistakes]


@pytest.mark.parametrize("kind", ["local-derivative", "hidden-delta"])
def test_tanh_derivative_explanations_give_tanh_rule(kind):
    layers = "1-1" if kind == "local-derivative" else "2-2-1"
    spec = quiz_spec({"kind": kind, "layers": layers, "activation": "tanh"})
    for seed in range(6):
        problem = generate_problem(spec, seed)
        for item in problem.mistakes:
            if item.mistake.key.startswith(("derivative-at-a", "z-in-derivative")):
                assert "1 - a^2 for tanh" in item.mistake.explanation or "1 - a^2 (tanh)" in item.mistake.explanation
