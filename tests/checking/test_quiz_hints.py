"""The hint ladder: factors, values without the answer, the worked table ending in the answer."""

import pytest

from tutor.checking.quiz import KINDS, generate_problem, quiz_spec
from tutor.checking.quiz.describe import problem_lines
from tutor.checking.quiz.hints import hint_rungs, worked_lines
from tutor.engine.trace import format_number

# The lab pane leaves about 35 columns inside a quiz panel at 80x24.
WIDTH = 35


@pytest.mark.parametrize("kind", KINDS)
def test_three_rungs_and_worked_answer(kind):
    layers = "1-1" if kind == "local-derivative" else "2-2-1"
    for seed in range(5):
        problem = generate_problem(quiz_spec({"kind": kind, "layers": layers}), seed)
        rungs = hint_rungs(problem)
        assert len(rungs) == 3
        assert all(rungs)
        answer = format_number(problem.expected, problem.spec.digits)
        assert any(answer in line for line in worked_lines(problem))


@pytest.mark.parametrize("kind", ["output-delta", "hidden-delta", "weight-gradient", "bias-gradient"])
def test_values_rung_leaves_out_the_answer(kind):
    for seed in range(8):
        problem = generate_problem(quiz_spec({"kind": kind, "layers": "2-2-1"}), seed)
        label = problem.target.label
        assert not any(line.startswith(f"{label} =") for line in hint_rungs(problem)[1])


def test_factor_rung_names_the_chain():
    problem = generate_problem(quiz_spec({"kind": "hidden-delta", "layers": "2-2-1"}), 3)
    factors = "\n".join(hint_rungs(problem)[0])
    assert "f'(z1[" in factors
    assert "W2[0," in factors
    assert "a2[0] - y[0]" in factors


@pytest.mark.parametrize("kind", KINDS)
def test_problem_lines_fit_the_pane(kind):
    layers = "1-1" if kind == "local-derivative" else "3-3-1"
    problem = generate_problem(quiz_spec({"kind": kind, "layers": layers}), 11)
    formula = problem.network.loss.formula if problem.network is not None else None
    for line in problem_lines(problem):
        if line != formula:
            assert len(line) <= WIDTH, line
