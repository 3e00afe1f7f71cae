"""The learner's saved state: one SQLite file per learner, standard library only."""

from tutor.progress.store import (
    DAMAGED_SUFFIX,
    ExerciseCheck,
    ProgressStore,
    QuizAttempt,
    default_progress_path,
)

__all__ = [
    "DAMAGED_SUFFIX",
    "ExerciseCheck",
    "ProgressStore",
    "QuizAttempt",
    "default_progress_path",
]
