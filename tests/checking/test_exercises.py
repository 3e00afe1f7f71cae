"""Exercise folders, the checker's verdicts against the engine, and the exercise commands."""

import argparse
import io
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from tutor.checking.codecheck import check_code, compare_array
from tutor.checking.exercises import (
    ExerciseError,
    build_cases,
    find_exercise,
    load_exercise,
    load_exercises,
    validate_exercise_params,
)
from tutor.checking.runner import Runner
from tutor.exercise_cli import add_subcommands, exercise_id_of

LESSONS = Path(__file__).resolve().parents[2] / "lessons"
EXERCISE_IDS = ["backprop-by-hand", "backward-3-layer", "gradient-check", "fix-the-bug",
                "vanishing-gradients"]


@pytest.fixture(scope="module")
def runner():
    with Runner() as runner:
        yield runner


def exercise(exercise_id):
    return find_exercise(LESSONS, exercise_id)


def solution_with(exercise_id, old, new):
    code = exercise(exercise_id).solution_code()
    assert old in code
    return code.replace(old, new)


# Loading.

def test_course_has_the_five_exercises():
    exercises, errors = load_exercises(LESSONS)

    assert errors == []
    assert sorted(e.id for e in exercises) == sorted(EXERCISE_IDS)


def test_fix_the_bug_has_three_variants():
    variants = [variant.id for variant in exercise("fix-the-bug").variants]

    assert variants == ["wrong-derivative", "missing-transpose", "wrong-axis"]


def test_variant_starters_differ():
    fix = exercise("fix-the-bug")
    starters = {fix.starter_code(variant.id) for variant in fix.variants}

    assert len(starters) == 3
    assert fix.solution_code() not in starters


def test_cases_include_edge_cases():
    labels = [case.label for case in build_cases(exercise("backward-3-layer"))]

    assert "a batch of one example" in labels
    assert "an all-zero input batch" in labels


def test_edge_case_batch_shapes():
    cases = {case.label: case for case in build_cases(exercise("backward-3-layer"))}

    assert cases["a batch of one example"].args[0].shape[1] == 1
    assert not cases["an all-zero input batch"].args[0].any()


def test_cases_are_reproducible():
    first = build_cases(exercise("backward-3-layer"))
    second = build_cases(exercise("backward-3-layer"))

    np.testing.assert_array_equal(first[0].args[0], second[0].args[0])
    np.testing.assert_array_equal(first[0].expected["dW1"], second[0].expected["dW1"])


def write_exercise(folder: Path, toml: str, files=("starter.py", "solution.py")) -> Path:
    folder.mkdir(parents=True)
    (folder / "exercise.toml").write_text(toml)
    for name in files:
        (folder / name).write_text("def f():\n    pass\n")
    return folder


MINIMAL = """
id = "{id}"
title = "T"
prompt = "P"
[[functions]]
name = "f"
reference = "{reference}"
returns = ["norms"]
[functions.inputs]
generator = "{generator}"
sizes = [2, 2]
"""


def test_load_minimal_exercise(tmp_path):
    folder = write_exercise(tmp_path / "exercises" / "mine",
                            MINIMAL.format(id="mine", reference="gradient-norms", generator="dense-network"))

    loaded = load_exercise(folder)

    assert loaded.functions[0].returns == ("norms",)
    assert loaded.tolerance == 1e-6


def test_load_rejects_unknown_reference(tmp_path):
    folder = write_exercise(tmp_path / "exercises" / "mine",
                            MINIMAL.format(id="mine", reference="nope", generator="dense-network"))

    with pytest.raises(ExerciseError, match="reference 'nope' is unknown"):
        load_exercise(folder)


def test_load_rejects_generator_mismatch(tmp_path):
    folder = write_exercise(tmp_path / "exercises" / "mine",
                            MINIMAL.format(id="mine", reference="gradient-norms", generator="array-pairs"))

    with pytest.raises(ExerciseError, match="generator must be 'dense-network'"):
        load_exercise(folder)


def test_load_rejects_id_folder_mismatch(tmp_path):
    folder = write_exercise(tmp_path / "exercises" / "mine",
                            MINIMAL.format(id="other", reference="gradient-norms", generator="dense-network"))

    with pytest.raises(ExerciseError, match="must match the folder name"):
        load_exercise(folder)


