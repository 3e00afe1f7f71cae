"""The `exercise` and `check` commands, for learners who prefer their own editor.

    backprop-tutor exercise list
    backprop-tutor exercise start ID [--dir DIR] [--variant NAME] [--force]
    backprop-tutor check FILE [--exercise ID]

`start` writes the starter code to DIR/ID.py with a first line that names the
exercise. `check` reads that line (or else the file name) to find the
exercise, runs the same checker as the app and prints plain text.
Exit status: 0 when the check passes, 1 when it fails (or `list` finds no
exercise), 2 for a usage error such as an unknown exercise or a missing file.
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
from pathlib import Path
from typing import TextIO

EXIT_PASS = 0
EXIT_FAIL = 1
EXIT_USAGE = 2
MARKER = "# backprop-tutor exercise:"
MARKER_PATTERN = re.compile(r"^#\s*backprop-tutor exercise:\s*([A-Za-z0-9_-]+)")


def add_subcommands(subparsers) -> None:
    """Register `exercise` (with `list` and `start`) and `check` on an argparse subparsers object."""
    exercise = subparsers.add_parser("exercise", help="list code exercises or write a starter file")
    actions = exercise.add_subparsers(dest="exercise_command", metavar="{list,start}")
    exercise.set_defaults(handler=_missing_action(exercise))

    listing = actions.add_parser("list", help="list the code exercises of the course")
    listing.set_defaults(handler=list_command)

    start = actions.add_parser("start", help="write an exercise's starter code to a file")
    start.add_argument("id", help="exercise id, as `exercise list` shows it")
    start.add_argument("--dir", type=Path, default=Path("."),
                       help="folder to write ID.py into (default: the current folder)")
    start.add_argument("--variant", help="variant of the exercise (default: the first)")
    start.add_argument("--force", action="store_true", help="overwrite an existing file")
    start.set_defaults(handler=start_command)

    check = subparsers.add_parser("check", help="check a solution file against the engine")
    check.add_argument("file", type=Path, help="the Python file to check")
    check.add_argument("--exercise", help="exercise id (default: read from the file's first line)")
    check.set_defaults(handler=check_command)


def _missing_action(parser: argparse.ArgumentParser):
    def handler(args: argparse.Namespace, *, lessons_dir: Path) -> int:
        parser.print_usage(sys.stderr)
        print("error: choose an action: list or start", file=sys.stderr)
        return EXIT_USAGE

    return handler


def list_command(args: argparse.Namespace, *, lessons_dir: Path, out: TextIO | None = None) -> int:
    """Print every exercise id with its title and variants."""
    from tutor.checking.exercises import load_exercises

    out = out or sys.stdout
    exercises, errors = load_exercises(lessons_dir)
    for error in errors:
        print(f"warning: {error}", file=sys.stderr)
    if not exercises:
        print(f"No exercises found under {lessons_dir} (expected exercises/ID/exercise.toml "
              f"folders).", file=out)
        return EXIT_FAIL
    width = max(len(exercise.id) for exercise in exercises)
    for exercise in exercises:
        print(f"{exercise.id:<{width}}  {exercise.title}", file=out)
        if exercise.variants:
            names = ", ".join(variant.id for variant in exercise.variants)
            print(f"{'':<{width}}  variants: {names}", file=out)
    print(f"\nStart one with: {_command(args, 'exercise', 'start', 'ID')}", file=out)
    return EXIT_PASS


def start_command(args: argparse.Namespace, *, lessons_dir: Path, out: TextIO | None = None) -> int:
    """Write the starter code of exercise `args.id` to DIR/ID.py."""
    from tutor.checking.exercises import ExerciseError, find_exercise

    out = out or sys.stdout
    try:
        exercise = find_exercise(lessons_dir, args.id)
        variant = exercise.variant(args.variant)
    except (KeyError, ExerciseError) as error:
        print(f"error: {_error_text(error)}. Run `{_command(args, 'exercise', 'list')}`.",
              file=sys.stderr)
        return EXIT_USAGE
    if args.variant and variant is None:
        print(f"error: exercise {exercise.id} has no variants", file=sys.stderr)
        return EXIT_USAGE

    target = Path(args.dir) / f"{exercise.id}.py"
    if target.exists() and not args.force:
        print(f"error: {target} already exists; pass --force to overwrite it", file=sys.stderr)
        return EXIT_USAGE
    variant_note = f", variant: {variant.id}" if variant else ""
    header = f"{MARKER} {exercise.id}{variant_note}\n"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(header + exercise.starter_code(variant.id if variant else None), encoding="utf-8")

    print(f"{exercise.title}\n\n{exercise.prompt}\n", file=out)
    print(f"Wrote {target}. Edit it, then run: {_command(args, 'check', str(target))}", file=out)
    return EXIT_PASS


def _command(args: argparse.Namespace, *words: str) -> str:
    """Return a backprop-tutor command line, with --lessons DIR when the user gave one."""
    parts = ["backprop-tutor"]
    lessons = getattr(args, "lessons", None)
    if lessons is not None:
        parts += ["--lessons", str(lessons)]
    return " ".join(shlex.quote(part) if part != "ID" else part for part in [*parts, *words])


def marked_exercise_id(code: str) -> str | None:
    """Return the exercise id from the file's marker line, or None without one."""
    for line in code.splitlines()[:5]:
        match = MARKER_PATTERN.match(line.strip())
        if match:
            return match.group(1)
    return None


