"""Check a learner's code against the engine and explain the first mismatch.

Each array is compared by the CS231n relative error, entry by entry:
    max |got - expected| / max(|got| + |expected|, 1e-8)
and passes below the exercise's tolerance (1e-6 unless its toml sets
another). A mismatch names the array, the case, the first wrong index with
the expected and the actual entry, and, where one fits, the kind of mistake:
wrong shape, transposed, a constant factor (such as a missing 1/m), a flipped
sign, or a mistake the reference models. Only that one expected entry is
shown before a pass, so only an array of one entry is ever shown whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tutor.checking.exercises import Case, Exercise, build_cases
from tutor.checking.runner import Call, Limits, RunResult, Runner, Unsupported, format_frames

DENOMINATOR_FLOOR = 1e-8


@dataclass
class Mismatch:
    """The first wrong array of a case: `kind` names the mistake, `message` explains it."""

    kind: str
    array: str
    message: str


@dataclass
class CheckReport:
    """The outcome of checking one piece of code.

    `kind` is pass, wrong-shape, transposed, factor, sign, modelled, value,
    not-finite, bad-return, changed-input, or the runner's status (syntax-error, exception,
    missing-function, timeout, memory, crashed). `headline` is one line for
    a status bar and the store; `details` is the rest, in plain text.
    """

    passed: bool
    kind: str
    headline: str
    details: str = ""
    output: str = ""
    output_note: str = ""
    cases_checked: int = 0
    cases_total: int = 0
    seconds: float = 0.0
    max_error: float = 0.0
    plots: dict[str, list[float]] = field(default_factory=dict)

    def text(self) -> str:
        """Return the whole report as plain text: headline, details, then the learner's output."""
        parts = [self.headline]
        if self.details:
            parts.append(self.details)
        if self.output:
            parts.append("Your code printed:\n" + self.output.rstrip("\n"))
        if self.output_note:
            parts.append(self.output_note)
        return "\n\n".join(parts)


# Comparing one array.

def elementwise_error(expected: np.ndarray, got: np.ndarray) -> np.ndarray:
    return np.abs(got - expected) / np.maximum(np.abs(got) + np.abs(expected), DENOMINATOR_FLOOR)


def max_relative_error(expected: np.ndarray, got: np.ndarray) -> float:
    if expected.size == 0:
        return 0.0
    return float(np.max(elementwise_error(expected, got)))


def _index_text(name: str, index: tuple[int, ...]) -> str:
    if not index:
        return name
    return f"{name}[{', '.join(str(i) for i in index)}]"


def _number(value: float) -> str:
    return f"{value:.6g}"


def _as_array(value: Any) -> np.ndarray | None:
    if isinstance(value, Unsupported):
        return None
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    return array


def _describe_value(value: Any) -> str:
    if isinstance(value, Unsupported):
        return f"a {value.type_name} ({value.text})"
    if value is None:
        return "None"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)} items"
    return f"a {type(value).__name__}"


def _shape_mismatch(name: str, expected: np.ndarray, got: np.ndarray, tolerance: float,
                    matrix_hints: bool) -> Mismatch:
    """Explain a wrong shape; with `matrix_hints`, name the matrix-product and sum-axis slips."""
    shapes = f"expected shape {expected.shape}, got {got.shape}"
    if got.size == 0:
        return Mismatch("wrong-shape", name, f"{name} is empty: {shapes}.")
    if expected.ndim == 2 and got.shape == expected.T.shape:
        if max_relative_error(expected.T, got) < tolerance:
            return Mismatch("transposed", name,
                            f"{name} is transposed: {shapes}. Its values are right, "
                            f"but rows and columns are swapped.")
    # A row where a column is expected, as for db, comes from a sum over the wrong axis even
    # when the batch size m equals the number of units, so that hint goes before the .T one.
    if (matrix_hints and expected.ndim == 2 and expected.shape[1] == 1 and got.ndim == 2
            and got.shape[0] == 1):
        return Mismatch("wrong-shape", name,
                        f"{name} has the wrong shape: {shapes}. The sum over examples runs "
                        f"along axis=1 (one column per example), with keepdims=True.")
    if matrix_hints and expected.ndim == 2 and got.shape == expected.T.shape:
        return Mismatch("wrong-shape", name,
                        f"{name} has the wrong shape: {shapes}. A missing or extra .T "
                        f"(transpose) in a matrix product gives this shape.")
    if got.size == expected.size and got.ndim != expected.ndim:
        fix = "keep the column shape, for example with keepdims=True or reshape" if matrix_hints \
            else "return an array of the expected shape, for example with reshape"
        return Mismatch("wrong-shape", name,
                        f"{name} has the wrong shape: {shapes}. The values may be right; {fix}.")
    return Mismatch("wrong-shape", name, f"{name} has the wrong shape: {shapes}.")


