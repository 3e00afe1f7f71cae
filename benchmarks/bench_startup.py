"""Start-up time: process start to the first frame, against a bare Textual app.

Budget: the tutor's first interactive frame within 1.5x of a bare Textual app
that shows one Static. Each run is a fresh headless process that exits right
after its first refresh, so imports count as they do for a learner. The
course comes from its cache, as on every start after the first. Prints
medians of several runs and their ratio. Run: python benchmarks/bench_startup.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 9
ROOT = Path(__file__).resolve().parents[1]

BARE_APP = """
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("hello")
    def on_mount(self):
        self.call_after_refresh(self.exit)

Bare().run(headless=True, size=(80, 24))
"""

TUTOR_APP = """
from tutor.cli import load_course_for_app
from tutor.course.paths import default_lessons_dir
from tutor.progress import ProgressStore
from tutor.ui.app import TutorApp

class FirstFrame(TutorApp):
    # Textual calls on_mount of every class in the MRO, so this runs beside
    # TutorApp.on_mount instead of calling it again through super().
    def on_mount(self):
        self.call_after_refresh(self.exit_when_ready)

    def exit_when_ready(self):
        if self.lesson is None:
            self.call_after_refresh(self.exit_when_ready)
        else:
            self.call_after_refresh(self.exit)

store = ProgressStore.open_default()
FirstFrame(load_course_for_app(default_lessons_dir()), store).run(headless=True, size=(80, 24))
"""


def time_process(code: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=env,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as data:
        env = dict(os.environ, BACKPROP_TUTOR_DATA=data, XDG_CACHE_HOME=data, PYTHONPATH=str(ROOT))
        # One unmeasured start creates the store and the course cache, as a learner's first run does.
        time_process(TUTOR_APP, env)
        bare, tutor = [], []
        for _ in range(RUNS):
            bare.append(time_process(BARE_APP, env))
            tutor.append(time_process(TUTOR_APP, env))

    bare_median = statistics.median(bare)
    tutor_median = statistics.median(tutor)
    print(f"bare Textual app, first frame: {bare_median * 1000:7.1f} ms (median of {RUNS})")
    print(f"backprop-tutor, first frame:   {tutor_median * 1000:7.1f} ms (median of {RUNS})")
    print(f"ratio: {tutor_median / bare_median:.2f}x (budget 1.5x)")


if __name__ == "__main__":
    main()
