"""Typed numeric answers: a safe parser and the tolerance rule that judges them.

The parser reads decimals (0.25, .25), scientific notation (-2.5e-3),
fractions (1/4), arithmetic with + - * / and parentheses, powers (^ or **) and
a decimal comma (0,25). It walks Python's `ast` tree of the text and allows
numeric literals and those operators only, so no name, call or attribute is
ever evaluated. Every rejection raises AnswerError with a message meant for
the learner; a rejected answer is not an attempt.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass

MAX_ANSWER_LENGTH = 80
# A power's exponent may be at most this large in magnitude (2^64 is already huge for an answer).
MAX_POWER_EXPONENT = 64

_REPLACEMENTS = {
    "\u2212": "-",  # minus sign
    "\u2013": "-",  # en dash, which some keyboards produce for minus
    "\u00d7": "*",  # multiplication sign
    "\u00b7": "*",  # middle dot
    "\u22c5": "*",  # dot operator
    "\u00f7": "/",  # division sign
    "^": "**",
}
_ALLOWED = re.compile(r"[0-9.eE+\-*/() ]*")
_NOT_FINITE = re.compile(r"nan|inf", re.IGNORECASE)

_BINARY = {
    ast.Add: lambda left, right: left + right,
    ast.Sub: lambda left, right: left - right,
    ast.Mult: lambda left, right: left * right,
}


class AnswerError(ValueError):
    """A typed answer that is not a finite number; str(error) is the message for the learner."""


def parse_answer(text: str) -> float:
    """Parse a typed answer into a finite float, or raise AnswerError that says why not."""
    normalized = _normalize(text)
    try:
        tree = ast.parse(normalized, mode="eval")
    except SyntaxError:
        raise AnswerError(
            f"Could not read {text.strip()!r} as a number. "
            "Type a number such as 0.25, 1/4 or -2.5e-3."
        ) from None

    value = _evaluate(tree.body)
    if not math.isfinite(value):
        raise AnswerError("That number is too large. Type a finite number.")
    return value


def _normalize(text: str) -> str:
    stripped = text.strip()
    if not stripped:
        raise AnswerError("Type a number first, such as 0.25 or 1/4.")
    if len(stripped) > MAX_ANSWER_LENGTH:
        raise AnswerError(f"That answer is longer than {MAX_ANSWER_LENGTH} characters. Type a shorter one.")
    if _NOT_FINITE.search(stripped):
        raise AnswerError("nan and inf are not answers. Type a finite number.")

    for old, new in _REPLACEMENTS.items():
        stripped = stripped.replace(old, new)
    if "," in stripped:
        if "." in stripped:
            raise AnswerError("Use either a decimal point or a decimal comma, not both.")
        stripped = stripped.replace(",", ".")

    if _ALLOWED.fullmatch(stripped) is None:
        invalid = next(c for c in stripped if _ALLOWED.fullmatch(c) is None)
        raise AnswerError(
            f"{invalid!r} is not allowed in an answer. "
            "Use digits, a decimal point or comma, e for exponents, + - * / ^ and parentheses."
        )
    return stripped


def _evaluate(node: ast.AST) -> float:
    """Evaluate a numeric literal or one of the allowed operators; raise AnswerError for anything else."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return _finite(float(node.value))

    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
        operand = _evaluate(node.operand)
        return operand if isinstance(node.op, ast.UAdd) else -operand

    if isinstance(node, ast.BinOp):
        left = _evaluate(node.left)
        right = _evaluate(node.right)
        if isinstance(node.op, ast.Div):
            if right == 0.0:
                raise AnswerError("That answer divides by zero.")
            return _finite(left / right)
        if isinstance(node.op, ast.Pow):
            return _power(left, right)
        operation = _BINARY.get(type(node.op))
        if operation is not None:
            return _finite(operation(left, right))

    raise AnswerError("Only numbers with + - * / ^ and parentheses are allowed in an answer.")


def _power(base: float, exponent: float) -> float:
    if abs(exponent) > MAX_POWER_EXPONENT:
        raise AnswerError(f"Exponents above {MAX_POWER_EXPONENT} in magnitude are not allowed.")
    if base < 0 and not exponent.is_integer():
        raise AnswerError("A negative number to a fractional power is not a real number.")
    if base == 0.0 and exponent < 0:
        raise AnswerError("That answer divides by zero.")
    try:
        return _finite(base**exponent)
    except OverflowError:
        raise AnswerError("That number is too large. Type a finite number.") from None


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise AnswerError("That number is too large. Type a finite number.")
    return value


@dataclass(frozen=True)
class Tolerance:
    """The accepted distance from a right value: the larger of `absolute` and `relative` * |value|."""

    relative: float
    absolute: float

    @classmethod
    def for_digits(cls, digits: int, relative: float = 5e-3) -> "Tolerance":
        """Return the tolerance for values shown with `digits` decimals.

        The absolute part is one unit in the last shown decimal, so an answer
        rounded to the shown decimals (off by at most half a unit) always counts.
        """
        return cls(relative=relative, absolute=10.0**-digits)

    def band(self, expected: float) -> float:
        """Return the largest accepted distance from `expected`."""
        return max(self.absolute, self.relative * abs(expected)) * (1 + 1e-9)

    def accepts(self, answer: float, expected: float) -> bool:
        return abs(answer - expected) <= self.band(expected)

    def describe(self) -> str:
        """Return the rule in words, such as "within 0.5% or 0.0001"."""
        return f"within {self.relative:.1%} or {self.absolute:g}".replace(".0%", "%")
