"""Where the bundled course lives, in a source checkout and after `pip install .`."""

from __future__ import annotations

from pathlib import Path

BUNDLED_COURSE_PACKAGE = "tutor.lessons"


def default_lessons_dir() -> Path:
    """Return the lessons/ folder of a source checkout, else the copy installed in the package."""
    checkout = Path(__file__).resolve().parents[2] / "lessons"
    if checkout.is_dir():
        return checkout
    from importlib.resources import files

    return Path(str(files(BUNDLED_COURSE_PACKAGE)))
