"""The code runner with real child processes: results, limits and plain-words errors."""

import os
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from tutor.checking.runner import Call, FunctionArgument, Limits, Runner

FAST = Limits(wall_seconds=3.0, cpu_seconds=3)


@pytest.fixture
def runner():
    with Runner(FAST) as runner:
        yield runner


def run(runner, code, calls=(), limits=None):
    return runner.run(textwrap.dedent(code), "learner.py", list(calls), limits)


def test_run_returns_arrays_and_nested_values(runner):
    code = """
        import numpy as np
        def f(x):
            return x * 2, {"sum": x.sum(), "list": [1, 2.5]}
    """
    result = run(runner, code, [Call("f", (np.arange(6.0).reshape(2, 3),))])

    assert result.status == "ok"
    doubled, extras = result.values[0]
    np.testing.assert_array_equal(doubled, np.arange(6.0).reshape(2, 3) * 2)
    assert extras["sum"] == 15.0
    assert extras["list"] == [1, 2.5]


def test_run_keeps_float_bits_and_nan(runner):
    x = np.array([[0.1 + 0.2, 1e-300, np.nan, np.inf]])
    result = run(runner, "def f(x):\n    return x\n", [Call("f", (x,))])

    np.testing.assert_array_equal(result.values[0], x)


def test_run_stops_at_first_raising_call(runner):
    code = """
        def f(n):
            return 10 / n
    """
    result = run(runner, code, [Call("f", (5,)), Call("f", (0,)), Call("f", (1,))])

    assert result.status == "exception"
    assert result.values == [2.0]
    assert result.failed_call == 1


def test_exception_trimmed_to_learner_lines(runner):
    code = """
        import numpy as np

        def helper(a):
            return a @ a

        def f(x):
            y = x + 1
            return helper(y)
    """
    result = run(runner, code, [Call("f", (np.ones((2, 3)),))])

    assert result.status == "exception"
    assert result.error["type"] == "ValueError"
    assert [frame["line"] for frame in result.error["frames"]] == [9, 5]
    assert "line 9, in f" in result.message
    assert "return a @ a" in result.message
    assert "sandbox_worker" not in result.message
    assert "numpy" not in result.message.split("ValueError")[0]


def test_exception_at_top_level_of_file(runner):
    result = run(runner, "x = 1\nundefined_name + 1\n", [Call("f", ())])

    assert result.status == "exception"
    assert result.failed_call is None
    assert "NameError" in result.message
    assert "line 2" in result.message
    assert "while the file loaded" in result.message


def test_syntax_error_names_line_and_column(runner):
    code = "def f(x):\n    return x\n\ndef g(x)\n    return x\n"
    result = run(runner, code, [Call("f", (1,))])

    assert result.status == "syntax-error"
    assert result.error["line"] == 4
    assert result.error["column"] == 9
    assert result.message.startswith("Syntax error on line 4, column 9")
    assert "def g(x)" in result.message


def test_missing_function_is_named(runner):
    result = run(runner, "def other(x):\n    return x\n", [Call("backward", (1,))])

    assert result.status == "missing-function"
    assert "no function named backward" in result.message


def test_infinite_loop_times_out(runner):
    limits = Limits(wall_seconds=1.0, cpu_seconds=10)
    result = run(runner, "while True:\n    pass\n", limits=limits)

    assert result.status == "timeout"
    assert result.message.startswith("Timed out after 1 s")
    assert result.seconds < 3.0


def test_cpu_limit_stops_busy_code(runner):
    limits = Limits(wall_seconds=10.0, cpu_seconds=1)
    result = run(runner, "while True:\n    pass\n", limits=limits)

    assert result.status == "timeout"
    assert "CPU time" in result.message
    assert result.seconds < 5.0


def test_sleeping_code_times_out(runner):
    limits = Limits(wall_seconds=1.0, cpu_seconds=5)
    result = run(runner, "import time\ntime.sleep(30)\n", limits=limits)

    assert result.status == "timeout"


def test_huge_array_runs_out_of_memory(runner):
    code = """
        import numpy as np
        def f():
            return np.ones((60000, 60000)).sum()
    """
    result = run(runner, code, [Call("f", ())])

    assert result.status == "memory"
    assert result.message.startswith("Ran out of memory")
    assert "1024 MB" in result.message


def test_growing_list_runs_out_of_memory(runner):
    limits = Limits(wall_seconds=20.0, cpu_seconds=20, memory_bytes=300 * 1024 * 1024)
    code = """
        chunks = []
        while True:
            chunks.append(bytearray(10 * 1024 * 1024))
    """
    result = run(runner, code, limits=limits)

    assert result.status == "memory"
    assert "300 MB" in result.message


def test_giant_output_is_cut_with_note(runner):
    code = """
        for i in range(200000):
            print("line", i)
        def f():
            return 1
    """
    result = run(runner, code, [Call("f", ())])

    assert result.status == "ok"
    assert len(result.output) == FAST.output_chars
    assert result.output.startswith("line 0\nline 1\n")
    assert result.output_cut
    assert "output cut: showing the first 20,000 of" in result.output_note()


