"""Inline engine values in lesson prose: `{{single-chain:a2[0]}}` becomes 0.6220.

The reference names a worked example and a trace step; the value is computed
by the engine when the lesson loads, so prose never holds a hand-typed result.
"""

from __future__ import annotations

import re
from functools import lru_cache

from tutor.engine.examples import EXAMPLES, get_example
from tutor.engine.trace import Trace, format_number, trace_pass

INLINE_VALUE = re.compile(r"\{\{\s*([a-z0-9-]+)\s*:\s*([A-Za-z]+\d*(?:\[[0-9, ]*\])?)\s*\}\}")


class InlineValueError(ValueError):
    def __init__(self, position: int, message: str):
        super().__init__(message)
        self.position = position
        self.message = message


@lru_cache(maxsize=None)
def example_trace(name: str) -> Trace:
    example = get_example(name)
    return trace_pass(example.build(), example.x, example.y, include_bias=example.include_bias)


def substitute_values(markdown: str) -> str:
    """Replace each {{example:step}} with the engine's value at 4 decimals."""

    def replace(match: re.Match) -> str:
        name, step = match.group(1), match.group(2).replace(" ", "")
        if name not in EXAMPLES:
            known = ", ".join(sorted(EXAMPLES))
            raise InlineValueError(match.start(), f"unknown example {name!r} in {match.group(0)}; "
                                                  f"expected one of: {known}")
        try:
            return format_number(example_trace(name).value(step))
        except KeyError:
            raise InlineValueError(match.start(), f"example {name!r} has no step {step!r} "
                                                  f"(in {match.group(0)})") from None

    return INLINE_VALUE.sub(replace, markdown)
