"""The engine imports NumPy and the standard library only, and ships its data files."""

import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path

import tutor.engine

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "tutor" / "engine"


def engine_modules():
    return sorted(f"tutor.engine.{info.name}" for info in pkgutil.iter_modules(tutor.engine.__path__))


def test_engine_modules_import_without_textual():
    modules = engine_modules()
    code = (
        "import sys\n"
        f"import {', '.join(modules)}\n"
        "from tutor.engine.datasets import digits\n"
        "digits()\n"
        "heavy = [name for name in ('textual', 'plotext', 'sklearn', 'torch', 'scipy')"
        " if name in sys.modules]\n"
        "assert not heavy, heavy\n"
    )

    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            env={"PYTHONPATH": str(ROOT)}, timeout=60)

    assert result.returncode == 0, result.stderr
    assert "tutor.engine.training" in modules
    assert "tutor.engine.optimizers" in modules


def test_engine_data_files_are_package_data():
    # setuptools expands each package-data pattern with glob relative to the
    # package folder, so "*.csv.gz" does not reach into data/.
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    package_data = settings.get("package-data", {})
    patterns = package_data.get("*", []) + package_data.get("tutor.engine", [])
    shipped = {path.resolve() for pattern in patterns for path in ENGINE.glob(pattern)}
    data_files = [path.resolve() for path in (ENGINE / "data").iterdir() if path.is_file()]

    assert ENGINE.joinpath("data", "digits.csv.gz").resolve() in data_files
    missing = [path.name for path in data_files if path not in shipped]
    assert not missing, f"pyproject package-data {patterns} leaves out tutor/engine/data/{missing}"
