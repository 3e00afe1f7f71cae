"""Fill-the-table mode: every cell accepted when right, diagnosed when it matches a mistake."""

import itertools

import pytest

from tutor.checking.quiz import quiz_spec
from tutor.checking.quiz.check import CORRECT, MISTAKE
from tutor.checking.quiz.table import generate_table
from tutor.engine.trace import format_number, trace_pass

CONFIGS = [
    {"kind": "weight-gradient", "layers": layers, "activation": activation, "loss": loss, "mode": "fill-table"}
    for layers, activation, loss in itertools.product(
        ("1-1", "1-1-1", "2-2-1", "2-2-2-1"), ("sigmoid", "tanh", "relu"), ("mse", "bce"))
]


def _id(params):
    return "-".join(str(value) for value in params.values())


@pytest.mark.parametrize("params", CONFIGS, ids=_id)
def test_cells_right_and_mistakes_diagnosed(params):
    spec = quiz_spec(params)
    for seed in range(6):
        table = generate_table(spec, seed)
        for index, cell in enumerate(table.cells):
            for text in (repr(cell.step.value), format_number(cell.step.value, spec.digits)):
                assert table.check(index, text).status == CORRECT, (seed, cell.name, text)
            for item in cell.mistakes:
                for text in (repr(item.value), format_number(item.value, spec.digits)):
                    verdict = table.check(index, text)
                    assert verdict.status == MISTAKE, (seed, cell.name, item.mistake.key, text)
                    assert item.mistake in verdict.mistakes


def test_cells_follow_engine_trace_order():
    spec = quiz_spec({"kind": "weight-gradient", "layers": "2-2-1", "mode": "fill-table"})
    table = generate_table(spec, 7)
    trace = trace_pass(table.network, table.X[:, 0], table.Y[:, 0], digits=spec.digits)
    assert [cell.name for cell in table.cells] == [step.name for step in trace.steps]
    assert [cell.step.value for cell in table.cells] == [step.value for step in trace.steps]


def test_table_reproduced_from_seed():
    spec = quiz_spec({"kind": "weight-gradient", "layers": "2-2-1", "mode": "fill-table"})
    first, second = generate_table(spec, 99), generate_table(spec, 99)
    assert [cell.step.value for cell in first.cells] == [cell.step.value for cell in second.cells]


def test_cell_mistakes_cover_common_slips():
    spec = quiz_spec({"kind": "weight-gradient", "layers": "2-2-1", "activation": "sigmoid",
                      "loss": "mse", "mode": "fill-table"})
    table = generate_table(spec, 1)
    keys = {cell.name: {item.mistake.key for item in cell.mistakes} for cell in table.cells}
    assert "gave-z" in keys["a1[0]"]
    assert "forgot-half" in keys["L"]
    assert "sign-flipped" in keys["dA2[0]"]
    assert "forgot-derivative" in keys["dZ2[0]"]
    assert "forgot-input" in keys["dW2[0,0]"]
    assert "z-for-a-input" in keys["dW2[0,1]"]
    assert "swapped-indices" in keys["dW1[0,1]"]
    assert "transpose-forgotten" not in keys["dA1[0]"]


def test_cell_hint_ladder():
    spec = quiz_spec({"kind": "weight-gradient", "layers": "1-1-1", "mode": "fill-table"})
    table = generate_table(spec, 2)
    index = [cell.name for cell in table.cells].index("dZ2[0]")
    rule, numbers, worked = table.hint_rungs(index)
    assert rule == [table.cells[index].step.formula]
    assert numbers[0].startswith("dZ2[0] = ")
    assert format_number(table.cells[index].step.value, 4) not in numbers[0]
    assert len(worked) == index + 1
    assert worked[-1].endswith(format_number(table.cells[index].step.value, 4))


def _named(table, name, value):
    index = [cell.name for cell in table.cells].index(name)
    verdict = table.check(index, repr(float(value)))
    assert verdict.status == MISTAKE, (table.seed, name, value, verdict.message)
    return [m.key for m in verdict.mistakes]


def test_layer_mixups_named_at_fixed_seed():
    table = generate_table(quiz_spec({"kind": "weight-gradient", "mode": "fill-table"}), 91650)
    assert _named(table, "z2[0]", -0.51375) == ["z-for-a-forward"]
    assert _named(table, "dW2[0,0]", 0.15609) == ["input-for-a-prev"]
    assert _named(table, "dA1[1]", -0.31923) == ["dA-for-dZ"]


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
@pytest.mark.parametrize("loss", ["mse", "bce"])
def test_layer_mixups_named_any_seed(activation, loss):
    """Each value is worked here from the engine's forward pass and the traced cells."""
    spec = quiz_spec({"kind": "weight-gradient", "layers": "2-2-1", "activation": activation, "loss": loss,
                      "mode": "fill-table"})
    for seed in range(0, 4000, 97):
        table = generate_table(spec, seed)
        network, x = table.network, table.X
        _, (hidden, output) = network.forward(x)
        W2, b2 = network.layers[1].W, network.layers[1].b
        dZ2 = table.trace.value("dZ2[0]")
        dA2 = table.trace.value("dA2[0]")
        if abs((W2 @ hidden.z + b2)[0, 0] - output.z[0, 0]) > 1e-3:
            assert "z-for-a-forward" in _named(table, "z2[0]", (W2 @ hidden.z + b2)[0, 0])
        for k in range(2):
            wrong = dZ2 * x[k, 0]
            if abs(wrong - dZ2 * hidden.a[k, 0]) > 1e-3:
                assert "input-for-a-prev" in _named(table, f"dW2[0,{k}]", wrong)
            assert "dA-for-dZ" in _named(table, f"dA1[{k}]", W2[0, k] * dA2)