def _least_squares_factor(expected: np.ndarray, got: np.ndarray) -> float | None:
    denominator = float(np.sum(expected * expected))
    if denominator == 0.0:
        return None
    return float(np.sum(expected * got)) / denominator


def _factor_text(factor: float) -> str:
    if np.isclose(factor, 0.5, rtol=1e-6):
        return "1/2"
    return _number(factor)


def _factor_message(name: str, factor: float, batch_size: int | None, size: int,
                    factor_hints: dict[float, str]) -> str:
    """Explain got = factor * expected; `factor_hints` maps the factors this computation can make to a cause."""
    if batch_size and batch_size > 1 and np.isclose(factor, batch_size, rtol=1e-6):
        return (f"{name} is {batch_size} times too large, and the batch has m = {batch_size} "
                f"examples: the 1/m of the mean is missing.")
    if batch_size and batch_size > 1 and np.isclose(factor, 1.0 / batch_size, rtol=1e-6):
        return (f"{name} is {batch_size} times too small, and the batch has m = {batch_size} "
                f"examples: 1/m is applied twice.")
    # Any wrong single number is some multiple of the right one, so "constant factor" adds no information.
    if size == 1:
        message = f"{name} is {_factor_text(factor)} times the expected value."
    else:
        message = (f"{name} is off by a constant factor: every entry is {_factor_text(factor)} "
                   f"times the expected value.")
    for known, hint in factor_hints.items():
        if np.isclose(factor, known, rtol=1e-6):
            message += f" {hint}"
            break
    return message


def compare_array(name: str, expected: np.ndarray, got: Any, tolerance: float,
                  batch_size: int | None = None, *, factor_hints: dict[float, str] | None = None,
                  sign_hint: str = "", matrix_hints: bool = True) -> Mismatch | None:
    """Compare one returned value with the engine's array; return the first problem or None.

    `factor_hints`, `sign_hint` and `matrix_hints` are the Case fields of the same names.
    """
    array = _as_array(got)
    if array is None:
        return Mismatch("bad-return", name,
                        f"{name} should be a NumPy array of numbers, got {_describe_value(got)}.")
    if array.shape != expected.shape:
        if array.size == expected.size == 1:
            array = array.reshape(expected.shape)
        else:
            return _shape_mismatch(name, expected, array, tolerance, matrix_hints)

    not_finite = ~np.isfinite(array) & np.isfinite(expected)
    if not_finite.any():
        index = tuple(int(i) for i in np.argwhere(not_finite)[0])
        where = _index_text(name, index) if expected.size > 1 else name
        return Mismatch("not-finite", name,
                        f"{where} is {array[index]}, where a finite number "
                        f"was expected. Look for a division by zero or an overflow.")

    if max_relative_error(expected, array) < tolerance:
        return None
    return _explain_values(name, expected, array, tolerance, batch_size,
                           factor_hints or {}, sign_hint)


def _explain_values(name: str, expected: np.ndarray, got: np.ndarray, tolerance: float,
                    batch_size: int | None, factor_hints: dict[float, str],
                    sign_hint: str) -> Mismatch:
    errors = elementwise_error(expected, got)
    index = tuple(int(i) for i in np.argwhere(errors >= tolerance)[0])
    where = _index_text(name, index) if expected.size > 1 else name
    entry = (f"First wrong entry: {where}, expected "
             f"{_number(expected[index])}, got {_number(got[index])}.")

    if not np.any(got):
        return Mismatch("value", name, f"{name} is all zeros, which the engine does not expect: "
                                       f"is it still a placeholder? {entry}")
    if np.any(expected) and max_relative_error(-expected, got) < tolerance:
        subject = "it is" if expected.size == 1 else "every entry is"
        hint = f" {sign_hint}" if sign_hint else ""
        return Mismatch("sign", name, f"{name} has the wrong sign: {subject} the negative "
                                      f"of the expected value.{hint} {entry}")
    if expected.ndim == 2 and expected.shape[0] == expected.shape[1] and expected.shape[0] > 1:
        if max_relative_error(expected.T, got) < tolerance:
            return Mismatch("transposed", name, f"{name} is transposed: rows and columns are "
                                                f"swapped. {entry}")
    factor = _least_squares_factor(expected, got)
    if factor is not None and factor != 0.0 and max_relative_error(factor * expected, got) < tolerance:
        message = _factor_message(name, factor, batch_size, expected.size, factor_hints)
        return Mismatch("factor", name, f"{message} {entry}")
    return Mismatch("value", name, f"{name} does not match the engine. {entry}")


# Checking a whole case.