@pytest.mark.parametrize("setting", ["tolerance = 0", "tolerance = -1", "tolerance = 0.5",
                                     "tolerance = \"small\"", "time_limit = 0", "time_limit = -2",
                                     "time_limit = 1000", "time_limit = true"])
def test_load_rejects_bad_limit(tmp_path, setting):
    toml = setting + "\n" + MINIMAL.format(id="mine", reference="gradient-norms",
                                           generator="dense-network")
    folder = write_exercise(tmp_path / "exercises" / "mine", toml)
    key = setting.split(" = ")[0]

    with pytest.raises(ExerciseError) as raised:
        load_exercise(folder)

    message = str(raised.value)
    assert key in message
    assert "exercise.toml" in message
    assert "at most" in message


def test_load_accepts_limits_in_range(tmp_path):
    toml = "tolerance = 1e-4\ntime_limit = 2\n" + MINIMAL.format(
        id="mine", reference="gradient-norms", generator="dense-network")
    folder = write_exercise(tmp_path / "exercises" / "mine", toml)

    loaded = load_exercise(folder)

    assert loaded.tolerance == 1e-4
    assert loaded.time_limit == 2.0


def test_load_rejects_missing_solution(tmp_path):
    folder = write_exercise(tmp_path / "exercises" / "mine",
                            MINIMAL.format(id="mine", reference="gradient-norms", generator="dense-network"),
                            files=("starter.py",))

    with pytest.raises(ExerciseError, match="solution.py: file not found"):
        load_exercise(folder)


def test_load_rejects_invalid_toml(tmp_path):
    folder = write_exercise(tmp_path / "exercises" / "mine", "id = \n")

    with pytest.raises(ExerciseError, match="invalid TOML"):
        load_exercise(folder)


def test_broken_folder_does_not_hide_others(tmp_path):
    write_exercise(tmp_path / "exercises" / "good",
                   MINIMAL.format(id="good", reference="gradient-norms", generator="dense-network"))
    write_exercise(tmp_path / "exercises" / "bad", "title = 1\n")

    exercises, errors = load_exercises(tmp_path)

    assert [e.id for e in exercises] == ["good"]
    assert len(errors) == 1


# Reference solutions and starters.

@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_solution_passes(runner, exercise_id):
    ex = exercise(exercise_id)
    report = check_code(ex, ex.solution_code(), runner=runner)

    assert report.passed, report.text()
    assert report.cases_checked == report.cases_total


@pytest.mark.parametrize("exercise_id,variant", [
    ("backprop-by-hand", None),
    ("backward-3-layer", None),
    ("gradient-check", None),
    ("vanishing-gradients", None),
    ("fix-the-bug", "wrong-derivative"),
    ("fix-the-bug", "missing-transpose"),
    ("fix-the-bug", "wrong-axis"),
])
def test_starter_fails_helpfully(runner, exercise_id, variant):
    ex = exercise(exercise_id)
    report = check_code(ex, ex.starter_code(variant), runner=runner)

    assert not report.passed
    assert report.kind in {"value", "wrong-shape", "exception", "modelled"}
    assert report.details.startswith("Case 1 of")


def test_wrong_derivative_names_first_wrong_array(runner):
    ex = exercise("fix-the-bug")
    report = check_code(ex, ex.starter_code("wrong-derivative"), runner=runner)

    assert report.kind == "modelled"
    assert report.headline == "dW1 does not match the engine."
    assert "uses a = f(z) in place of f'(z) in layer 1" in report.details
    assert "a(1 - a)" in report.details


def test_unexplained_value_shows_first_entry(runner):
    code = solution_with("backward-3-layer", "dZ3 = dA3 * A3 * (1 - A3)", "dZ3 = dA3 * A3 * (1 - A3) + 0.1")
    report = check_code(exercise("backward-3-layer"), code, runner=runner)

    assert report.kind == "value"
    assert report.headline == "dW3 does not match the engine."
    assert re.search(r"dW3\[0, 0\], expected -?\d\.\d+(e-?\d+)?, got", report.details)


def test_left_out_relu_slope_is_modelled(runner):
    code = solution_with("backward-3-layer", "dZ2 = dA2 * (Z2 > 0)", "dZ2 = dA2")
    report = check_code(exercise("backward-3-layer"), code, runner=runner)

    assert report.kind == "modelled"
    assert report.headline == "dW2 does not match the engine."
    assert "leaves out f'(z) in layer 2 (dZ2 = dA2)" in report.details