def exercise_id_of(path: Path, code: str) -> str:
    """Return the exercise id from the file's marker line, else from the file name."""
    return marked_exercise_id(code) or path.stem


def check_command(args: argparse.Namespace, *, lessons_dir: Path, out: TextIO | None = None) -> int:
    """Check a solution file with the same checker as the app; print the report."""
    from tutor.checking.codecheck import check_code
    from tutor.checking.exercises import ExerciseError, find_exercise

    out = out or sys.stdout
    path = Path(args.file)
    try:
        code = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        print(f"error: file not found: {path}", file=sys.stderr)
        return EXIT_USAGE
    except (OSError, UnicodeDecodeError) as error:
        print(f"error: cannot read {path}: {error}", file=sys.stderr)
        return EXIT_USAGE

    exercise_id = args.exercise or exercise_id_of(path, code)
    try:
        exercise = find_exercise(lessons_dir, exercise_id)
    except KeyError:
        print(_unknown_exercise_message(args, path, code, exercise_id, lessons_dir), file=sys.stderr)
        return EXIT_USAGE
    except ExerciseError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE

    report = check_code(exercise, code, filename=path.name)
    print(f"{exercise.title}: {'PASS' if report.passed else 'FAIL'}\n", file=out)
    print(report.text(), file=out)
    return EXIT_PASS if report.passed else EXIT_FAIL


def _unknown_exercise_message(args: argparse.Namespace, path: Path, code: str, exercise_id: str,
                              lessons_dir: Path) -> str:
    """Explain which exercise id was looked for, where it came from, and how to name one."""
    from tutor.checking.exercises import exercise_folders

    if args.exercise:
        problem = f"error: no exercise named {exercise_id!r} (given with --exercise)."
    elif marked_exercise_id(code):
        problem = (f"error: {path} names exercise {exercise_id!r} on its marker line, "
                   f"but there is no such exercise.")
    else:
        problem = (f"error: {path} has no marker line `{MARKER} ID` in its first 5 lines, and its "
                   f"file name {path.name!r} is not an exercise id.")
    known = ", ".join(folder.name for folder in exercise_folders(lessons_dir)) or "none found"
    return (f"{problem}\n"
            f"Start from a file written by `{_command(args, 'exercise', 'start', 'ID')}` (it adds the "
            f"marker line), add the line `{MARKER} ID` at the top, or run "
            f"`{_command(args, 'check', str(path), '--exercise', 'ID')}`.\n"
            f"Known exercises under {lessons_dir}: {known}.")


def _error_text(error: Exception) -> str:
    if isinstance(error, KeyError) and error.args:
        return str(error.args[0])
    return str(error)
