"""Checks shared by the validators of block parameters (chart and train blocks)."""

from __future__ import annotations

import math
from typing import Any


def is_integer(value: Any) -> bool:
    """Return whether value is an int; YAML's true and false are bools, not numbers."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    """Return whether value is a finite int or float (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return math.isfinite(value)


def show_value(value: Any) -> str:
    """Return repr(value), cut to 40 characters, for an error message."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
