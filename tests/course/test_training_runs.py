"""The data side of the train block: parameter checks, real engine runs, charts and digit art."""

import threading

import numpy as np
import pytest

from tutor.course.training_runs import (
    DATASETS,
    TrainingParameterError,
    TrainingRun,
    digit_art,
    gradient_chart,
    loss_chart,
    training_settings,
    validate_training_params,
)
from tutor.engine.training import STOP_COMPLETED, STOP_REQUESTED

DIGITS_BLOCK = {
    "dataset": "digits", "layers": "64-32-10", "activation": "relu", "epochs": 20,
    "batch_size": 32, "learning_rate": 0.1, "optimizer": "sgd", "seed": 0,
}


def test_validate_accepts_digits_block():
    assert validate_training_params(DIGITS_BLOCK) == []


def test_validate_accepts_empty_block():
    assert validate_training_params({}) == []


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_validate_accepts_each_dataset(name):
    assert validate_training_params({"dataset": name}) == []


@pytest.mark.parametrize("params, parameter, fragment", [
    ({"dataset": "mnist"}, "dataset", "expected one of: digits, xor, moons, circles, spirals"),
    ({"activation": "gelu"}, "activation", "sigmoid, tanh, relu"),
    ({"epochs": 0}, "epochs", "from 1 to 200"),
    ({"epochs": 201}, "epochs", "from 1 to 200"),
    ({"epochs": 2.5}, "epochs", "whole number"),
    ({"batch_size": 0}, "batch_size", "from 1 to 1797"),
    ({"batch_size": 1798}, "batch_size", "from 1 to 1797"),
    ({"learning_rate": 0}, "learning_rate", "above 0 and at most 10"),
    ({"learning_rate": 10.5}, "learning_rate", "above 0 and at most 10"),
    ({"learning_rate": "1e-3"}, "learning_rate", "write 0.001"),
    ({"optimizer": "lbfgs"}, "optimizer", "sgd, momentum, rmsprop, adam"),
    ({"seed": -1}, "seed", "0 or more"),
    ({"layers": "a-b"}, "layers", "joined by dashes"),
    ({"layers": "64"}, "layers", "2 to 6 sizes"),
    ({"layers": "64-999-10"}, "layers", "from 1 to 256"),
    ({"layers": "2-8-10"}, "layers", "must start with 64, the number of inputs of digits"),
    ({"layers": "64-32-3"}, "layers", "must end with 10, the number of outputs of digits"),
    ({"dataset": "xor", "layers": "2-4-2"}, "layers", "must end with 1"),
    ({"dataset": "spirals", "layers": "2-8-1"}, "layers", "must end with 3"),
    ({"colour": "red"}, "colour", "unknown parameter"),
])
def test_validate_names_parameter(params, parameter, fragment):
    problems = validate_training_params(params)

    assert len(problems) == 1, problems
    assert f"`{parameter}`" in problems[0]
    assert fragment in problems[0]


def test_validate_lists_every_problem():
    problems = validate_training_params({"epochs": 0, "optimizer": "x", "seed": -2})

    assert len(problems) == 3


def test_validate_rejects_non_mapping():
    assert "mapping" in validate_training_params(["digits"])[0]


def test_settings_fill_dataset_defaults():
    settings = training_settings({"dataset": "xor", "epochs": 50})

    assert settings.layers == (2, 4, 1)
    assert settings.epochs == 50
    assert settings.spec.loss == "bce"


def test_settings_raise_on_invalid_block():
    with pytest.raises(TrainingParameterError) as caught:
        training_settings({"epochs": 0})
    assert "`epochs`" in caught.value.problems[0]


def test_layers_accept_a_list():
    assert training_settings({"layers": [64, 16, 10]}).layers == (64, 16, 10)


def test_digits_default_reaches_95_percent():
    result = TrainingRun.from_params(DIGITS_BLOCK).run()

    assert result.history.stop_reason == STOP_COMPLETED
    assert result.epochs_run == 20
    assert result.test_size == 360
    assert result.test_accuracy >= 0.95