def named_outputs(value: Any, names: tuple[str, ...]) -> tuple[dict[str, Any] | None, str]:
    """Match a return value to the declared names; return (outputs, "") or (None, problem)."""
    if len(names) == 1:
        if isinstance(value, dict) and names[0] in value:
            return {names[0]: value[names[0]]}, ""
        return {names[0]: value}, ""
    listing = ", ".join(names)
    if isinstance(value, dict):
        missing = [name for name in names if name not in value]
        if missing:
            return None, (f"The returned dict has no key {missing[0]!r}. "
                          f"Expected the keys {listing}.")
        return {name: value[name] for name in names}, ""
    if isinstance(value, (list, tuple)):
        if len(value) != len(names):
            return None, (f"Your function returned {len(value)} values; expected "
                          f"{len(names)}: {listing}.")
        return dict(zip(names, value)), ""
    return None, f"Your function returned {_describe_value(value)}; expected {len(names)} values: {listing}."


def _matches(expected: dict[str, np.ndarray], outputs: dict[str, Any], tolerance: float) -> bool:
    for name, array in expected.items():
        got = _as_array(outputs.get(name))
        if got is not None and got.size == array.size == 1:
            got = got.reshape(array.shape)  # a plain float is compared as a (1, 1) array
        if got is None or got.shape != array.shape or max_relative_error(array, got) >= tolerance:
            return False
    return True


def _first_wrong_name(expected: dict[str, np.ndarray], outputs: dict[str, Any], tolerance: float) -> str:
    for name, array in expected.items():
        if not _matches({name: array}, outputs, tolerance):
            return name
    return next(iter(expected))


def check_case(case: Case, value: Any, returns: tuple[str, ...], tolerance: float) -> Mismatch | None:
    """Compare one call's return value with the case; return the first mismatch or None."""
    outputs, problem = named_outputs(value, returns)
    if outputs is None:
        return Mismatch("bad-return", "", problem)
    if not _matches(case.expected, outputs, tolerance):
        for description, arrays in case.mistakes:
            if _matches(arrays, outputs, tolerance):
                name = _first_wrong_name(case.expected, outputs, tolerance)
                return Mismatch("modelled", name, f"{name} does not match the engine. {description}.")
    for name, expected in case.expected.items():
        mismatch = compare_array(name, expected, outputs[name], tolerance, case.batch_size,
                                 factor_hints=case.factor_hints, sign_hint=case.sign_hint,
                                 matrix_hints=case.matrix_hints)
        if mismatch is not None:
            return mismatch
    return None


# Arguments the learner's function changed in place.

def argument_names(signature: str) -> list[str]:
    """Return the parameter names of a signature such as "f(x, h=1e-5) -> y"; [] when it has none."""
    inside = signature.partition("(")[2].partition(")")[0]
    return [part.split("=")[0].strip() for part in inside.split(",") if part.strip()]


def _first_change(name: str, before: Any, after: Any, tolerance: float) -> str | None:
    """Describe the first entry of `before` that `after` no longer matches, or None when all match."""
    if isinstance(before, dict):
        for key, item in before.items():
            inner = after.get(key) if isinstance(after, dict) else None
            change = _first_change(f"{name}[{key!r}]", item, inner, tolerance)
            if change is not None:
                return change
        return None
    if isinstance(before, (list, tuple)):
        items = list(after) if isinstance(after, (list, tuple)) else []
        if len(items) != len(before):
            return f"{name} now has {len(items)} items, not {len(before)}"
        for number, (item, now) in enumerate(zip(before, items)):
            change = _first_change(f"{name}[{number}]", item, now, tolerance)
            if change is not None:
                return change
        return None
    if not isinstance(before, np.ndarray):
        return None
    now = _as_array(after)
    if now is None or now.shape != before.shape:
        return f"{name} is now {_describe_value(after)}"
    errors = elementwise_error(before, now)
    wrong = np.argwhere(~(errors < tolerance) & ~(np.isnan(before) & np.isnan(now)))
    if wrong.size == 0:
        return None
    index = tuple(int(i) for i in wrong[0])
    where = _index_text(name, index) if before.size > 1 else name
    return f"{where} was {_number(before[index])} before the call and {_number(now[index])} after it"


def changed_input(case: Case, changed: dict[int, Any], names: list[str],
                  tolerance: float) -> Mismatch | None:
    """Return a mismatch for the first argument the call changed beyond `tolerance`, or None.

    Changes within the tolerance pass, such as x[i] restored by adding and
    subtracting h, which can miss the old value by rounding.
    """
    for position in sorted(changed):
        if position >= len(case.args):
            continue
        name = names[position] if position < len(names) else f"argument {position + 1}"
        change = _first_change(name, case.args[position], changed[position], tolerance)
        if change is None:
            continue
        advice = f": {case.input_hint}" if case.input_hint else ", one of its inputs"
        return Mismatch("changed-input", name,
                        f"Your function changed {name}{advice}. First changed entry: {change}.")
    return None


