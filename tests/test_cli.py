"""The backprop-tutor command as a learner or an instructor runs it: a real subprocess."""

import subprocess
import sys
from pathlib import Path

from tutor import __version__

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, env_data: Path | None = None) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    if env_data is not None:
        env["BACKPROP_TUTOR_DATA"] = str(env_data)
    return subprocess.run([sys.executable, "-m", "tutor.cli", *args], capture_output=True,
                          text=True, timeout=60, env=env, cwd=ROOT)


def test_version_prints_package_version():
    result = run_cli("--version")

    assert result.returncode == 0
    assert result.stdout.strip() == f"backprop-tutor {__version__}"


def test_help_names_options_and_commands():
    result = run_cli("--help")

    assert result.returncode == 0
    assert "--lessons DIR" in result.stdout
    assert "validate" in result.stdout
    assert "BACKPROP_TUTOR_DATA" in result.stdout


def test_missing_lessons_folder_is_a_clear_error(tmp_path):
    result = run_cli("--lessons", str(tmp_path / "nowhere"))

    assert result.returncode == 2
    assert "lesson folder not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_folder_without_lessons_is_a_clear_error(tmp_path):
    (tmp_path / "notes.txt").write_text("nothing here")

    result = run_cli("--lessons", str(tmp_path), env_data=tmp_path / "data")

    assert result.returncode == 1
    assert "no lessons found" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_reports_file_and_line(tmp_path):
    lesson = tmp_path / "bad.md"
    lesson.write_text("---\nid: bad\ntitle: Bad\norder: 1\n---\n## S\n\ntext\n\n```trace\nexample: nope\n```\n")

    result = run_cli("validate", str(tmp_path))

    assert result.returncode == 1
    assert f"{lesson}:10: trace block: unknown example 'nope'" in result.stdout


def test_validate_bundled_course_passes():
    result = run_cli("validate")

    assert result.returncode == 0, result.stdout
    assert "0 problems" in result.stdout


def test_lessons_file_is_not_a_folder(tmp_path):
    lesson = tmp_path / "one.md"
    lesson.write_text("---\nid: x\ntitle: X\norder: 1\n---\ntext\n")

    result = run_cli("--lessons", str(lesson))

    assert result.returncode == 2
    assert "is a file, not a folder" in result.stderr


def test_data_variable_file_rejected(tmp_path):
    not_a_folder = tmp_path / "afile"
    not_a_folder.write_text("hi")

    result = run_cli(env_data=not_a_folder)

    assert result.returncode == 1
    assert "cannot open the progress file" in result.stderr
    assert "BACKPROP_TUTOR_DATA" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_counts_read_as_english(tmp_path):
    (tmp_path / "one.md").write_text("---\nid: x\ntitle: X\norder: 1\n---\ntext\n")

    result = run_cli("validate", str(tmp_path))

    assert result.stdout.strip().startswith("1 lesson, 0 interactive blocks, 0 problems")


def test_validate_reports_unused_broken_exercise(tmp_path):
    (tmp_path / "one.md").write_text("---\nid: x\ntitle: X\norder: 1\n---\ntext\n")
    broken = tmp_path / "exercises" / "broken"
    broken.mkdir(parents=True)
    (broken / "exercise.toml").write_text("garbage = [")

    result = run_cli("validate", str(tmp_path))

    assert result.returncode == 1
    assert f"{broken / 'exercise.toml'}: invalid TOML" in result.stdout
