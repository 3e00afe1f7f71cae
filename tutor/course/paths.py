"""Location of the bundled course, in a source checkout and after `pip install .`."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]


def default_lessons_dir() -> Path:
    """Return the lessons/ folder of a source checkout, else the copy installed in the package.

    pyproject.toml installs the top-level lessons/ folder as tutor/lessons, a
    folder without __init__.py, so it is found by path, not through
    importlib.resources (which returns a MultiplexedPath for such a folder).
    """
    checkout = PACKAGE_DIR.parent / "lessons"
    if checkout.is_dir() and (PACKAGE_DIR.parent / "pyproject.toml").is_file():
        return checkout
    return PACKAGE_DIR / "lessons"
