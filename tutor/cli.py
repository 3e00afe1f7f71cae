"""The `backprop-tutor` command: start the app, validate lessons, run exercises."""

from __future__ import annotations

import argparse
from functools import partial
import os
import sqlite3
import sys
from pathlib import Path

from tutor import __version__

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    from tutor.progress.store import default_progress_path

    parser = argparse.ArgumentParser(
        prog="backprop-tutor",
        description="Learn how neural networks learn: lessons, step-by-step tables, "
                    "charts, quizzes and code exercises in your terminal.",
        epilog=f"Progress is saved in {default_progress_path()}; set BACKPROP_TUTOR_DATA "
               "to a folder to keep it elsewhere.",
    )
    parser.add_argument("--version", action="version", version=f"backprop-tutor {__version__}")
    parser.add_argument(
        "--lessons", metavar="DIR", type=Path,
        help="open the course in DIR (a folder of markdown lessons) instead of the bundled one",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")

    validate = subparsers.add_parser(
        "validate", help="check a lesson folder and list each problem with file and line",
        description="Check every lesson in a folder and list each problem with file and line. "
                    "Exits 1 when a problem is found.",
    )
    validate.add_argument("folder", nargs="?", type=Path,
                          help="the lesson folder (default: --lessons or the bundled course)")
    validate.set_defaults(handler=run_validate)

    try:
        from tutor.exercise_cli import add_subcommands
    except ImportError:
        pass
    else:
        add_subcommands(subparsers)
    return parser


def block_validators(run_code: bool = True) -> dict:
    """Return the block validators that need the checking package (quiz and exercise).

    With run_code, each exercise's solution and starters also run through the
    checker (about a second for the bundled course), as `validate` wants.
    """
    validators = {}
    try:
        from tutor.checking.quiz import validate_quiz_params
    except ImportError:
        pass
    else:
        validators["quiz"] = lambda params, root: validate_quiz_params(params)
    try:
        from tutor.checking.exercises import validate_exercise_params
    except ImportError:
        pass
    else:
        validators["exercise"] = partial(validate_exercise_params, run_code=run_code)
    return validators


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def exercise_folder_problems(folder: Path, course) -> list:
    """Return a problem for each exercise folder that fails to load and no lesson names.

    Folders that a lesson names are already reported through its exercise block.
    """
    try:
        from tutor.checking.exercises import load_exercises
    except ImportError:
        return []
    from tutor.course.model import Problem

    named = {str(block.params.get("id")) for lesson in course.lessons for block in lesson.blocks()
             if block.kind == "exercise"}
    _, errors = load_exercises(folder)
    return [Problem(error.path, 0, error.message) for error in errors
            if not any(part in named for part in Path(error.path).parts)]


def run_validate(args: argparse.Namespace, lessons_dir: Path) -> int:
    from tutor.course import load_course

    folder = args.folder or lessons_dir
    course = load_course(folder, block_validators())
    course.problems.extend(exercise_folder_problems(folder, course))
    for problem in course.problems:
        print(problem)
    blocks = sum(len(lesson.blocks()) for lesson in course.lessons)
    if not course.lessons and not course.problems:
        print(f"{folder}: no lessons found (expected *.md files with front matter)")
        return EXIT_FAILED
    print(f"{plural(len(course.lessons), 'lesson')}, {plural(blocks, 'interactive block')}, "
          f"{plural(len(course.problems), 'problem')} in {folder}")
    return EXIT_FAILED if course.problems else EXIT_OK


def load_course_for_app(lessons_dir: Path):
    """Load the course through the cache in the user cache folder (see tutor.course.cache)."""
    from platformdirs import user_cache_path

    from tutor.course.cache import load_course_cached

    def load(root: Path):
        from tutor.course import load_course

        return load_course(root, block_validators(run_code=False))

    return load_course_cached(lessons_dir, load, user_cache_path("backprop-tutor", appauthor=False))


def run_app(lessons_dir: Path) -> int:
    from tutor.progress import ProgressStore

    course = load_course_for_app(lessons_dir)
    if not course.lessons:
        print(f"backprop-tutor: no lessons found in {lessons_dir}", file=sys.stderr)
        for problem in course.problems:
            print(f"  {problem}", file=sys.stderr)
        print("Give a folder of markdown lessons with --lessons DIR, or check one with "
              "`backprop-tutor validate DIR`.", file=sys.stderr)
        return EXIT_FAILED

    try:
        store = ProgressStore.open_default()
    except (OSError, sqlite3.Error) as error:
        from tutor.progress.store import DATA_DIR_VARIABLE, default_progress_path

        reason = getattr(error, "strerror", None) or str(error)
        print(f"backprop-tutor: cannot open the progress file {default_progress_path()}: {reason}.",
              file=sys.stderr)
        print(f"Set {DATA_DIR_VARIABLE} to a folder you can write to, or fix the permissions.",
              file=sys.stderr)
        return EXIT_FAILED
    from tutor.ui.app import TutorApp

    try:
        TutorApp(course, store).run()
    finally:
        store.close()
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    # The course's matrices are tiny, so BLAS worker threads only compete with the UI
    # thread; one thread is faster here. Set before anything imports NumPy.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    parser = build_parser()
    args = parser.parse_args(argv)

    from tutor.course.paths import default_lessons_dir

    lessons_dir = args.lessons.expanduser() if args.lessons else default_lessons_dir()
    if args.lessons and not lessons_dir.is_dir():
        problem = "is a file, not a folder" if lessons_dir.exists() else "not found"
        print(f"backprop-tutor: lesson folder {problem}: {lessons_dir}", file=sys.stderr)
        return EXIT_USAGE
    folder = getattr(args, "folder", None)
    if folder is not None and not folder.is_dir():
        problem = "is a file, not a folder" if folder.exists() else "not found"
        print(f"backprop-tutor: lesson folder {problem}: {folder}", file=sys.stderr)
        return EXIT_USAGE

    handler = getattr(args, "handler", None)
    if handler is not None:
        return handler(args, lessons_dir=lessons_dir)
    return run_app(lessons_dir)


if __name__ == "__main__":
    sys.exit(main())
