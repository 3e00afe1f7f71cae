"""Chart data: the series each chart kind computes with the engine, and parameter checks."""

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tutor.course.charts import (
    MAX_EPOCHS,
    MAX_POINTS,
    ChartParameterError,
    chart_series,
    gradient_norms,
    is_slow,
    validate_chart_params,
)
from tutor.engine import datasets
from tutor.engine.gradcheck import check_network_gradients
from tutor.engine.network import build_network
from tutor.engine.training import train_full_batch


def test_xor_loss_decreases():
    data = chart_series({"kind": "xor-loss", "learning_rate": 2.0, "epochs": 3000})
    (series,) = data.series

    assert series.ys[-1] < series.ys[0] / 10
    assert series.xs[0] == 1.0
    assert series.xs[-1] == 3000.0


def test_xor_loss_matches_engine_training():
    data = chart_series({"kind": "xor-loss", "learning_rate": 0.5, "epochs": 50, "seed": 3})
    X, Y = datasets.xor()
    network = build_network([2, 2, 1], "sigmoid", "mse", seed=3)
    losses = train_full_batch(network, X, Y, learning_rate=0.5, epochs=50)

    assert data.series[0].ys == tuple(losses)


def test_xor_loss_thins_long_runs():
    data = chart_series({"kind": "xor-loss", "epochs": 5000})
    xs = data.series[0].xs

    assert len(xs) <= MAX_POINTS
    assert xs[0] == 1.0
    assert xs[-1] == 5000.0
    assert list(xs) == sorted(set(xs))


def test_xor_loss_title_names_rate_and_final_loss():
    data = chart_series({"kind": "xor-loss", "learning_rate": 2.0, "epochs": 100})

    assert "lr 2" in data.title
    assert f"{data.series[0].ys[-1]:.4f}" in data.title


def test_learning_rates_one_series_per_rate():
    rates = [0.1, 1.0, 5.0]
    data = chart_series({"kind": "learning-rates", "learning_rates": rates, "epochs": 200})

    assert len(data.series) == len(rates)
    assert [s.label for s in data.series] == ["lr 0.1", "lr 1", "lr 5"]
    assert data.y_log


def test_learning_rates_start_from_same_weights():
    data = chart_series({"kind": "learning-rates", "learning_rates": [0.1, 5.0], "epochs": 300})
    slow, fast = data.series

    assert slow.ys[0] == fast.ys[0]
    assert fast.ys[-1] < slow.ys[-1]


def test_learning_rates_default_list():
    data = chart_series({"kind": "learning-rates", "epochs": 10})

    assert [s.label for s in data.series] == ["lr 0.1", "lr 1", "lr 5", "lr 50"]


def test_gradient_flow_sigmoid_shrinks_toward_input():
    norms = chart_series({"kind": "gradient-flow", "activation": "sigmoid", "depth": 6}).series[0].ys

    assert len(norms) == 6
    assert all(lower < upper for lower, upper in zip(norms, norms[1:]))
    assert norms[0] / norms[-1] < 1e-2


def test_gradient_flow_relu_shrinks_much_less():
    sigmoid = gradient_norms("sigmoid", 6, seed=0)
    relu = gradient_norms("relu", 6, seed=0)

    assert relu[0] / relu[-1] > 0.1
    assert relu[0] / relu[-1] > 100 * (sigmoid[0] / sigmoid[-1])


def test_gradient_flow_is_log_scale_with_layer_ticks():
    data = chart_series({"kind": "gradient-flow", "depth": 4})

    assert data.y_log
    assert data.x_ticks == ((1.0, 2.0, 3.0, 4.0), ("W1", "W2", "W3", "W4"))


def test_gradient_flow_norms_match_engine_backward():
    norms = gradient_norms("relu", 3, seed=5)
    network = build_network([4, 16, 16, 1], ["relu", "relu", "identity"], "mse", seed=5, init="xavier")
    rng = np.random.default_rng(6)
    X = rng.normal(size=(4, 64))
    Y = rng.normal(size=(1, 64))
    _, grads = network.loss_and_gradients(X, Y)

    assert norms == [float(np.linalg.norm(g.dW)) for g in grads]


def test_gradient_check_series_agree():
    data = chart_series({"kind": "gradient-check", "seed": 1})
    analytical, numerical = data.series

    assert len(analytical.ys) == 2 * 3 + 3 + 3 * 1 + 1
    assert np.allclose(analytical.ys, numerical.ys, rtol=1e-6, atol=1e-9)
    assert numerical.scatter
    assert not analytical.scatter


