"""Judging a typed answer: right, a named mistake, wrong, or input that is not a number."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from tutor.checking.answers import AnswerError, parse_answer
from tutor.checking.quiz.mistakes import Mistake, MistakeValue
from tutor.engine.trace import format_number

CORRECT = "correct"
MISTAKE = "mistake"
WRONG = "wrong"
INVALID = "invalid"


@dataclass(frozen=True)
class Verdict:
    """The outcome of one typed answer.

    `status` is correct, mistake, wrong or invalid. An invalid answer (not a
    number) is not an attempt and is never stored. `mistakes` lists every
    mistake whose value matches the answer; several can give the same value.
    """

    status: str
    value: float | None
    message: str
    mistakes: tuple[Mistake, ...] = ()

    @property
    def is_attempt(self) -> bool:
        return self.status != INVALID

    @property
    def mistake_key(self) -> str | None:
        """The matched mistakes' keys joined by "+", as stored with the attempt."""
        return "+".join(m.key for m in self.mistakes) or None


def check_text(text: str, expected: float, mistakes: Sequence[MistakeValue], band: float,
               label: str, digits: int) -> Verdict:
    """Parse `text` and judge it against the right value and the mistakes' values."""
    try:
        value = parse_answer(text)
    except AnswerError as error:
        return Verdict(INVALID, None, str(error))
    return judge(value, expected, mistakes, band, label, digits)


def judge(value: float, expected: float, mistakes: Sequence[MistakeValue], band: float,
          label: str, digits: int) -> Verdict:
    """Judge a parsed answer: right within `band`, else the mistakes it matches within `band`."""
    if abs(value - expected) <= band:
        return Verdict(CORRECT, value, f"Right: {label} = {format_number(expected, digits)}.")

    matched = tuple(item.mistake for item in mistakes if abs(value - item.value) <= band)
    if not matched:
        return Verdict(WRONG, value, "Not right, and it matches none of the usual slips. "
                                     "Check each factor, or press f2 for a hint.")
    return Verdict(MISTAKE, value, mistake_message(value, matched, digits), matched)


def mistake_message(value: float, matched: tuple[Mistake, ...], digits: int) -> str:
    shown = format_number(value, digits)
    if len(matched) == 1:
        mistake = matched[0]
        return f"Not right. {shown} is what you get if you {mistake.title}. {mistake.explanation} Try again."
    titles = "; or if you ".join(mistake.title for mistake in matched)
    explanations = " ".join(dict.fromkeys(mistake.explanation for mistake in matched))
    return (f"Not right. {shown} is what you get if you {titles}. These slips give the same "
            f"number here, so it is not clear which one happened. {explanations} Try again.")
