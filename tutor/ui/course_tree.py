"""The course tree: modules and their lessons, opened with Enter."""

from __future__ import annotations

from textual.message import Message
from textual.widgets import Tree

from tutor.course import Course, Lesson


class CourseTree(Tree[str]):
    """Lists the lessons grouped by module; Enter or a click opens one."""

    BINDINGS = [
        ("j", "cursor_down", "Down"),
        ("k", "cursor_up", "Up"),
    ]

    class LessonChosen(Message):
        def __init__(self, lesson_id: str) -> None:
            super().__init__()
            self.lesson_id = lesson_id

    def __init__(self, course: Course, **kwargs) -> None:
        super().__init__("Course", **kwargs)
        self.course = course
        self.show_root = False
        self.guide_depth = 2

    def on_mount(self) -> None:
        modules: dict[str, object] = {}
        for lesson in self.course.lessons:
            module = lesson.module or "Lessons"
            if module not in modules:
                modules[module] = self.root.add(module, expand=True)
            modules[module].add_leaf(self._label(lesson), data=lesson.id)

    @staticmethod
    def _label(lesson: Lesson) -> str:
        return f"{lesson.order}. {lesson.title}"

    def select_lesson(self, lesson_id: str) -> None:
        """Move the cursor to a lesson without opening it again."""
        for module in self.root.children:
            for node in module.children:
                if node.data == lesson_id:
                    self.move_cursor(node)
                    return

    def on_tree_node_selected(self, event: Tree.NodeSelected) -> None:
        event.stop()
        if event.node.data is not None:
            self.post_message(self.LessonChosen(event.node.data))
