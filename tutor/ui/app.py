"""The backprop-tutor app: course tree, lesson prose and lab pane, driven by the keyboard."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Footer

from tutor.course import Course, Lesson, Section
from tutor.progress import ProgressStore
from tutor.ui.context import LabContext
from tutor.ui.course_tree import CourseTree
from tutor.ui.lab import LabPane
from tutor.ui.lesson_view import LessonView

# Below this width the course tree hides while a lesson is open, so prose and lab keep room.
WIDE_LAYOUT_COLUMNS = 110


class TutorApp(App[None]):
    """Shows one lesson section at a time with its lab blocks, and saves the position."""

    # Absolute, so subclasses defined elsewhere (tests, benchmarks) find the stylesheet.
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "backprop-tutor"

    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark,f1", "help", "Help", key_display="?"),
        Binding("right_square_bracket", "next_section", "Next section", key_display="]"),
        Binding("left_square_bracket", "previous_section", "Prev section", key_display="["),
        Binding("greater_than_sign", "next_lesson", "Next lesson", key_display=">", show=False),
        Binding("less_than_sign", "previous_lesson", "Prev lesson", key_display="<", show=False),
        Binding("t", "toggle_tree", "Tree"),
        Binding("p", "focus_prose", "Prose", show=False),
        Binding("l", "focus_lab", "Lab", show=False),
    ]

    def __init__(self, course: Course, store: ProgressStore) -> None:
        super().__init__()
        self.course = course
        self.store = store
        self.lesson: Lesson | None = None
        self.section_index = 0

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield CourseTree(self.course, id="tree")
            yield LessonView(id="lesson")
            yield LabPane(id="lab")
        yield Footer()

    async def on_mount(self) -> None:
        if self.store.recovered_from is not None:
            self.notify(
                f"Your progress file was damaged and has been moved to "
                f"{self.store.recovered_from}. Starting with fresh progress.",
                severity="warning", timeout=12,
            )
        if self.course.problems:
            count = len(self.course.problems)
            self.notify(
                f"{count} problem{'s' if count != 1 else ''} in the lesson files, such as "
                f"{self.course.problems[0]}. Run `backprop-tutor validate` to list them.",
                severity="warning", timeout=10,
            )

        position = self.store.get_position()
        lesson = self.course.lesson(position[0]) if position else None
        # The lab fills in after the first frame: its widgets import NumPy and plotext.
        if lesson is None:
            await self.open_lesson(self.course.lessons[0].id, defer_lab=True)
        else:
            await self.open_lesson(lesson.id, position[1], defer_lab=True)
        self.query_one(LessonView).focus()

    # Opening lessons and sections.

    async def open_lesson(
        self, lesson_id: str, section_index: int | None = None, *, defer_lab: bool = False
    ) -> None:
        lesson = self.course.lesson(lesson_id)
        if lesson is None:
            self.notify(f"No lesson {lesson_id!r} in this course.", severity="error")
            return
        if section_index is None:
            section_index = self.store.get_section(lesson_id)
        self.lesson = lesson
        self.query_one(CourseTree).select_lesson(lesson_id)
        self._apply_layout()
        await self.show_section(max(0, min(section_index, len(lesson.sections) - 1)), defer_lab=defer_lab)

    async def show_section(self, index: int, *, defer_lab: bool = False) -> None:
        assert self.lesson is not None
        self.section_index = index
        self.store.set_position(self.lesson.id, index)
        section = self.lesson.sections[index]
        context = LabContext(self.store, self.lesson.id, self.course.root)
        await self.query_one(LessonView).show(self.lesson, index)
        lab = self.query_one(LabPane)
        lab.display = bool(section.blocks or section.problems)
        if defer_lab:
            self.call_after_refresh(self._fill_lab_if_current, section, context)
        else:
            await lab.show_section(section, context)

    async def _fill_lab_if_current(self, section: Section, context: LabContext) -> None:
        """Fill the lab for a section, unless the learner has already moved on from it."""
        if self.lesson is not None and self.lesson.sections[self.section_index] is section:
            await self.query_one(LabPane).show_section(section, context)

    def _apply_layout(self, width: int | None = None) -> None:
        width = self.size.width if width is None else width
        tree = self.query_one(CourseTree)
        tree.display = width >= WIDE_LAYOUT_COLUMNS or self.lesson is None

    def on_resize(self, event: events.Resize) -> None:
        if self.lesson is not None and not self.query_one(CourseTree).has_focus:
            self._apply_layout(event.size.width)

    async def on_course_tree_lesson_chosen(self, message: CourseTree.LessonChosen) -> None:
        await self.open_lesson(message.lesson_id)
        self.query_one(LessonView).focus()

    # Actions.

    async def action_next_section(self) -> None:
        if self.lesson is None:
            return
        if self.section_index + 1 < len(self.lesson.sections):
            await self.show_section(self.section_index + 1)
        else:
            self.notify("Last section of this lesson. Press > for the next lesson.")

    async def action_previous_section(self) -> None:
        if self.lesson is None:
            return
        if self.section_index > 0:
            await self.show_section(self.section_index - 1)
        else:
            self.notify("First section of this lesson.")

    async def action_next_lesson(self) -> None:
        await self._step_lesson(+1)

    async def action_previous_lesson(self) -> None:
        await self._step_lesson(-1)

    async def _step_lesson(self, step: int) -> None:
        if self.lesson is None:
            return
        ids = [lesson.id for lesson in self.course.lessons]
        index = ids.index(self.lesson.id) + step
        if 0 <= index < len(ids):
            await self.open_lesson(ids[index])
        else:
            self.notify("No more lessons in that direction.")

    def action_toggle_tree(self) -> None:
        tree = self.query_one(CourseTree)
        tree.display = not tree.display
        if tree.display:
            tree.focus()
        elif tree.has_focus or self.focused is None:
            self.query_one(LessonView).focus()

    def action_focus_prose(self) -> None:
        self.query_one(LessonView).focus()

    def action_focus_lab(self) -> None:
        lab = self.query_one(LabPane)
        if not lab.display:
            self.notify("This section has nothing to run. Press ] for the next section.")
            return
        (lab.first_block() or lab).focus()

    def action_help(self) -> None:
        from tutor.ui.help_screen import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.store.path))
