"""Inline engine values in lesson prose: `{{single-chain:a2[0]}}` becomes 0.6220.

The reference names a worked example and a trace step; the value is computed
by the engine when the lesson loads, so prose never holds a hand-typed result.
"""

from __future__ import annotations

import re
from functools import lru_cache

from tutor.engine.examples import EXAMPLES, get_example
from tutor.engine.trace import Trace, format_number, trace_pass

MALFORMED_REFERENCE = re.compile(r"\{\{.*?\}\}")
INLINE_VALUE = re.compile(r"\{\{\s*([a-z0-9-]+)\s*:\s*([A-Za-z]+\d*(?:\[[0-9, ]*\])?)\s*\}\}")


@lru_cache(maxsize=None)
def example_trace(name: str) -> Trace:
    example = get_example(name)
    return trace_pass(example.build(), example.x, example.y, include_bias=example.include_bias)


def substitute_values(markdown: str) -> tuple[str, list[str]]:
    """Replace each {{example:step}} with the engine's value at 4 decimals.

    Returns the new text and a message for each reference that could not be
    replaced; such a reference stays in the text as written.
    """
    problems: list[str] = []

    def replace(match: re.Match) -> str:
        name, step = match.group(1), match.group(2).replace(" ", "")
        if name not in EXAMPLES:
            known = ", ".join(sorted(EXAMPLES))
            problems.append(f"unknown example {name!r} in {match.group(0)}; expected one of: {known}")
            return match.group(0)
        try:
            return format_number(example_trace(name).value(step))
        except KeyError:
            problems.append(f"example {name!r} has no step {step!r} (in {match.group(0)})")
            return match.group(0)

    text = INLINE_VALUE.sub(replace, markdown)
    for leftover in MALFORMED_REFERENCE.finditer(markdown):
        if not INLINE_VALUE.fullmatch(leftover.group(0)):
            problems.append(f"{leftover.group(0)} is not an engine value; write {{{{example:step}}}}, "
                            "such as {{single-chain:a2[0]}}")
    return text, problems
