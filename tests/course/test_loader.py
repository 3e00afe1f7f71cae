"""The course loader on real lesson folders written to a temp dir."""

from pathlib import Path

import pytest

from tutor.course import load_course
from tutor.course.paths import default_lessons_dir
from tutor.engine.examples import get_example
from tutor.engine.trace import format_number, trace_pass

GOOD_LESSON = """\
---
id: demo
title: Demo
order: 2
module: "Module 3: Neural networks"
objectives:
  - Trace a chain
---
Welcome. The output is {{single-chain:a2[0]}}.

## First steps

Read this.

```trace
example: single-chain
```

## Practice

```quiz
kind: output-delta
layers: 1-1-1
```

```python
print("ordinary code stays in the prose")
```
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_good_lesson_loads_sections_and_blocks(tmp_path):
    write(tmp_path, "demo.md", GOOD_LESSON)

    course = load_course(tmp_path)

    assert course.problems == []
    lesson = course.lessons[0]
    assert [s.title for s in lesson.sections] == ["Introduction", "First steps", "Practice"]
    assert [b.kind for b in lesson.blocks()] == ["trace", "quiz"]
    assert lesson.blocks()[0].id == "trace-1"
    assert lesson.blocks()[0].params == {"example": "single-chain"}
    assert lesson.objectives == ["Trace a chain"]


def test_block_line_points_at_fence(tmp_path):
    path = write(tmp_path, "demo.md", GOOD_LESSON)

    block = load_course(tmp_path).lessons[0].blocks()[0]

    assert path.read_text().splitlines()[block.line - 1] == "```trace"


def test_inline_value_comes_from_engine(tmp_path):
    write(tmp_path, "demo.md", GOOD_LESSON)
    example = get_example("single-chain")
    expected = trace_pass(example.build(), example.x, example.y).value("a2[0]")

    intro = load_course(tmp_path).lessons[0].sections[0].markdown

    assert f"The output is {format_number(expected)}." in intro


def test_blocks_are_removed_from_prose_but_code_stays(tmp_path):
    write(tmp_path, "demo.md", GOOD_LESSON)

    practice = load_course(tmp_path).lessons[0].sections[2].markdown

    assert "kind: output-delta" not in practice
    assert "ordinary code stays in the prose" in practice


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("no front matter\n", 1, "missing front matter"),
        ("---\nid: x\ntitle: X\norder: 1\n", 1, "not closed"),
        ("---\nid: x\ntitle: [oops\norder: 1\n---\ntext\n", 3, "not valid YAML"),
        ("---\nid: x\norder: 1\n---\ntext\n", 1, "missing 'title'"),
        ("---\nid: Bad Id\ntitle: X\norder: 1\n---\ntext\n", 1, "lowercase"),
        ("---\nid: x\ntitle: X\norder: soon\n---\ntext\n", 1, "order must be a number"),
    ],
)
def test_broken_front_matter_reported_with_line(tmp_path, text, line, fragment):
    path = write(tmp_path, "broken.md", text)

    course = load_course(tmp_path)

    assert course.lessons == []
    assert len(course.problems) == 1
    problem = course.problems[0]
    assert problem.path == path
    assert problem.line == line
    assert fragment in problem.message


def test_broken_lesson_does_not_stop_others(tmp_path):
    write(tmp_path, "good.md", GOOD_LESSON)
    write(tmp_path, "bad.md", "---\nid: bad\n")

    course = load_course(tmp_path)

    assert [lesson.id for lesson in course.lessons] == ["demo"]
    assert len(course.problems) == 1


def test_bad_block_reported_at_its_line(tmp_path):
    text = "---\nid: x\ntitle: X\norder: 1\n---\n## S\n\ntext\n\n```trace\nexample: nope\n```\n\n```chart\nkind: [1\n```\n"
    path = write(tmp_path, "x.md", text)

    problems = load_course(tmp_path).problems

    assert [(p.line, p.path) for p in problems] == [(10, path), (15, path)]
    assert "unknown example 'nope'" in problems[0].message
    assert "not valid YAML" in problems[1].message


def test_unknown_inline_value_reported(tmp_path):
    write(tmp_path, "x.md", "---\nid: x\ntitle: X\norder: 1\n---\nintro\n\n## S\n\nsee {{single-chain:q9[0]}}\n")

    problems = load_course(tmp_path).problems

    assert len(problems) == 1
    assert problems[0].line == 10
    assert "no step 'q9[0]'" in problems[0].message


def test_duplicate_lesson_id_skipped(tmp_path):
    write(tmp_path, "a.md", GOOD_LESSON)
    write(tmp_path, "b.md", GOOD_LESSON)

    course = load_course(tmp_path)

    assert len(course.lessons) == 1
    assert "already used" in course.problems[0].message


def test_non_utf8_file_reported(tmp_path):
    (tmp_path / "latin.md").write_bytes(b"---\nid: x\ntitle: caf\xe9\norder: 1\n---\n")

    problems = load_course(tmp_path).problems

    assert "not valid UTF-8" in problems[0].message


def test_missing_folder_reported(tmp_path):
    course = load_course(tmp_path / "nowhere")

    assert course.lessons == []
    assert "not found" in course.problems[0].message


def test_readme_and_exercise_folders_are_not_lessons(tmp_path):
    write(tmp_path, "README.md", "# not a lesson")
    write(tmp_path, "exercises/one/prompt.md", "# not a lesson either")

    course = load_course(tmp_path)

    assert course.lessons == []
    assert course.problems == []


def test_bundled_course_loads_without_problems():
    from tutor.cli import block_validators

    course = load_course(default_lessons_dir(), block_validators())

    assert course.problems == []
    assert any(lesson.id == "backpropagation" for lesson in course.lessons)


def test_problem_attached_to_its_section(tmp_path):
    text = ("---\nid: x\ntitle: X\norder: 1\n---\nintro\n\n## First\n\nfine\n\n"
            "## Second\n\ntext\n\n```trace\nexample: nope\n```\n")
    write(tmp_path, "x.md", text)

    sections = load_course(tmp_path).lessons[0].sections

    assert sections[1].problems == []
    assert len(sections[2].problems) == 1
    assert sections[2].problems[0].startswith("line 16: trace block: unknown example 'nope'")


def test_front_matter_problems_all_reported(tmp_path):
    write(tmp_path, "x.md", "---\nid: Bad Id!\ntitle:\n---\ntext\n")

    messages = [problem.message for problem in load_course(tmp_path).problems]

    assert "front matter is missing 'title'" in messages
    assert "front matter is missing 'order'" in messages
    assert any("lowercase" in message for message in messages)


def test_bad_inline_value_keeps_good_neighbours(tmp_path):
    write(tmp_path, "x.md", "---\nid: x\ntitle: X\norder: 1\n---\n"
                            "Values {{single-chain:a2[0]}} and {{single-chain:bogus}} and {{oops}}.\n")

    course = load_course(tmp_path)
    intro = course.lessons[0].sections[0].markdown

    assert "{{single-chain:a2[0]}}" not in intro
    assert "{{single-chain:bogus}}" in intro
    assert len(course.problems) == 2
    assert "no step 'bogus'" in course.problems[0].message
    assert "{{oops}} is not an engine value" in course.problems[1].message