# Checking a piece of code.

def _case_position(number: int, total: int, case: Case) -> str:
    return f"Case {number} of {total} for {case.function}(): {case.label}."


def split_headline(message: str) -> tuple[str, str]:
    """Split a message into its first sentence (up to . or ? then a space) and the rest."""
    parts = re.split(r"(?<=[.?])\s+", message, maxsplit=1)
    return parts[0], parts[1] if len(parts) > 1 else ""


MATMUL_HINT = ("The inner sizes of a matrix product must agree: (n, k) @ (k, p). "
               "A missing or extra .T is the usual cause.")


def _exception_details(error: dict, message: str, at_top_level: bool) -> str:
    """Return where the learner's code raised, with a hint for a mismatched matrix product."""
    frames = error.get("frames") or []
    if not frames:
        return message
    where = "Raised while the file loaded:" if at_top_level else "Raised in your code:"
    details = f"{where}\n{format_frames(frames)}"
    if error.get("type") == "ValueError" and "matmul" in str(error.get("message")):
        details += f"\n{MATMUL_HINT}"
    return details


def _run_failure(result: RunResult, cases: list[Case]) -> CheckReport:
    """Report a run that did not return every value: the first line heads, the rest explains."""
    first_line, _, rest = result.message.partition("\n")
    headline, details = first_line or "The check could not finish.", rest
    if result.status == "exception":
        error = result.error or {}
        headline = f"{error.get('type')}: {error.get('message')}".rstrip(": ")
        details = _exception_details(error, result.message, result.failed_call is None)
        if result.failed_call is not None:
            case = cases[result.failed_call]
            details = f"{_case_position(result.failed_call + 1, len(cases), case)}\n{details}"
    return CheckReport(False, result.status, headline, details, result.output, result.output_note(),
                       cases_checked=len(result.values), cases_total=len(cases), seconds=result.seconds)


def check_code(exercise: Exercise, code: str, *, runner: Runner | None = None,
               filename: str = "exercise.py", limits: Limits | None = None) -> CheckReport:
    """Run `code` on every case of the exercise in a child process and compare with the engine."""
    cases = build_cases(exercise)
    calls = [Call(case.function, case.args) for case in cases]
    limits = limits or Limits(wall_seconds=exercise.time_limit,
                              cpu_seconds=max(1, int(round(exercise.time_limit))))
    own_runner = runner is None
    runner = runner or Runner(warm=False)
    try:
        result = runner.run(code, filename, calls, limits)
    finally:
        if own_runner:
            runner.close()

    if result.status != "ok":
        return _run_failure(result, cases)
    return compare_results(exercise, cases, result)


def compare_results(exercise: Exercise, cases: list[Case], result: RunResult) -> CheckReport:
    """Compare every call's return value with its case; report the first mismatch or a pass."""
    returns = {spec.name: spec.returns for spec in exercise.functions}
    names = {spec.name: argument_names(spec.signature) for spec in exercise.functions}
    changes = result.changed or [{} for _ in result.values]
    worst = 0.0
    plots: dict[str, list[float]] = {}
    for number, (case, value, changed) in enumerate(zip(cases, result.values, changes), start=1):
        # A changed input comes first: it also explains the wrong values that follow from it.
        mismatch = changed_input(case, changed, names[case.function], exercise.tolerance)
        if mismatch is None:
            mismatch = check_case(case, value, returns[case.function], exercise.tolerance)
        if mismatch is not None:
            headline, rest = split_headline(mismatch.message)
            if mismatch.kind == "bad-return":
                headline, rest = "Wrong return value.", mismatch.message
            details = _case_position(number, len(cases), case) + (f"\n{rest}" if rest else "")
            return CheckReport(False, mismatch.kind, headline, details, result.output,
                               result.output_note(), cases_checked=number - 1,
                               cases_total=len(cases), seconds=result.seconds)
        outputs, _ = named_outputs(value, returns[case.function])
        for name, expected in case.expected.items():
            worst = max(worst, max_relative_error(expected, np.asarray(outputs[name], dtype=float)
                                                  .reshape(expected.shape)))
        if case.chart_label is not None:
            first = next(iter(case.expected))
            plots[case.chart_label] = [float(v) for v in np.ravel(np.asarray(outputs[first], dtype=float))]

    headline = f"Passed: all {len(cases)} cases match the engine."
    details = f"Largest relative error: {worst:.1e} (the limit is {exercise.tolerance:.0e})."
    return CheckReport(True, "pass", headline, details, result.output, result.output_note(),
                       cases_checked=len(cases), cases_total=len(cases), seconds=result.seconds,
                       max_error=worst, plots=plots)
