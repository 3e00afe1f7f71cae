"""The exercise panel inside the real app, on the real course, at 80x24."""

from pathlib import Path

import pytest
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from tutor.cli import block_validators
from tutor.course import load_course
from tutor.progress import ProgressStore
from tutor.ui.app import TutorApp
from tutor.ui.exercise.dialogs import EditorKeysScreen
from tutor.ui.exercise.editor_screen import EditorScreen
from tutor.ui.exercise.panel import ExercisePanel

LESSONS = Path(__file__).resolve().parents[2] / "lessons"


def exercise_section(course, lesson_id: str, exercise_id: str) -> int:
    lesson = course.lesson(lesson_id)
    for index, section in enumerate(lesson.sections):
        if any(block.kind == "exercise" and block.params.get("id") == exercise_id
               for block in section.blocks):
            return index
    raise AssertionError(f"no section of {lesson_id} holds exercise {exercise_id}")


async def test_app_mounts_panel_and_editor(tmp_path):
    course = load_course(LESSONS, block_validators())
    store = ProgressStore(tmp_path / "progress.sqlite3")
    store.set_position("backpropagation", exercise_section(course, "backpropagation", "backward-3-layer"))
    app = TutorApp(course, store)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause(0.5)
            panel = app.query_one(ExercisePanel)
            assert panel.exercise.id == "backward-3-layer"

            panel.focus()
            await pilot.press("e")
            await pilot.pause()
            assert isinstance(app.screen, EditorScreen)

            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, EditorScreen)
            assert app.focused is panel
    finally:
        store.close()


async def test_editor_footer_offers_f1_not_question_mark(tmp_path):
    course = load_course(LESSONS, block_validators())
    store = ProgressStore(tmp_path / "progress.sqlite3")
    store.set_position("backpropagation", exercise_section(course, "backpropagation", "backward-3-layer"))
    app = TutorApp(course, store)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause(0.5)
            app.query_one(ExercisePanel).focus()
            await pilot.press("e")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, EditorScreen)
            footer_keys = {key: active.binding.description
                     for key, active in screen.active_bindings.items() if active.binding.show}
            assert "question_mark" not in footer_keys
            assert footer_keys.get("f1") == "Help"

            await pilot.press("question_mark")
            await pilot.pause()
            assert app.screen is screen
            assert screen.query_one("#code").text.startswith("?")

            await pilot.press("f1")
            await pilot.pause()
            assert isinstance(app.screen, EditorKeysScreen)
    finally:
        store.close()


@pytest.mark.parametrize("size", [(60, 20), (80, 24)])
async def test_editor_footer_shows_f1_uncovered(tmp_path, size):
    course = load_course(LESSONS, block_validators())
    store = ProgressStore(tmp_path / "progress.sqlite3")
    store.set_position("backpropagation", exercise_section(course, "backpropagation", "fix-the-bug"))
    app = TutorApp(course, store)
    try:
        async with app.run_test(size=size) as pilot:
            await pilot.pause(0.5)
            app.query_one(ExercisePanel).focus()
            await pilot.press("e")
            await pilot.pause()
            footer_keys = list(app.screen.query_one(Footer).query(FooterKey))
            help_key = next(key for key in footer_keys if key.key == "f1")
            others = [key for key in footer_keys if key is not help_key]

            assert help_key.region.right <= size[0]
            for other in others:
                assert not help_key.region.overlaps(other.region), other.key
    finally:
        store.close()
