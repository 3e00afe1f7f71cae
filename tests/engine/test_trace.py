"""Traces: every layer, loss and depth, with values from the engine and consistent substitutions."""

import ast
import operator

import numpy as np
import pytest

from tutor.engine.examples import EXAMPLES, get_example
from tutor.engine.network import build_network
from tutor.engine.trace import format_number, trace_pass

CONFIGS = [
    ([2, 2, 1], ["sigmoid", "sigmoid"], "mse"),
    ([3, 4, 1], ["tanh", "sigmoid"], "bce"),
    ([2, 3, 3, 2], ["relu", "tanh", "sigmoid"], "bce"),
    ([4, 5, 3], ["relu", "softmax"], "cross_entropy"),
    ([2, 3, 2], ["leaky_relu", "softmax"], "mse"),
    ([3, 2, 2, 2, 1], ["tanh", "relu", "sigmoid", "identity"], "mse"),
]

OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
             ast.Div: operator.truediv, ast.USub: operator.neg}


def arithmetic(text):
    """Evaluate + - * / and brackets over decimal numbers, nothing else."""
    def walk(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
            return OPERATORS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in OPERATORS:
            return OPERATORS[type(node.op)](walk(node.operand))
        raise ValueError(f"not plain arithmetic: {text}")
    return walk(ast.parse(text, mode="eval").body)


def build(config, seed=2):
    sizes, activations, loss = config
    network = build_network(sizes, activations, loss, seed=seed)
    rng = np.random.default_rng(seed)
    for layer in network.layers:
        layer.b += rng.normal(0, 0.3, layer.b.shape)
    x = rng.normal(0, 1, sizes[0])
    y = np.zeros(sizes[-1])
    y[0] = 1.0
    return network, x, y


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: "-".join(c[1]) + "-" + c[2])
def test_trace_values_equal_engine_values(config):
    network, x, y = build(config)

    trace = trace_pass(network, x, y)

    A, caches = network.forward(x.reshape(-1, 1))
    grads = network.backward(caches, y.reshape(-1, 1))
    for number, (cache, layer_grads) in enumerate(zip(caches, grads), start=1):
        for j in range(cache.z.shape[0]):
            assert trace.value(f"z{number}[{j}]") == cache.z[j, 0]
            assert trace.value(f"a{number}[{j}]") == cache.a[j, 0]
            assert trace.value(f"dZ{number}[{j}]") == layer_grads.dZ[j, 0]
            assert trace.value(f"db{number}[{j}]") == layer_grads.db[j, 0]
            for k in range(layer_grads.dW.shape[1]):
                assert trace.value(f"dW{number}[{j},{k}]") == layer_grads.dW[j, k]
    assert trace.value("L") == pytest.approx(network.loss.value(A, y.reshape(-1, 1)), rel=1e-15)


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: "-".join(c[1]) + "-" + c[2])
def test_trace_order_forward_loss_backward(config):
    network, x, y = build(config)

    phases = [step.phase for step in trace_pass(network, x, y).steps]

    assert phases == sorted(phases, key=["forward", "loss", "backward"].index)
    assert phases.count("loss") == 1


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: "-".join(c[1]) + "-" + c[2])
def test_substitutions_end_with_the_value(config):
    network, x, y = build(config)

    for step in trace_pass(network, x, y, digits=5).steps:
        assert step.substituted.endswith(format_number(step.value, 5)), step


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: "-".join(c[1]) + "-" + c[2])
def test_substituted_arithmetic_reproduces_value(config):
    network, x, y = build(config)
    digits = 6

    for step in trace_pass(network, x, y, digits=digits).steps:
        if step.quantity not in ("z", "dW", "dZ") and not (step.quantity == "dA" and step.layer < len(network.layers)):
            continue
        left = step.substituted.rsplit(" = ", 1)[0]
        # Rounded inputs: each product carries an error of about 1e-6 times its size.
        assert arithmetic(left) == pytest.approx(step.value, abs=5e-5), step


def test_trace_covers_every_unit_and_weight():
    network, x, y = build(CONFIGS[2])

    names = {step.name for step in trace_pass(network, x, y).steps}

    for number, layer in enumerate(network.layers, start=1):
        for j in range(layer.n_out):
            assert f"z{number}[{j}]" in names
            assert f"dZ{number}[{j}]" in names
            for k in range(layer.n_in):
                assert f"dW{number}[{j},{k}]" in names
    assert "L" in names


def test_softmax_cross_entropy_shows_fused_dZ():
    network, x, y = build(CONFIGS[3])

    trace = trace_pass(network, x, y)

    step = trace.find("dZ2[0]")
    assert step.formula == "dZ2[0] = a2[0] - y[0]"
    assert not any(s.name.startswith("dA2") for s in trace.steps)


def test_sigmoid_bce_shows_dA_then_fused_dZ():
    network, x, y = build(CONFIGS[1])

    trace = trace_pass(network, x, y)

    assert trace.find("dA2[0]").formula == "dA2[0] = (a - y) / (a(1 - a))"
    assert trace.find("dZ2[0]").formula == "dZ2[0] = a2[0] - y[0]"


def test_softmax_with_mse_shows_jacobian_product():
    network, x, y = build(CONFIGS[4])

    step = trace_pass(network, x, y).find("dZ2[1]")

    assert "sum_i a2[i]*dA2[i]" in step.formula


def test_loss_substitution_lists_every_output():
    network, x, y = build(CONFIGS[2])

    step = trace_pass(network, x, y).find("L")

    assert step.substituted.count("log(") == 4


def test_single_chain_trace_hides_bias():
    example = get_example("single-chain")

    trace = trace_pass(example.build(), example.x, example.y, include_bias=False)

    assert trace.find("z1[0]").substituted == "0.5000*1.0000 = 0.5000"
    assert trace.find("a1[0]").substituted == "sigmoid(0.5000) = 0.6225"
    assert not any(step.quantity == "db" for step in trace.steps)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_worked_example_traces(name):
    example = get_example(name)

    trace = trace_pass(example.build(), example.x, example.y, include_bias=example.include_bias)

    assert trace.steps
    assert all(np.isfinite(step.value) for step in trace.steps)


def test_find_unknown_step_raises():
    network, x, y = build(CONFIGS[0])

    with pytest.raises(KeyError, match="dW9"):
        trace_pass(network, x, y).find("dW9[0,0]")


def test_format_number_has_no_negative_zero():
    assert format_number(-0.00001) == "0.0000"
    assert format_number(-0.5, 2) == "-0.50"
