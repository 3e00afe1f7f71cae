"""The architecture stays visible: the engine and the course never import Textual."""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imported_modules_after(statement: str) -> set[str]:
    code = f"{statement}\nimport sys\nprint('\\n'.join(sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT)})
    return set(result.stdout.split())


def test_engine_imports_no_textual():
    modules = imported_modules_after(
        "import tutor.engine, tutor.engine.network, tutor.engine.trace, tutor.engine.gradcheck")

    assert "textual" not in modules
    assert "tutor.engine.network" in modules


def test_course_imports_no_textual():
    modules = imported_modules_after(
        "import tutor.course\n"
        "from tutor.course import load_course\n"
        "from tutor.course.paths import default_lessons_dir\n"
        "load_course(default_lessons_dir())"
    )

    assert "textual" not in modules
    assert "tutor.course.loader" in modules


def test_package_list_names_every_package():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "tutor").rglob("__init__.py")
    }

    assert found | {"tutor.lessons"} == listed
