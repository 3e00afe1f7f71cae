"""Time checking a typed quiz answer, against parsing the same text with float().

Run from the repository root: python benchmarks/bench_quiz.py

It prints the median time of one check (parse, tolerance, mistake matching)
and its ratio to float(text), both measured in the same process. It then
prints the median time of one check plus the attempt's write to a progress
store in a temporary folder, and the time to generate problems of a few
configurations. The budget for a check is 5 ms.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tutor.checking.quiz import generate_problem, quiz_spec  # noqa: E402
from tutor.checking.quiz.check import check_text  # noqa: E402
from tutor.checking.quiz.table import generate_table  # noqa: E402
from tutor.progress import ProgressStore, QuizAttempt  # noqa: E402

REPEATS = 2000
BUDGET_SECONDS = 0.005


def median_seconds(function, texts: list[str], repeats: int = REPEATS) -> float:
    """Return the median time of one call of function(text), cycling through texts."""
    timings = []
    for index in range(repeats):
        text = texts[index % len(texts)]
        start = time.perf_counter()
        function(text)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> None:
    problem = generate_problem(quiz_spec({"kind": "weight-update", "layers": "2-2-1", "batch": 2}), 1234)
    plain = [repr(problem.expected), repr(problem.mistakes[0].value), "0.125", "-2.5e-3", "17.0"]
    typed = plain + ["1/4", "0,25", "0.5*(1 - 0.5)", "2^-3", "abc"]

    def check(text: str):
        return check_text(text, problem.expected, problem.mistakes, problem.band(),
                          problem.target.label, problem.spec.digits)

    baseline = median_seconds(float, plain)
    checked = median_seconds(check, typed)
    print(f"problem: {problem.spec.kind}, {len(problem.mistakes)} mistake models")
    print(f"float(text) median:       {baseline * 1e6:9.2f} us")
    print(f"check median:             {checked * 1e6:9.2f} us  ({checked / baseline:.0f}x float)")

    with tempfile.TemporaryDirectory() as folder:
        store = ProgressStore(Path(folder) / "progress.sqlite3")

        def check_and_record(text: str):
            verdict = check(text)
            if verdict.is_attempt:
                store.record_quiz_attempt(QuizAttempt(
                    "bench", "quiz-1", problem.spec.kind, problem.seed, text, verdict.value,
                    verdict.status, verdict.mistake_key, 0))

        recorded = median_seconds(check_and_record, typed, repeats=500)
        store.close()
    print(f"check + store write median: {recorded * 1e6:7.2f} us")
    verdict = "within" if checked < BUDGET_SECONDS else "over"
    print(f"budget 5 ms: check is {verdict} budget ({checked / BUDGET_SECONDS:.4f} of it)")
    report_generation()


def report_generation() -> None:
    """Print the median and the slowest time to generate a problem (the n key) per configuration."""
    configs = [
        {"kind": "output-delta", "layers": "2-2-1"},
        {"kind": "weight-gradient", "layers": "2-2-1", "batch": 2},
        {"kind": "hidden-delta", "layers": "2-2-2-1"},
        {"kind": "weight-update", "layers": "3-3-3-1"},
    ]
    for params in configs:
        spec = quiz_spec(params)
        timings = []
        for seed in range(100):
            start = time.perf_counter()
            generate_problem(spec, seed)
            timings.append(time.perf_counter() - start)
        print(f"generate {params['kind']} {params['layers']}: median "
              f"{statistics.median(timings) * 1e3:.1f} ms, slowest of 100 {max(timings) * 1e3:.1f} ms")

    spec = quiz_spec({"kind": "weight-gradient", "layers": "3-3-3-1", "mode": "fill-table"})
    timings = []
    for seed in range(100):
        start = time.perf_counter()
        generate_table(spec, seed)
        timings.append(time.perf_counter() - start)
    print(f"generate fill-table 3-3-3-1: median {statistics.median(timings) * 1e3:.1f} ms, "
          f"slowest of 100 {max(timings) * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
