"""Measure one code check (start the child, run, compare with the engine) against bare Python.

Run from the project folder:

    /work/venv/bin/python benchmarks/bench_codecheck.py [--repeats N]

Prints the median of each measurement in milliseconds and its ratio to a
bare `python -c pass` subprocess measured in the same run. The budget is a
median under 500 ms for one check of each exercise's reference solution.

Modes:
    paced         a pause between checks, as when a learner edits between
                  them, so the warm child has finished importing NumPy
    back to back  checks with no pause; the next child may still be starting
    cold          no warm child; every check starts Python and NumPy
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tutor.checking.codecheck import check_code  # noqa: E402
from tutor.checking.exercises import load_exercises  # noqa: E402
from tutor.checking.runner import Runner  # noqa: E402

LESSONS = Path(__file__).resolve().parents[1] / "lessons"
BUDGET_SECONDS = 0.5
PACE_SECONDS = 0.4


def median_seconds(action, repeats: int, pause: float = 0.0) -> float:
    timings = []
    for _ in range(repeats):
        if pause:
            time.sleep(pause)
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def bare_python() -> None:
    subprocess.run([sys.executable, "-c", "pass"], check=True)


def python_with_numpy() -> None:
    subprocess.run([sys.executable, "-I", "-c", "import numpy"], check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="runs per measurement (default 15)")
    args = parser.parse_args()

    exercises, errors = load_exercises(LESSONS)
    if errors:
        for error in errors:
            print(f"error: {error}", file=sys.stderr)
        return 1

    baseline = median_seconds(bare_python, args.repeats)
    numpy_start = median_seconds(python_with_numpy, args.repeats)
    print(f"{'measurement':<42} {'median ms':>10} {'x baseline':>11}")
    print(f"{'python -c pass (baseline)':<42} {baseline * 1000:>10.1f} {1.0:>11.2f}")
    numpy_label = 'python -I -c "import numpy"'
    print(f"{numpy_label:<42} {numpy_start * 1000:>10.1f} "
          f"{numpy_start / baseline:>11.2f}")

    worst = 0.0
    with Runner() as warm, Runner(warm=False) as cold:
        warm.prestart()
        for exercise in exercises:
            code = exercise.solution_code()
            assert check_code(exercise, code, runner=warm).passed, exercise.id
            modes = (
                ("paced", warm, PACE_SECONDS),
                ("back to back", warm, 0.0),
                ("cold", cold, 0.0),
            )
            for mode, runner, pause in modes:
                seconds = median_seconds(lambda: check_code(exercise, code, runner=runner),
                                         args.repeats, pause)
                if mode == "paced":
                    worst = max(worst, seconds)
                label = f"check {exercise.id} ({mode})"
                print(f"{label:<42} {seconds * 1000:>10.1f} {seconds / baseline:>11.2f}")

    verdict = "within" if worst < BUDGET_SECONDS else "over"
    print(f"\nslowest paced check: {worst * 1000:.1f} ms, {verdict} the "
          f"{BUDGET_SECONDS * 1000:.0f} ms budget")
    return 0 if worst < BUDGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