def test_raw_fd_writes_are_capped(runner):
    code = """
        import os
        for _ in range(2000):
            os.write(1, b"x" * 1000)
        def f():
            return 1
    """
    result = run(runner, code, [Call("f", ())])

    assert result.status == "ok"
    assert result.values == [1]
    assert len(result.output) <= FAST.output_chars
    assert result.output_cut


def test_short_output_is_kept_whole(runner):
    result = run(runner, "print('hello')\ndef f():\n    return 0\n", [Call("f", ())])

    assert result.output == "hello\n"
    assert not result.output_cut
    assert result.output_note() == ""


def test_exit_call_reports_crash(runner):
    result = run(runner, "import os\nos._exit(3)\n", [Call("f", ())])

    assert result.status == "crashed"
    assert "exit status 3" in result.message


def test_sys_exit_in_function_is_an_exception(runner):
    result = run(runner, "import sys\ndef f():\n    sys.exit(4)\n", [Call("f", ())])

    assert result.status == "exception"
    assert result.error["type"] == "SystemExit"


def test_child_has_no_store_path_and_own_folder(runner, monkeypatch, tmp_path):
    monkeypatch.setenv("BACKPROP_TUTOR_DATA", str(tmp_path))
    code = """
        import os
        def f():
            return [os.environ.get("BACKPROP_TUTOR_DATA", "unset"), os.getcwd(), os.environ["HOME"]]
    """
    result = run(runner, code, [Call("f", ())])

    store_variable, folder, home = result.values[0]
    assert store_variable == "unset"
    assert folder != os.getcwd()
    assert "backprop-tutor-run-" in folder
    assert home == folder
    assert not os.path.exists(folder)


def test_child_cannot_import_tutor(runner):
    code = """
        def f():
            try:
                import tutor.engine
            except ImportError:
                return "blocked"
            return "imported"
    """
    result = run(runner, code, [Call("f", ())])

    assert result.values == ["blocked"]


def test_child_blocks_tutor_even_on_path(runner):
    # From the source tree the child cannot find `tutor` anyway; putting the
    # project folder on sys.path is what an installed package does.
    project = str(Path(__file__).resolve().parents[2])
    code = f"""
        import sys
        sys.path.insert(0, {project!r})

        def f():
            try:
                import tutor.engine
            except ImportError as error:
                return str(error)
            return "imported"
    """
    result = run(runner, code, [Call("f", ())])

    assert result.values == ["the tutor's own modules are not available to exercise code"]


def test_each_run_gets_fresh_process(runner):
    code = "import os\ndef f():\n    return os.getpid()\n"
    first = run(runner, code, [Call("f", ())])
    second = run(runner, code, [Call("f", ())])

    assert first.values[0] != second.values[0]


def test_close_stops_warm_worker():
    runner = Runner(FAST)
    runner.prestart()
    process = runner._ready.process

    runner.close()

    assert process.poll() is not None


def test_function_argument_is_built_in_child(runner):
    spec = {"coefficients": np.array([1.0, 0.0, 0.0])}
    code = "def f(g, x):\n    return g(x)\n"
    result = run(runner, code, [Call("f", (FunctionArgument("polynomial", spec), np.array([2.0])))])

    assert result.values == [8.0]


def test_unsupported_return_is_described(runner):
    result = run(runner, "def f():\n    return object()\n", [Call("f", ())])

    assert result.status == "ok"
    assert result.values[0].type_name == "object"


def process_gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def test_processes_started_by_code_are_killed(runner):
    code = """
        import subprocess
        def f():
            return subprocess.Popen(["sleep", "30"]).pid
    """
    result = run(runner, code, [Call("f", ())])
    pid = result.values[0]

    for _ in range(100):
        if process_gone(pid):
            break
        time.sleep(0.02)
    assert process_gone(pid)


def test_processes_of_exited_child_are_killed(runner):
    code = """
        import os, subprocess
        pid = subprocess.Popen(["sleep", "30"]).pid
        os.write(1, f"pid={pid}\\n".encode())
        os._exit(0)
    """
    result = run(runner, code, [Call("f", ())])
    pid = int(result.output.split("pid=")[1].split()[0])

    for _ in range(100):
        if process_gone(pid):
            break
        time.sleep(0.02)
    assert result.status == "crashed"
    assert process_gone(pid)


def test_patched_json_does_not_lose_result(runner):
    code = "import json\njson.dumps = None\ndef f():\n    return 7\n"
    result = run(runner, code, [Call("f", ())])

    assert result.status == "ok"
    assert result.values == [7]


def test_run_reports_arguments_changed_in_place(runner):
    code = """
        def f(x, params, untouched):
            x[0, 1] = 7.0
            params["W"] += 1.0
            return 0.0
    """
    args = (np.zeros((2, 2)), {"W": np.ones((1, 2)), "b": np.zeros((1, 1))}, np.ones(3))
    result = run(runner, code, [Call("f", args)])

    assert result.status == "ok"
    assert sorted(result.changed[0]) == [0, 1]
    assert result.changed[0][0][0, 1] == 7.0
    np.testing.assert_array_equal(result.changed[0][1]["W"], np.full((1, 2), 2.0))


def test_run_reports_no_change_for_rebinding(runner):
    code = """
        def f(x):
            x = x + 1.0
            return x
    """
    result = run(runner, code, [Call("f", (np.zeros(3),))])

    assert result.changed == [{}]
