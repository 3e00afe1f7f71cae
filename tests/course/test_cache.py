"""The course cache: a hit skips parsing, any edit makes a fresh load."""

import os

from tutor.course import load_course
from tutor.course.cache import course_from_dict, course_to_dict, load_course_cached

LESSON = "---\nid: demo\ntitle: Demo\norder: 1\n---\nValue {{single-chain:a1[0]}}.\n\n## S\n\n```trace\nexample: single-chain\n```\n"


class CountingLoader:
    def __init__(self):
        self.calls = 0

    def __call__(self, root):
        self.calls += 1
        return load_course(root)


def test_round_trip_keeps_every_field(tmp_path):
    (tmp_path / "a.md").write_text(LESSON)
    course = load_course(tmp_path)

    assert course_from_dict(course_to_dict(course)) == course


def test_second_load_comes_from_cache(tmp_path):
    (tmp_path / "lessons").mkdir()
    (tmp_path / "lessons" / "a.md").write_text(LESSON)
    loader = CountingLoader()

    first = load_course_cached(tmp_path / "lessons", loader, tmp_path / "cache")
    second = load_course_cached(tmp_path / "lessons", loader, tmp_path / "cache")

    assert loader.calls == 1
    assert second == first


def test_edited_lesson_is_loaded_again(tmp_path):
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    path = lessons / "a.md"
    path.write_text(LESSON)
    loader = CountingLoader()
    load_course_cached(lessons, loader, tmp_path / "cache")

    path.write_text(LESSON.replace("title: Demo", "title: Edited"))
    os.utime(path, ns=(1, 1))
    course = load_course_cached(lessons, loader, tmp_path / "cache")

    assert loader.calls == 2
    assert course.lessons[0].title == "Edited"


def test_damaged_cache_is_ignored(tmp_path):
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    (lessons / "a.md").write_text(LESSON)
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "course-cache.json").write_text("{not json")
    loader = CountingLoader()

    course = load_course_cached(lessons, loader, tmp_path / "cache")

    assert loader.calls == 1
    assert course.lessons[0].id == "demo"