def test_gradient_check_title_has_relative_error():
    data = chart_series({"kind": "gradient-check", "seed": 1})
    X, Y = datasets.xor()
    checks = check_network_gradients(build_network([2, 3, 1], "sigmoid", "mse", seed=1), X, Y)
    analytical = np.concatenate([c.analytical.ravel() for c in checks])
    numerical = np.concatenate([c.numerical.ravel() for c in checks])
    error = np.linalg.norm(analytical - numerical) / (
        np.linalg.norm(analytical) + np.linalg.norm(numerical))

    assert f"{error:.1e}" in data.title
    assert error < 1e-7


def test_gradient_check_ticks_name_parameters():
    data = chart_series({"kind": "gradient-check"})

    assert data.x_ticks == ((1.0, 7.0, 10.0, 13.0), ("W1", "b1", "W2", "b2"))


def test_valid_params_have_no_problems():
    for params in (
        {"kind": "xor-loss"},
        {"kind": "xor-loss", "learning_rate": 0.5, "epochs": MAX_EPOCHS, "seed": 2, "id": "loss"},
        {"kind": "learning-rates", "learning_rates": [0.01, 1000]},
        {"kind": "gradient-flow", "activation": "relu", "depth": 20},
        {"kind": "gradient-check", "seed": 0},
    ):
        assert validate_chart_params(params) == [], params


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, "missing `kind`"),
        ({"kind": "pie"}, "unknown chart kind 'pie'"),
        ({"kind": "xor-loss", "epochs": -5}, "`epochs` must be a whole number from 1 to 20000, got -5"),
        ({"kind": "xor-loss", "epochs": 20001}, "got 20001"),
        ({"kind": "xor-loss", "epochs": "many"}, "`epochs` must be a whole number"),
        ({"kind": "xor-loss", "epochs": 2.5}, "`epochs` must be a whole number"),
        ({"kind": "xor-loss", "epochs": True}, "`epochs` must be a whole number"),
        ({"kind": "xor-loss", "learning_rate": "fast"}, "`learning_rate` must be a number above 0"),
        ({"kind": "xor-loss", "learning_rate": 0}, "`learning_rate` must be a number above 0"),
        ({"kind": "xor-loss", "learning_rate": math.nan}, "`learning_rate` must be a number above 0"),
        ({"kind": "xor-loss", "seed": -1}, "`seed` must be a whole number, 0 or more"),
        ({"kind": "xor-loss", "learning_rates": [1.0]}, "unknown parameter `learning_rates`"),
        ({"kind": "learning-rates", "learning_rates": 0.5}, "`learning_rates` must be a list"),
        ({"kind": "learning-rates", "learning_rates": []}, "`learning_rates` must be a list"),
        ({"kind": "learning-rates", "learning_rates": [1, -2]}, "must contain numbers above 0"),
        ({"kind": "gradient-flow", "activation": "tanh"}, "`activation` must be one of: sigmoid, relu"),
        ({"kind": "gradient-flow", "depth": 1}, "`depth` must be a whole number of layers from 2 to 20"),
        ({"kind": "gradient-check", "epochs": 10}, "unknown parameter `epochs`"),
    ],
)
def test_invalid_params_are_named(params, expected):
    problems = validate_chart_params(params)

    assert len(problems) == 1, problems
    assert expected in problems[0]


def test_several_problems_listed():
    problems = validate_chart_params({"kind": "xor-loss", "epochs": 0, "seed": "x"})

    assert len(problems) == 2


def test_params_not_a_mapping():
    problems = validate_chart_params(["kind", "xor-loss"])

    assert "must be a mapping" in problems[0]


def test_chart_series_rejects_invalid_params():
    with pytest.raises(ChartParameterError) as raised:
        chart_series({"kind": "xor-loss", "epochs": 0})

    assert raised.value.problems == validate_chart_params({"kind": "xor-loss", "epochs": 0})


def test_is_slow_for_long_training_only():
    assert is_slow({"kind": "xor-loss"})
    assert is_slow({"kind": "learning-rates", "epochs": 300})
    assert not is_slow({"kind": "xor-loss", "epochs": 100})
    assert not is_slow({"kind": "gradient-flow", "depth": 20})
    assert not is_slow({"kind": "gradient-check"})


def test_chart_data_imports_no_textual_or_plotext():
    root = Path(__file__).resolve().parents[2]
    code = ("import sys\n"
            "from tutor.course.charts import chart_series\n"
            "chart_series({'kind': 'gradient-check'})\n"
            "print(sorted(m for m in ('textual', 'plotext', 'rich') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=root, env={**os.environ, "PYTHONPATH": str(root)})

    assert result.stdout.strip() == "[]"
