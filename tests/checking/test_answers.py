"""The answer parser and the tolerance rule."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tutor.checking.answers import MAX_ANSWER_LENGTH, AnswerError, Tolerance, parse_answer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.25", 0.25),
        (".25", 0.25),
        ("-.25", -0.25),
        ("+0.25", 0.25),
        ("-2.5e-3", -2.5e-3),
        ("2.5E-3", 2.5e-3),
        ("1e2", 100.0),
        ("1/4", 0.25),
        ("-1/4", -0.25),
        ("0.5*0.2", 0.1),
        ("0.5 * (1 - 0.5)", 0.25),
        ("2^3", 8.0),
        ("2**-2", 0.25),
        ("(1+1)^2/8", 0.5),
        ("0,25", 0.25),
        ("-0,5*0,5", -0.25),
        ("  0.125  ", 0.125),
        ("3", 3.0),
        ("\u22120.25", -0.25),
        ("0.5\u00d70.5", 0.25),
        ("1\u00f74", 0.25),
        ("--1", 1.0),
    ],
)
def test_parse_answer_accepts(text, expected):
    assert parse_answer(text) == pytest.approx(expected, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("", "Type a number"),
        ("   ", "Type a number"),
        ("abc", "not allowed"),
        ("nan", "nan and inf"),
        ("NaN", "nan and inf"),
        ("inf", "nan and inf"),
        ("-Infinity", "nan and inf"),
        ("1e999", "too large"),
        ("-1e999", "too large"),
        ("1e308*10", "too large"),
        ("9^9^9", "Exponents above"),
        ("2^100", "Exponents above"),
        ("1e200*1e200", "too large"),
        ("1/0", "divides by zero"),
        ("0^-1", "divides by zero"),
        ("(-8)^(1/3)", "fractional power"),
        ("1" * (MAX_ANSWER_LENGTH + 1), "longer than"),
        ("0.1,5", "either a decimal point or a decimal comma"),
        ("1,2,3", "Could not read"),
        ("1 2", "Could not read"),
        ("0.25.", "Could not read"),
        ("e", "Only numbers"),
        ("1e", "Could not read"),
        ("__import__('os')", "not allowed"),
        ("x", "not allowed"),
        ("1j", "not allowed"),
        ("0x10", "not allowed"),
        ("1_000", "not allowed"),
        ("[1]", "not allowed"),
        ("1 % 2", "not allowed"),
        ("2//1", "Only numbers"),
        ("()", "Only numbers"),
        ("1;2", "not allowed"),
    ],
)
def test_parse_answer_rejects(text, phrase):
    with pytest.raises(AnswerError) as error:
        parse_answer(text)
    assert phrase in str(error.value)


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False))
def test_parse_answer_round_trips_repr(value):
    assert parse_answer(repr(value)) == value


@given(st.floats(min_value=-1e3, max_value=1e3, allow_nan=False, allow_infinity=False))
def test_parse_answer_reads_decimal_comma(value):
    text = f"{value:.4f}"
    assert parse_answer(text.replace(".", ",")) == parse_answer(text)


@given(st.text(max_size=40))
def test_parse_answer_returns_finite_or_raises(text):
    try:
        value = parse_answer(text)
    except AnswerError as error:
        assert str(error)
    else:
        assert math.isfinite(value)


def test_tolerance_accepts_rounding_to_shown_digits():
    tolerance = Tolerance.for_digits(4)
    for expected in (0.012345, -0.0066666, 0.24999, 1.23456789, -0.00505):
        rounded = float(f"{expected:.4f}")
        assert tolerance.accepts(rounded, expected)


def test_tolerance_rejects_beyond_band():
    tolerance = Tolerance.for_digits(4, relative=5e-3)
    assert not tolerance.accepts(0.0103, 0.01)
    assert not tolerance.accepts(1.006, 1.0)
    assert tolerance.accepts(1.0049, 1.0)


def test_tolerance_describe():
    assert Tolerance.for_digits(4).describe() == "within 0.5% or 0.0001"