def test_missing_transpose_points_at_line(runner):
    ex = exercise("fix-the-bug")
    report = check_code(ex, ex.starter_code("missing-transpose"), runner=runner)

    assert report.kind == "exception"
    assert "line 15, in backward" in report.details
    assert "dA1 = W2 @ dZ2" in report.details
    assert "A missing or extra .T is the usual cause." in report.details


def test_wrong_axis_reports_both_shapes(runner):
    ex = exercise("fix-the-bug")
    report = check_code(ex, ex.starter_code("wrong-axis"), runner=runner)

    assert report.kind == "wrong-shape"
    assert "expected shape (4, 1), got (1, 5)" in report.headline
    assert "axis=1" in report.details


def test_vanishing_gradients_pass_has_both_plots(runner):
    ex = exercise("vanishing-gradients")
    report = check_code(ex, ex.solution_code(), runner=runner)

    assert set(report.plots) == {"sigmoid", "relu"}
    assert len(report.plots["sigmoid"]) == 7
    assert report.plots["sigmoid"][0] < report.plots["sigmoid"][-1] / 100


def test_failed_check_has_no_plots(runner):
    ex = exercise("vanishing-gradients")
    report = check_code(ex, ex.starter_code(), runner=runner)

    assert report.plots == {}


# Kinds of mistake, in real runs.

def test_missing_one_over_m_is_factor_m(runner):
    code = solution_with("backward-3-layer", "dW3 = dZ3 @ A2.T / m", "dW3 = dZ3 @ A2.T")
    report = check_code(exercise("backward-3-layer"), code, runner=runner)

    assert report.kind == "factor"
    assert "dW3 is 6 times too large" in report.headline
    assert "the 1/m of the mean is missing" in report.headline


def test_transposed_result_is_named(runner):
    code = solution_with("backward-3-layer", "dW2 = dZ2 @ A1.T / m", "dW2 = A1 @ dZ2.T / m")
    report = check_code(exercise("backward-3-layer"), code, runner=runner)

    assert report.kind == "transposed"
    assert "expected shape (4, 5), got (5, 4)" in report.headline


def test_flipped_sign_is_named(runner):
    code = solution_with("backward-3-layer", "dA3 = A3 - Y", "dA3 = Y - A3")
    report = check_code(exercise("backward-3-layer"), code, runner=runner)

    assert report.kind == "sign"
    assert report.headline.startswith("dW3 has the wrong sign")


def test_wrong_shape_reports_both_shapes(runner):
    code = solution_with("backward-3-layer", "db2 = dZ2.sum(axis=1, keepdims=True) / m",
                         "db2 = dZ2.sum(axis=1) / m")
    report = check_code(exercise("backward-3-layer"), code, runner=runner)

    assert report.kind == "wrong-shape"
    assert "expected shape (4, 1), got (4,)" in report.headline
    assert "keepdims=True" in report.details


def test_one_sided_difference_is_modelled(runner):
    code = solution_with("gradient-check", "x[index] = old - h\n        minus = f(x)",
                         "x[index] = old\n        minus = f(x)")
    code = code.replace("(plus - minus) / (2 * h)", "(plus - minus) / h")
    report = check_code(exercise("gradient-check"), code, runner=runner)

    assert report.kind == "modelled"
    assert "one-sided difference" in report.text()


def test_central_difference_over_h_names_2h(runner):
    code = solution_with("gradient-check", "(plus - minus) / (2 * h)", "(plus - minus) / h")
    report = check_code(exercise("gradient-check"), code, runner=runner)

    assert report.kind == "factor"
    assert "every entry is 2 times the expected value" in report.headline
    assert "the central difference divides by 2h" in report.details
    assert "MSE" not in report.text()


def test_central_difference_flipped_sign_hint(runner):
    code = solution_with("gradient-check", "(plus - minus) / (2 * h)", "(minus - plus) / (2 * h)")
    report = check_code(exercise("gradient-check"), code, runner=runner)

    assert report.kind == "sign"
    assert "with f(x + h) first" in report.details
    assert "A - Y" not in report.text()


