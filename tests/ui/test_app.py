"""The whole app under Textual's Pilot, with the bundled course and a real progress file."""

from pathlib import Path

import pytest

from tutor.cli import block_validators
from tutor.course import load_course
from tutor.course.paths import default_lessons_dir
from tutor.engine.examples import get_example
from tutor.engine.trace import trace_pass
from tutor.progress import ProgressStore
from tutor.ui.app import TutorApp
from tutor.ui.course_tree import CourseTree
from tutor.ui.lab import LabPane
from tutor.ui.lesson_view import LessonView

SIZE = (80, 24)


@pytest.fixture(scope="module")
def course():
    return load_course(default_lessons_dir(), block_validators())


def section_with_block(course, lesson_id: str, kind: str, **params) -> int:
    lesson = course.lesson(lesson_id)
    for index, section in enumerate(lesson.sections):
        for block in section.blocks:
            if block.kind == kind and all(block.params.get(k) == v for k, v in params.items()):
                return index
    raise AssertionError(f"no {kind} block with {params} in {lesson_id}")


async def wait_for(pilot, condition, attempts: int = 100) -> None:
    """Let the app run until condition() holds; fail after a bounded number of pauses."""
    for _ in range(attempts):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("the app never reached the expected state")


def make_app(course, path: Path) -> TutorApp:
    return TutorApp(course, ProgressStore(path))


async def test_first_start_opens_first_lesson(course, tmp_path):
    app = make_app(course, tmp_path / "p.sqlite3")
    async with app.run_test(size=SIZE):
        assert app.lesson.id == course.lessons[0].id
        assert app.section_index == 0


async def test_sections_move_with_brackets(course, tmp_path):
    app = make_app(course, tmp_path / "p.sqlite3")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert app.section_index == 2
        await pilot.press("left_square_bracket")
        assert app.section_index == 1
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert app.section_index == 0


async def test_lessons_move_with_angle_brackets(course, tmp_path):
    app = make_app(course, tmp_path / "p.sqlite3")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("greater_than_sign")
        assert app.lesson.id == course.lessons[1].id
        await pilot.press("less_than_sign")
        assert app.lesson.id == course.lessons[0].id


async def test_tree_opens_lesson_with_enter(course, tmp_path):
    app = make_app(course, tmp_path / "p.sqlite3")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        tree = app.query_one(CourseTree)
        assert tree.display and tree.has_focus
        await pilot.press("j", "j", "j", "enter")
        assert app.lesson.id == course.lessons[3].id
        assert app.query_one(LessonView).has_focus


async def test_lab_hidden_for_section_without_blocks(course, tmp_path):
    app = make_app(course, tmp_path / "p.sqlite3")
    async with app.run_test(size=SIZE):
        assert not app.lesson.sections[0].blocks
        assert not app.query_one(LabPane).display


async def test_help_opens_and_closes(course, tmp_path):
    from tutor.ui.help_screen import HelpScreen

    app = make_app(course, tmp_path / "p.sqlite3")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_trace_steps_and_progress_survive_restart(course, tmp_path):
    from tutor.ui.trace_table import TracePanel

    path = tmp_path / "p.sqlite3"
    section = section_with_block(course, "backpropagation", "trace", example="single-chain")
    example = get_example("single-chain")
    steps = trace_pass(example.build(), example.x, example.y, include_bias=False).steps

    app = make_app(course, path)
    async with app.run_test(size=SIZE) as pilot:
        await app.open_lesson("backpropagation", section)
        await pilot.press("l")
        panel = app.query_one(TracePanel)
        assert panel.has_focus
        await pilot.press("space", "space", "space")
        assert panel.current_name == steps[2].name
        await pilot.press("backspace")
        assert panel.current_name == steps[1].name
        await pilot.press("q")

    restarted = make_app(course, path)
    async with restarted.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: restarted.query(TracePanel) and restarted.query_one(TracePanel).is_mounted)
        await pilot.pause()
        assert restarted.lesson.id == "backpropagation"
        assert restarted.section_index == section
        assert restarted.query_one(TracePanel).current_name == steps[1].name


@pytest.mark.parametrize("size", [(60, 20), (120, 40), (80, 24)])
async def test_resizes_keep_app_working(course, tmp_path, size):
    app = make_app(course, tmp_path / "p.sqlite3")
    async with app.run_test(size=SIZE) as pilot:
        await app.open_lesson("backpropagation", 5)
        await pilot.resize_terminal(*size)
        await pilot.press("right_square_bracket")
        assert app.section_index == 6
        assert app.query_one(CourseTree).display == (size[0] >= 110)


async def test_block_problem_shown_in_its_section(tmp_path):
    folder = tmp_path / "lessons"
    folder.mkdir()
    (folder / "x.md").write_text("---\nid: x\ntitle: X\norder: 1\n---\nintro\n\n## Broken\n\ntext\n\n"
                                 "```chart\nkind: nope\n```\n")
    app = make_app(load_course(folder), tmp_path / "p.sqlite3")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right_square_bracket")
        lab = app.query_one(LabPane)
        assert lab.display
        message = str(lab.query_one(".block-error").render())
        assert "line 12: chart block" in message
