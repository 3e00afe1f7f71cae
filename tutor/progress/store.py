"""The progress store: position, quiz attempts, exercise drafts and checks.

Each write is its own SQLite transaction, so a kill at any moment leaves the
file either before or after the write, never in between. A file that SQLite
cannot read is renamed aside (with DAMAGED_SUFFIX and a timestamp) and a new
one is started; `recovered_from` names the moved file so the app can say so.

The file lives in the user data directory (platformdirs) unless the
environment variable BACKPROP_TUTOR_DATA names another folder.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

DATA_DIR_VARIABLE = "BACKPROP_TUTOR_DATA"
PROGRESS_FILE_NAME = "progress.sqlite3"
DAMAGED_SUFFIX = ".damaged"
SCHEMA_VERSION = 1

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS quiz_attempts (
    id INTEGER PRIMARY KEY,
    created REAL NOT NULL,
    lesson_id TEXT NOT NULL,
    block_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    seed INTEGER NOT NULL,
    answer TEXT NOT NULL,
    value REAL,
    verdict TEXT NOT NULL,
    mistake TEXT,
    hints_used INTEGER NOT NULL DEFAULT 0,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS quiz_attempts_block ON quiz_attempts (lesson_id, block_id);
CREATE TABLE IF NOT EXISTS drafts (
    exercise_id TEXT PRIMARY KEY,
    code TEXT NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS exercise_checks (
    id INTEGER PRIMARY KEY,
    created REAL NOT NULL,
    exercise_id TEXT NOT NULL,
    passed INTEGER NOT NULL,
    with_help INTEGER NOT NULL,
    summary TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS exercise_checks_id ON exercise_checks (exercise_id);
"""


def default_progress_path() -> Path:
    """Return the progress file path: $BACKPROP_TUTOR_DATA or the platform's user data dir."""
    override = os.environ.get(DATA_DIR_VARIABLE)
    if override:
        return Path(override).expanduser() / PROGRESS_FILE_NAME
    from platformdirs import user_data_path

    return user_data_path("backprop-tutor", appauthor=False) / PROGRESS_FILE_NAME


@dataclass(frozen=True)
class QuizAttempt:
    """One answer to one quiz problem. `verdict` is correct, wrong or mistake."""

    lesson_id: str
    block_id: str
    kind: str
    seed: int
    answer: str
    value: float | None
    verdict: str
    mistake: str | None = None
    hints_used: int = 0
    created: float = 0.0


@dataclass(frozen=True)
class ExerciseCheck:
    """One run of the checker on an exercise."""

    exercise_id: str
    passed: bool
    with_help: bool
    summary: str
    created: float = 0.0


class ProgressStore:
    """A learner's saved state in one SQLite file; safe to use from several threads."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.recovered_from: Path | None = None
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._connection = self._open()
        except sqlite3.DatabaseError as error:
            self.recovered_from = self._move_aside(error)
            self._connection = self._open()

    @classmethod
    def open_default(cls) -> "ProgressStore":
        return cls(default_progress_path())

    def _open(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.executescript(_SCHEMA)
            connection.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )
            connection.execute("SELECT count(*) FROM state").fetchone()
        except sqlite3.DatabaseError:
            connection.close()
            raise
        return connection

    def _move_aside(self, error: Exception) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}{DAMAGED_SUFFIX}-{stamp}")
        log.warning("progress file %s is damaged (%s); moved it to %s", self.path, error, target)
        self.path.replace(target)
        for extra in ("-wal", "-shm"):
            sidecar = self.path.with_name(self.path.name + extra)
            if sidecar.exists():
                sidecar.replace(target.with_name(target.name + extra))
        return target

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    def _execute(self, sql: str, parameters: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._connection.execute(sql, parameters).fetchall()

    # Position and other small UI state, stored as JSON values.

    def set_state(self, key: str, value) -> None:
        """Store a JSON-serialisable value under key, replacing the old one."""
        self._execute(
            "INSERT INTO state (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, json.dumps(value)),
        )

    def get_state(self, key: str, default=None):
        rows = self._execute("SELECT value FROM state WHERE key = ?", (key,))
        if not rows:
            return default
        try:
            return json.loads(rows[0][0])
        except json.JSONDecodeError:
            log.warning("ignoring unreadable state value for %s", key)
            return default

    def set_position(self, lesson_id: str, section: int) -> None:
        """Remember the open lesson and its section, and the section of that lesson."""
        self.set_state("position", {"lesson": lesson_id, "section": section})
        self.set_state(f"section:{lesson_id}", section)

    def get_position(self) -> tuple[str, int] | None:
        position = self.get_state("position")
        if not isinstance(position, dict) or "lesson" not in position:
            return None
        return str(position["lesson"]), int(position.get("section", 0))

    def get_section(self, lesson_id: str) -> int:
        return int(self.get_state(f"section:{lesson_id}", 0) or 0)

    # Quizzes.

    def record_quiz_attempt(self, attempt: QuizAttempt, detail: dict | None = None) -> None:
        self._execute(
            "INSERT INTO quiz_attempts (created, lesson_id, block_id, kind, seed, answer, value, "
            "verdict, mistake, hints_used, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                attempt.created or time.time(), attempt.lesson_id, attempt.block_id, attempt.kind,
                attempt.seed, attempt.answer, attempt.value, attempt.verdict, attempt.mistake,
                attempt.hints_used, json.dumps(detail or {}),
            ),
        )

    def quiz_attempts(self, lesson_id: str | None = None, block_id: str | None = None) -> list[QuizAttempt]:
        """Return attempts in the order they were made, optionally for one lesson or block."""
        sql = ("SELECT lesson_id, block_id, kind, seed, answer, value, verdict, mistake, "
               "hints_used, created FROM quiz_attempts")
        clauses, parameters = [], []
        if lesson_id is not None:
            clauses.append("lesson_id = ?")
            parameters.append(lesson_id)
        if block_id is not None:
            clauses.append("block_id = ?")
            parameters.append(block_id)
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        rows = self._execute(sql + " ORDER BY id", tuple(parameters))
        return [QuizAttempt(*row) for row in rows]

    # Exercises.

    def save_draft(self, exercise_id: str, code: str) -> None:
        self._execute(
            "INSERT INTO drafts (exercise_id, code, updated) VALUES (?, ?, ?) "
            "ON CONFLICT(exercise_id) DO UPDATE SET code = excluded.code, updated = excluded.updated",
            (exercise_id, code, time.time()),
        )

    def load_draft(self, exercise_id: str) -> str | None:
        rows = self._execute("SELECT code FROM drafts WHERE exercise_id = ?", (exercise_id,))
        return rows[0][0] if rows else None

    def delete_draft(self, exercise_id: str) -> None:
        self._execute("DELETE FROM drafts WHERE exercise_id = ?", (exercise_id,))

    def record_exercise_check(self, check: ExerciseCheck) -> None:
        self._execute(
            "INSERT INTO exercise_checks (created, exercise_id, passed, with_help, summary) "
            "VALUES (?, ?, ?, ?, ?)",
            (check.created or time.time(), check.exercise_id, int(check.passed),
             int(check.with_help), check.summary),
        )

    def exercise_checks(self, exercise_id: str) -> list[ExerciseCheck]:
        rows = self._execute(
            "SELECT exercise_id, passed, with_help, summary, created FROM exercise_checks "
            "WHERE exercise_id = ? ORDER BY id",
            (exercise_id,),
        )
        return [ExerciseCheck(r[0], bool(r[1]), bool(r[2]), r[3], r[4]) for r in rows]