def test_relative_error_mean_denominator_hint(runner):
    code = solution_with("gradient-check", "denominator = np.linalg.norm(a) + np.linalg.norm(b)",
                         "denominator = (np.linalg.norm(a) + np.linalg.norm(b)) / 2")
    report = check_code(exercise("gradient-check"), code, runner=runner)

    assert report.kind == "factor"
    assert report.headline == "relative error is 2 times the expected value."
    assert "mean of the norms" in report.details


def test_by_hand_missing_sigmoid_slope_is_modelled(runner):
    code = solution_with("backprop-by-hand", "dz1 = da1 * a1 * (1 - a1)", "dz1 = da1")
    report = check_code(exercise("backprop-by-hand"), code, runner=runner)

    assert report.kind == "modelled"
    assert report.headline == "dw1 does not match the engine."
    assert "leaves out f'(z) in layer 1 (dz1 = da1)" in report.details
    assert "every entry" not in report.text()


def test_by_hand_doubled_output_error(runner):
    code = solution_with("backprop-by-hand", "da2 = a2 - y", "da2 = 2 * (a2 - y)")
    report = check_code(exercise("backprop-by-hand"), code, runner=runner)

    assert report.kind == "factor"
    assert report.headline == "dw1 is 2 times the expected value."
    assert "the 1/2 of the MSE loss cancels the 2" in report.details
    assert "2(a2 - y)" in report.details


def test_unrestored_x_is_named(runner):
    code = solution_with("gradient-check", "        x[index] = old\n", "")
    report = check_code(exercise("gradient-check"), code, runner=runner)

    assert report.kind == "changed-input"
    assert report.headline == ("Your function changed x: restore each entry after "
                               "perturbing it (x[i] = old).")
    assert re.search(r"x\[0, 0\] was -?\d\.\d+ before the call and -?\d\.\d+ after it",
                     report.details)


def test_restore_by_rounding_still_passes(runner):
    code = solution_with("gradient-check", "x[index] = old + h", "x[index] += h")
    code = code.replace("x[index] = old - h", "x[index] -= 2 * h")
    code = code.replace("        x[index] = old\n", "        x[index] += h\n")
    report = check_code(exercise("gradient-check"), code, runner=runner)

    assert report.passed, report.text()


def test_changed_cache_is_named(runner):
    code = solution_with("backward-3-layer", "dA3 = A3 - Y", "dA3 = A3\n    dA3 -= Y")
    report = check_code(exercise("backward-3-layer"), code, runner=runner)

    assert report.kind == "changed-input"
    assert report.headline.startswith("Your function changed cache: build new arrays")
    assert "cache['A3'][0, 0] was" in report.details


def test_missing_zero_guard_reports_nan(runner):
    code = solution_with("gradient-check", "    if denominator == 0.0:\n        return 0.0\n", "")
    report = check_code(exercise("gradient-check"), code, runner=runner)

    assert report.kind == "not-finite"
    assert "two all-zero arrays" in report.details
    assert "relative error is nan" in report.headline


def test_wrong_tuple_length_is_bad_return(runner):
    code = solution_with("backprop-by-hand", "return dw1, db1, dw2, db2", "return dw1, db1, dw2")
    report = check_code(exercise("backprop-by-hand"), code, runner=runner)

    assert report.kind == "bad-return"
    assert "returned 3 values; expected 4: dw1, db1, dw2, db2" in report.details


def test_missing_dict_key_is_bad_return(runner):
    code = solution_with("fix-the-bug", '"db2": db2}', '"db_2": db2}')
    report = check_code(exercise("fix-the-bug"), code, runner=runner)

    assert report.kind == "bad-return"
    assert "no key 'db2'" in report.details


def test_exception_names_case_and_line(runner):
    code = solution_with("vanishing-gradients", "    m = X.shape[1]\n",
                         "    m = X.shape[1]\n    assert m > 1, 'batch too small'\n")
    report = check_code(exercise("vanishing-gradients"), code, runner=runner)

    assert report.kind == "exception"
    assert "a batch of one example" in report.details
    assert "line 15, in gradient_norms" in report.details


def test_timeout_in_check(runner):
    code = solution_with("backprop-by-hand", "    da2 = a2 - y\n", "    while True:\n        pass\n")
    ex = exercise("backprop-by-hand")
    from tutor.checking.runner import Limits

    report = check_code(ex, code, runner=runner, limits=Limits(wall_seconds=1.0, cpu_seconds=1))

    assert report.kind == "timeout"
    assert report.headline.startswith("Timed out after 1 s")


