"""What a lab block widget gets besides its block: the store and where it sits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tutor.progress import ProgressStore


@dataclass
class LabContext:
    """Shared by every block widget of one open lesson."""

    store: ProgressStore
    lesson_id: str
    course_root: Path
