"""Quiz block parameters: defaults, validation messages for authors."""

import pytest

from tutor.checking.quiz import QuizSpecError, quiz_spec, validate_quiz_params


def test_defaults():
    spec = quiz_spec({"kind": "output-delta"})
    assert spec.sizes == (2, 2, 1)
    assert spec.activation == "sigmoid"
    assert spec.loss == "mse"
    assert spec.batch == 1
    assert not spec.fill_table


def test_bce_output_is_sigmoid():
    spec = quiz_spec({"kind": "output-delta", "activation": "relu", "loss": "bce"})
    assert spec.activations() == ["relu", "sigmoid"]


@pytest.mark.parametrize(
    ("params", "phrase"),
    [
        ({"kind": "gradient"}, "unknown quiz kind"),
        ({"kind": "output-delta", "layers": "2"}, "sizes joined by dashes"),
        ({"kind": "output-delta", "layers": "2-x-1"}, "sizes joined by dashes"),
        ({"kind": "output-delta", "layers": "2-2-2-2-1"}, "one to 3"),
        ({"kind": "output-delta", "layers": "4-2-1"}, "1 to 3"),
        ({"kind": "output-delta", "activation": "softmax"}, "activation 'softmax'"),
        ({"kind": "output-delta", "loss": "cross_entropy"}, "loss 'cross_entropy'"),
        ({"kind": "output-delta", "mode": "table"}, "mode 'table'"),
        ({"kind": "hidden-delta", "layers": "1-1"}, "at least two layers"),
        ({"kind": "output-delta", "batch": 2}, "batch applies only"),
        ({"kind": "weight-gradient", "batch": 9}, "batch must be"),
        ({"kind": "weight-gradient", "batch": 2, "mode": "fill-table"}, "takes no batch"),
        ({"kind": "weight-update", "learning_rate": 0}, "learning_rate must be"),
        ({"kind": "numerical-gradient", "epsilon": "small"}, "epsilon must be"),
        ({"kind": "output-delta", "answer": 0.25}, "unknown parameter 'answer'"),
    ],
)
def test_validation_messages(params, phrase):
    problems = validate_quiz_params(params)
    assert len(problems) == 1
    assert phrase in problems[0]
    with pytest.raises(QuizSpecError):
        quiz_spec(params)


def test_valid_block_has_no_problems():
    params = {"kind": "weight-update", "id": "update-1", "layers": "2-2-1", "activation": "tanh",
              "loss": "bce", "batch": 2, "learning_rate": 0.1}
    assert validate_quiz_params(params) == []


def test_quiz_package_imports_no_textual():
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    code = ("import tutor.checking, tutor.checking.quiz, tutor.checking.quiz.hints, "
            "tutor.checking.quiz.table, sys; print('\\n'.join(sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=root, env={"PYTHONPATH": str(root)})
    modules = set(result.stdout.split())
    assert "tutor.checking.quiz.table" in modules
    assert "textual" not in modules