def test_syntax_error_in_check(runner):
    code = solution_with("backprop-by-hand", "dz2 = da2 * a2 * (1 - a2)", "dz2 = da2 * a2 * (1 - a2")
    report = check_code(exercise("backprop-by-hand"), code, runner=runner)

    assert report.kind == "syntax-error"
    assert "line 18" in report.headline


def test_report_never_shows_whole_expected_array(runner):
    ex = exercise("backward-3-layer")
    code = solution_with("backward-3-layer", "dW3 = dZ3 @ A2.T / m", "dW3 = dZ3 @ A2.T / m + 0.01")
    report = check_code(ex, code, runner=runner)
    expected = build_cases(ex)[0].expected["dW3"]
    shown = [f"{value:.6g}" for value in expected.ravel() if f"{value:.6g}" in report.text()]

    assert report.kind == "value"
    assert len(shown) == 1


# Comparing one array, without a process.

def test_compare_accepts_rounding_noise():
    expected = np.array([[1.0, -2.0], [3.0, 0.0]])

    assert compare_array("dW", expected, expected * (1 + 1e-12), 1e-6) is None


def test_compare_square_transpose():
    expected = np.array([[1.0, 2.0], [3.0, 4.0]])

    assert compare_array("dW", expected, expected.T, 1e-6).kind == "transposed"


def test_compare_factor_two():
    expected = np.array([[1.0, 2.0, 3.0]])
    mismatch = compare_array("dW", expected, 2 * expected, 1e-6, batch_size=3)

    assert mismatch.kind == "factor"
    assert "every entry is 2 times the expected value" in mismatch.message


def test_compare_factor_uses_given_hint():
    expected = np.array([[1.0, 2.0, 3.0]])
    mismatch = compare_array("dW", expected, 2 * expected, 1e-6,
                             factor_hints={2.0: "Divide by 2h."})

    assert mismatch.message.startswith("dW is off by a constant factor")
    assert "Divide by 2h." in mismatch.message


def test_compare_factor_without_hint_names_no_cause():
    expected = np.array([[1.0, 2.0, 3.0]])
    mismatch = compare_array("dW", expected, 2 * expected, 1e-6)

    assert "MSE" not in mismatch.message
    assert "1/2" not in mismatch.message


def test_compare_scalar_factor_wording():
    mismatch = compare_array("dw1", np.array([[0.5]]), 1.5, 1e-6)

    assert mismatch.kind == "factor"
    assert mismatch.message.startswith("dw1 is 3 times the expected value.")
    assert "every entry" not in mismatch.message
    assert "constant factor" not in mismatch.message


def test_compare_scalar_sign_wording():
    mismatch = compare_array("dw1", np.array([[0.5]]), -0.5, 1e-6)

    assert mismatch.kind == "sign"
    assert "it is the negative of the expected value" in mismatch.message
    assert "every entry" not in mismatch.message


def test_compare_row_for_column_is_axis_hint():
    expected = np.ones((4, 1))
    mismatch = compare_array("db2", expected, np.arange(4.0).reshape(1, 4), 1e-6)

    assert mismatch.kind == "wrong-shape"
    assert "axis=1" in mismatch.message
    assert ".T" not in mismatch.message


def test_by_hand_flipped_sign_uses_scalar_names(runner):
    code = solution_with("backprop-by-hand", "da2 = a2 - y", "da2 = y - a2")
    report = check_code(exercise("backprop-by-hand"), code, runner=runner)

    assert report.kind == "sign"
    assert report.headline == "dw1 has the wrong sign: it is the negative of the expected value."
    assert "the gradient at the output is a2 - y" in report.details


def test_compare_shape_without_matrix_hints():
    expected = np.ones((3, 1))
    mismatch = compare_array("gradient", expected, np.ones((1, 2)), 1e-6, matrix_hints=False)

    assert mismatch.kind == "wrong-shape"
    assert "axis" not in mismatch.message
    assert ".T" not in mismatch.message


def test_compare_double_one_over_m():
    expected = np.array([[1.0, 2.0, 3.0]])
    mismatch = compare_array("db", expected, expected / 4, 1e-6, batch_size=4)

    assert "1/m is applied twice" in mismatch.message


