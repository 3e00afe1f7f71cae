"""The progress store on real SQLite files in a temp dir."""

import sqlite3
import subprocess
import sys

from tutor.progress import ExerciseCheck, ProgressStore, QuizAttempt
from tutor.progress.store import DATA_DIR_VARIABLE, default_progress_path


def test_position_survives_reopen(tmp_path):
    path = tmp_path / "p.sqlite3"
    store = ProgressStore(path)
    store.set_position("backpropagation", 3)
    store.close()

    reopened = ProgressStore(path)

    assert reopened.get_position() == ("backpropagation", 3)
    assert reopened.get_section("backpropagation") == 3
    assert reopened.get_section("other") == 0


def test_quiz_attempts_filtered_and_ordered(tmp_path):
    store = ProgressStore(tmp_path / "p.sqlite3")
    store.record_quiz_attempt(QuizAttempt("l1", "quiz-1", "output-delta", 7, "0.1", 0.1, "wrong", "sign"))
    store.record_quiz_attempt(QuizAttempt("l1", "quiz-1", "output-delta", 7, "-0.1", -0.1, "correct"))
    store.record_quiz_attempt(QuizAttempt("l2", "quiz-1", "bias-gradient", 3, "2", 2.0, "correct"))

    attempts = store.quiz_attempts("l1", "quiz-1")

    assert [a.verdict for a in attempts] == ["wrong", "correct"]
    assert attempts[0].mistake == "sign"
    assert attempts[0].seed == 7
    assert len(store.quiz_attempts()) == 3


def test_drafts_and_checks(tmp_path):
    store = ProgressStore(tmp_path / "p.sqlite3")
    store.save_draft("ex", "def f(): pass")
    store.save_draft("ex", "def f(): return 1")
    store.record_exercise_check(ExerciseCheck("ex", False, False, "dW1[0,1] wrong"))

    assert store.load_draft("ex") == "def f(): return 1"
    assert store.exercise_checks("ex")[0].summary == "dW1[0,1] wrong"
    store.delete_draft("ex")
    assert store.load_draft("ex") is None


def test_damaged_file_moved_aside(tmp_path):
    path = tmp_path / "p.sqlite3"
    path.write_bytes(b"this is not a database" * 200)

    store = ProgressStore(path)

    assert store.recovered_from is not None
    assert store.recovered_from.read_bytes().startswith(b"this is not a database")
    store.set_position("a", 1)
    assert store.get_position() == ("a", 1)


def test_unreadable_state_value_falls_back(tmp_path):
    path = tmp_path / "p.sqlite3"
    ProgressStore(path).close()
    with sqlite3.connect(path) as connection:
        connection.execute("INSERT INTO state (key, value) VALUES ('position', '{broken')")

    assert ProgressStore(path).get_position() is None


def test_kill_during_writes_keeps_committed_work(tmp_path):
    path = tmp_path / "p.sqlite3"
    script = (
        "import os, sys\n"
        "from tutor.progress import ProgressStore\n"
        f"store = ProgressStore({str(path)!r})\n"
        "for i in range(200):\n"
        "    store.save_draft('ex', f'version {i}')\n"
        "    if i == 150:\n"
        "        os.kill(os.getpid(), 9)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True)

    assert result.returncode == -9
    assert ProgressStore(path).load_draft("ex") == "version 150"


def test_environment_variable_moves_file(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path / "elsewhere"))

    assert default_progress_path() == tmp_path / "elsewhere" / "progress.sqlite3"