def test_digits_result_keeps_misclassified_images():
    result = TrainingRun.from_params(DIGITS_BLOCK).run()
    wrong = result.test_size - result.test_correct

    assert len(result.misclassified) == min(3, wrong)
    for item in result.misclassified:
        assert item.image.shape == (8, 8)
        assert item.predicted != item.true


def test_xor_run_reaches_low_loss():
    result = TrainingRun.from_params({"dataset": "xor"}).run()
    losses = result.history.series("train_loss")

    assert losses[-1] < 0.05
    assert losses[-1] < losses[0] / 10
    assert result.test_accuracy == 1.0


@pytest.mark.parametrize("name", ["moons", "circles", "spirals"])
def test_2d_defaults_learn(name):
    result = TrainingRun.from_params({"dataset": name}).run()

    assert result.test_accuracy >= 0.9
    assert result.misclassified == [] or result.misclassified[0].image is None


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_moons_trains_with_each_activation(activation):
    result = TrainingRun.from_params({"dataset": "moons", "activation": activation}).run()

    assert result.test_accuracy >= 0.9


def test_history_has_norm_per_layer_per_epoch():
    run = TrainingRun.from_params({**DIGITS_BLOCK, "layers": "64-16-16-10", "epochs": 5})
    history = run.run().history
    norms = history.grad_norm_matrix()

    assert norms.shape == (5, 3)
    assert np.all(norms > 0)
    assert np.all(np.isfinite(norms))


def test_callback_stop_ends_run_early():
    run = TrainingRun.from_params({**DIGITS_BLOCK, "epochs": 200})
    result = run.run(on_epoch=lambda record: record.epoch == 3)

    assert result.stopped
    assert result.history.stop_reason == STOP_REQUESTED
    assert result.epochs_run == 3
    assert result.test_size == 360


def test_stop_from_other_thread_ends_within_an_epoch():
    run = TrainingRun.from_params({**DIGITS_BLOCK, "batch_size": 1, "epochs": 200})
    first_epoch = threading.Event()
    records = []

    def train():
        for record in run.epochs():
            records.append(record)
            first_epoch.set()

    thread = threading.Thread(target=train)
    thread.start()
    assert first_epoch.wait(timeout=30)
    run.stop()
    thread.join(timeout=30)

    assert not thread.is_alive()
    assert run.history.stop_reason == STOP_REQUESTED
    assert len(records) < 200


def test_loss_chart_has_train_and_validation():
    history = TrainingRun.from_params({**DIGITS_BLOCK, "epochs": 3}).run().history
    chart = loss_chart(history.records)

    assert [series.label for series in chart.series] == ["train", "validation"]
    assert chart.series[0].xs == (1.0, 2.0, 3.0)
    assert chart.series[0].ys == tuple(history.series("train_loss"))


def test_gradient_chart_has_series_per_layer():
    history = TrainingRun.from_params({**DIGITS_BLOCK, "epochs": 3}).run().history
    chart = gradient_chart(history.records)

    assert [series.label for series in chart.series] == ["W1", "W2"]
    assert chart.y_log
    assert chart.series[1].ys == tuple(history.grad_norm_matrix()[:, 1])


def test_digit_art_shades_by_value():
    image = np.zeros((8, 8))
    image[0, 0] = 1.0
    image[7, 7] = 0.5

    lines = digit_art(image, cell_width=1)

    assert len(lines) == 8
    assert all(len(line) == 8 for line in lines)
    assert lines[0][0] == "█"
    assert lines[7][7] == "▒"
    assert lines[3] == " " * 8


def test_digit_art_doubles_cells():
    assert digit_art(np.ones((8, 8)), cell_width=2)[0] == "█" * 16


def test_module_imports_no_textual_or_plotext():
    import subprocess
    import sys

    code = ("import sys, tutor.course.training_runs; "
            "print(sorted(m for m in ('textual', 'plotext') if m in sys.modules))")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert output == "[]"