def test_compare_string_is_bad_return():
    mismatch = compare_array("dW", np.ones((2, 2)), "oops", 1e-6)

    assert mismatch.kind == "bad-return"
    assert "got a str" in mismatch.message


# Commands.

def run_command(argv, tmp_path=None, lessons=None):
    """Run an exercise command; `lessons` is the --lessons DIR that the main parser would set."""
    parser = argparse.ArgumentParser(prog="backprop-tutor")
    add_subcommands(parser.add_subparsers())
    args = parser.parse_args(argv)
    if lessons is not None:
        args.lessons = lessons
    out = io.StringIO()
    return args.handler(args, lessons_dir=lessons or LESSONS, out=out), out.getvalue()


def test_exercise_list_shows_every_id():
    status, output = run_command(["exercise", "list"])

    assert status == 0
    for exercise_id in EXERCISE_IDS:
        assert exercise_id in output
    assert "variants: wrong-derivative, missing-transpose, wrong-axis" in output


def test_exercise_start_writes_starter(tmp_path):
    status, output = run_command(["exercise", "start", "backward-3-layer", "--dir", str(tmp_path)])
    written = (tmp_path / "backward-3-layer.py").read_text()

    assert status == 0
    assert written.startswith("# backprop-tutor exercise: backward-3-layer\n")
    assert exercise("backward-3-layer").starter_code() in written
    assert "backprop-tutor check" in output


def test_exercise_start_with_lessons_prints_full_command(tmp_path):
    status, output = run_command(["exercise", "start", "gradient-check", "--dir", str(tmp_path)],
                                 lessons=LESSONS)
    target = tmp_path / "gradient-check.py"

    assert status == 0
    assert f"backprop-tutor --lessons {LESSONS} check {target}" in output


def test_exercise_list_without_exercises_fails(tmp_path):
    status, output = run_command(["exercise", "list"], lessons=tmp_path)

    assert status == 1
    assert "No exercises found" in output


def test_exercise_start_refuses_overwrite(tmp_path):
    (tmp_path / "backward-3-layer.py").write_text("mine")
    status, _ = run_command(["exercise", "start", "backward-3-layer", "--dir", str(tmp_path)])

    assert status == 2
    assert (tmp_path / "backward-3-layer.py").read_text() == "mine"


def test_exercise_start_unknown_id_is_usage_error(tmp_path):
    status, _ = run_command(["exercise", "start", "nope", "--dir", str(tmp_path)])

    assert status == 2


def test_exercise_start_variant(tmp_path):
    run_command(["exercise", "start", "fix-the-bug", "--dir", str(tmp_path), "--variant", "wrong-axis"])
    written = (tmp_path / "fix-the-bug.py").read_text()

    assert "variant: wrong-axis" in written.splitlines()[0]
    assert "axis=0" in written


def test_check_starter_fails_with_status_1(tmp_path):
    run_command(["exercise", "start", "backward-3-layer", "--dir", str(tmp_path)])
    status, output = run_command(["check", str(tmp_path / "backward-3-layer.py")])

    assert status == 1
    assert output.startswith("The backward pass of a 3-layer network: FAIL")


def test_check_solution_passes_with_status_0(tmp_path):
    path = tmp_path / "anything.py"
    path.write_text("# backprop-tutor exercise: gradient-check\n"
                    + exercise("gradient-check").solution_code())
    status, output = run_command(["check", str(path)])

    assert status == 0
    assert "PASS" in output.splitlines()[0]


def test_check_line_numbers_match_file(tmp_path):
    run_command(["exercise", "start", "fix-the-bug", "--dir", str(tmp_path),
                 "--variant", "missing-transpose"])
    status, output = run_command(["check", str(tmp_path / "fix-the-bug.py")])
    lines = (tmp_path / "fix-the-bug.py").read_text().splitlines()

    assert status == 1
    assert "line 16, in backward" in output
    assert lines[15].strip() == "dA1 = W2 @ dZ2"


def test_check_missing_file_is_usage_error(tmp_path):
    status, _ = run_command(["check", str(tmp_path / "missing.py")])

    assert status == 2


def test_check_unknown_exercise_is_usage_error(tmp_path):
    path = tmp_path / "mystery.py"
    path.write_text("x = 1\n")
    status, _ = run_command(["check", str(path)])

    assert status == 2


def test_check_without_marker_explains_fix(tmp_path, capsys):
    path = tmp_path / "wrong.py"
    path.write_text(exercise("gradient-check").solution_code())
    status, _ = run_command(["check", str(path)])
    message = capsys.readouterr().err

    assert status == 2
    assert "has no marker line `# backprop-tutor exercise: ID`" in message
    assert "--exercise ID" in message
    assert "exercise start ID" in message
    for exercise_id in EXERCISE_IDS:
        assert exercise_id in message


def test_check_unknown_marker_lists_known_ids(tmp_path, capsys):
    path = tmp_path / "mine.py"
    path.write_text("# backprop-tutor exercise: nope\n")
    status, _ = run_command(["check", str(path)])
    message = capsys.readouterr().err

    assert status == 2
    assert "names exercise 'nope' on its marker line" in message
    assert "gradient-check" in message


def test_check_with_exercise_option_ignores_name(tmp_path):
    path = tmp_path / "wrong.py"
    path.write_text(exercise("gradient-check").solution_code())
    status, _ = run_command(["check", str(path), "--exercise", "gradient-check"])

    assert status == 0


def test_exercise_id_from_file_name():
    assert exercise_id_of(Path("gradient-check.py"), "import numpy\n") == "gradient-check"


def test_validate_accepts_course_exercise():
    assert validate_exercise_params({"id": "fix-the-bug"}, LESSONS) == []


def test_validate_reports_unknown_id():
    messages = validate_exercise_params({"id": "nope"}, LESSONS)

    assert len(messages) == 1
    assert "no exercise folder named 'nope'" in messages[0]


def test_validate_reports_id_declared_in_other_folder(tmp_path):
    write_exercise(tmp_path / "exercises" / "mine",
                   MINIMAL.format(id="other", reference="gradient-norms", generator="dense-network"))

    messages = validate_exercise_params({"id": "other"}, tmp_path)

    assert len(messages) == 1
    assert "must match the folder name 'mine'" in messages[0]
    assert "exercise.toml" in messages[0]


def test_validate_reports_id_folder_mismatch(tmp_path):
    write_exercise(tmp_path / "exercises" / "mine",
                   MINIMAL.format(id="other", reference="gradient-norms", generator="dense-network"))

    messages = validate_exercise_params({"id": "mine"}, tmp_path)

    assert len(messages) == 1
    assert "must match the folder name" in messages[0]


def copy_exercise(tmp_path, exercise_id) -> Path:
    folder = tmp_path / "exercises" / exercise_id
    shutil.copytree(LESSONS / "03-neural-networks" / "exercises" / exercise_id, folder)
    return folder


def test_validate_reports_failing_solution(tmp_path):
    folder = copy_exercise(tmp_path, "gradient-check")
    shutil.copy(folder / "starter.py", folder / "solution.py")

    messages = validate_exercise_params({"id": "gradient-check"}, tmp_path)

    assert len(messages) == 1
    assert str(folder / "solution.py") in messages[0]
    assert "reference solution fails" in messages[0]


def test_validate_reports_passing_starter(tmp_path):
    folder = copy_exercise(tmp_path, "fix-the-bug")
    shutil.copy(folder / "solution.py", folder / "starter_wrong_axis.py")

    messages = validate_exercise_params({"id": "fix-the-bug"}, tmp_path)

    assert len(messages) == 1
    assert str(folder / "starter_wrong_axis.py") in messages[0]
    assert "starter code already passes" in messages[0]


def test_validate_without_code_run_skips_checker(tmp_path):
    folder = copy_exercise(tmp_path, "gradient-check")
    shutil.copy(folder / "starter.py", folder / "solution.py")

    assert validate_exercise_params({"id": "gradient-check"}, tmp_path, run_code=False) == []


def test_validate_reports_broken_inputs(tmp_path):
    toml = MINIMAL.format(id="mine", reference="gradient-norms", generator="dense-network")
    write_exercise(tmp_path / "exercises" / "mine", toml.replace("sizes = [2, 2]\n", ""))

    messages = validate_exercise_params({"id": "mine"}, tmp_path)

    assert "the inputs do not generate" in messages[0]
