"""Run a learner's code in a separate, limited process and report what happened in plain words.

The app never executes learner code itself. `Runner.run` hands the code and
the calls to make to a child Python (`sandbox_worker.py`, started with
`python -I` in an empty temporary folder, without the progress store's
environment variable) and collects the return values. The child gets limits:

    CPU time     RLIMIT_CPU, the child is killed by SIGXCPU when it is used up
    wall time    the parent kills the child's process group at the deadline
    memory       RLIMIT_AS, so an allocation fails with MemoryError
    output       the first `output_chars` characters are kept, the rest counted
    files        RLIMIT_FSIZE on files the code writes in its folder

A warm worker makes a check fast: the next child is started as soon as the
previous one is taken, so it has already imported NumPy when the next check
arrives. Each child runs one job and exits.

NOTE: this isolates the app from crashes, hangs and memory blow-ups, not from
hostile code. The child runs as the same user and could still open files by
their path, the progress file included, or use the network.
"""

from __future__ import annotations

import json
import logging
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

WORKER_SCRIPT = Path(__file__).with_name("sandbox_worker.py")
STORE_VARIABLES = ("BACKPROP_TUTOR_DATA",)
MAX_RESULT_BYTES = 64 * 1024 * 1024
EXIT_GRACE_SECONDS = 0.5
POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Limits:
    """Resource limits of one run of learner code."""

    wall_seconds: float = 5.0
    cpu_seconds: int = 5
    memory_bytes: int = 1024 * 1024 * 1024
    output_chars: int = 20_000
    file_bytes: int = 16 * 1024 * 1024

    def to_job(self) -> dict:
        return {
            "cpu_seconds": self.cpu_seconds,
            "memory_bytes": self.memory_bytes,
            "output_chars": self.output_chars,
            "file_bytes": self.file_bytes,
        }


@dataclass(frozen=True)
class Call:
    """One call of a learner's function: its name and positional arguments (see `encode_value`)."""

    function: str
    args: tuple


@dataclass(frozen=True)
class FunctionArgument:
    """A function built inside the child and passed to the learner's code, such as f in a gradient check."""

    kind: str
    spec: dict


@dataclass(frozen=True)
class Unsupported:
    """A return value that cannot cross the process boundary, described by its type and repr."""

    type_name: str
    text: str


@dataclass
class RunResult:
    """What happened to one run.

    `status` is one of: ok, syntax-error, exception, missing-function, timeout,
    memory, crashed. `values` contains the decoded return value of each call
    that finished. `changed` has one dict per value: for each argument the
    call changed in place, its position mapped to its value after the call.
    `failed_call` is the index of the call that raised, or None when the
    file's top-level code raised.
    """

    status: str
    values: list[Any] = field(default_factory=list)
    changed: list[dict[int, Any]] = field(default_factory=list)
    output: str = ""
    output_total: int = 0
    error: dict | None = None
    failed_call: int | None = None
    missing_function: str | None = None
    message: str = ""
    seconds: float = 0.0

    @property
    def output_cut(self) -> bool:
        return self.output_total > len(self.output)

    def output_note(self) -> str:
        """Return a note that the output was cut, or an empty string when it was not."""
        if not self.output_cut:
            return ""
        return (f"[output cut: showing the first {len(self.output):,} "
                f"of {self.output_total:,} characters]")


# Values sent to and received from the child.

def encode_value(value: Any) -> Any:
    """Turn arguments into the JSON the child decodes: arrays, numbers, strings, lists, dicts."""
    if isinstance(value, FunctionArgument):
        return {"__function__": value.kind, "spec": encode_value(value.spec)}
    if isinstance(value, np.ndarray):
        return {"__ndarray__": list(value.shape), "data": value.astype(float).ravel().tolist()}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(key): encode_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode_value(item) for item in value]
    return value


def decode_value(value: Any) -> Any:
    """Turn a value the child sent back into arrays, tuples, lists, dicts or `Unsupported`."""
    if isinstance(value, dict):
        if "__ndarray__" in value:
            return np.array(value["data"], dtype=float).reshape(value["__ndarray__"])
        if "__sequence__" in value:
            items = [decode_value(item) for item in value["__sequence__"]]
            return tuple(items) if value.get("type") == "tuple" else items
        if "__mapping__" in value:
            return {key: decode_value(item) for key, item in value["__mapping__"].items()}
        if "__unsupported__" in value:
            return Unsupported(str(value["__unsupported__"]), str(value.get("repr", "")))
    return value


# The child process.

def child_environment() -> dict[str, str]:
    """Return a small environment for the child: no store path, one BLAS thread, a temporary HOME."""
    keep = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "SYSTEMROOT")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = "1"
    for name in STORE_VARIABLES:
        env.pop(name, None)
    return env


class _Worker:
    """One started child process and its temporary working folder."""

    def __init__(self, python: str):
        self.folder = Path(tempfile.mkdtemp(prefix="backprop-tutor-run-"))
        env = child_environment()
        env["HOME"] = str(self.folder)
        env["TMPDIR"] = str(self.folder)
        self.process = subprocess.Popen(
            [python, "-I", str(WORKER_SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=self.folder,
            env=env,
            start_new_session=True,
            close_fds=True,
        )

    def wait_exit(self, timeout: float) -> bool:
        """Wait for the child to exit without reaping it, so its process group can still be killed."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                exited = os.waitid(os.P_PID, self.process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except ChildProcessError:
                return True
            if exited is not None or time.monotonic() >= deadline:
                return exited is not None
            time.sleep(0.005)

    def kill(self) -> None:
        """Kill the child and anything it started in its process group, then reap the child."""
        if self.process.returncode is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self.process.kill()
        self.process.wait()

    def cleanup(self) -> None:
        self.kill()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass
class _Collected:
    result: bytes = b""
    raw_output: bytes = b""
    raw_total: int = 0
    timed_out: bool = False


def _collect(worker: _Worker, deadline: float, raw_limit: int) -> _Collected:
    """Read the result and the raw output until the result is complete, the child has exited
    and gone quiet, or the deadline passes."""
    collected = _Collected()
    result_parts: list[bytes] = []
    result_size = 0
    selector = selectors.DefaultSelector()
    selector.register(worker.process.stdout, selectors.EVENT_READ, "result")
    selector.register(worker.process.stderr, selectors.EVENT_READ, "raw")
    open_streams = 2
    child_exited = False

    while open_streams:
        if result_parts and result_parts[-1].endswith(b"\n"):
            break
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            collected.timed_out = True
            break
        events = selector.select(timeout=min(remaining, POLL_SECONDS))
        if not events:
            # A process the code started may hold the pipes open after the child has exited.
            if child_exited:
                break
            child_exited = worker.wait_exit(0.0)
        for key, _ in events:
            chunk = os.read(key.fileobj.fileno(), 65536)
            if not chunk:
                selector.unregister(key.fileobj)
                open_streams -= 1
            elif key.data == "result":
                result_size += len(chunk)
                if result_size <= MAX_RESULT_BYTES:
                    result_parts.append(chunk)
            else:
                collected.raw_total += len(chunk)
                room = raw_limit - len(collected.raw_output)
                if room > 0:
                    collected.raw_output += chunk[:room]

    selector.close()
    collected.result = b"".join(result_parts)
    return collected


class Runner:
    """Runs learner code in child processes, keeping one warm child ready when `warm` is true.

    Safe to call from several threads; each call gets its own child.
    """

    def __init__(self, limits: Limits | None = None, *, warm: bool = True, python: str | None = None):
        self.limits = limits or Limits()
        self.warm = warm
        self.python = python or sys.executable
        self._lock = threading.Lock()
        self._ready: _Worker | None = None
        self._closed = False

    def prestart(self) -> None:
        """Start a child now, so the next run finds NumPy already imported."""
        with self._lock:
            if self._ready is None and not self._closed:
                self._ready = _Worker(self.python)

    def _take_worker(self) -> _Worker:
        with self._lock:
            worker, self._ready = self._ready, None
        if worker is None or worker.wait_exit(0.0):
            if worker is not None:
                worker.cleanup()
            worker = _Worker(self.python)
        if self.warm:
            self.prestart()
        return worker

    def close(self) -> None:
        """Stop the warm child, if any."""
        with self._lock:
            self._closed = True
            worker, self._ready = self._ready, None
        if worker is not None:
            worker.cleanup()

    def __enter__(self) -> "Runner":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def run(self, code: str, filename: str, calls: list[Call], limits: Limits | None = None) -> RunResult:
        """Run `code`, then each call in order until one raises.

        Whatever the code does comes back as a RunResult. Only a failure to
        start the child (OSError) is raised.
        """
        limits = limits or self.limits
        job = {
            "code": code,
            "filename": filename,
            "calls": [{"function": call.function, "args": encode_value(list(call.args))}
                      for call in calls],
            "limits": limits.to_job(),
        }
        worker = self._take_worker()
        started = time.monotonic()
        try:
            try:
                worker.process.stdin.write(json.dumps(job).encode() + b"\n")
                worker.process.stdin.close()
            except BrokenPipeError:
                pass
            collected = _collect(worker, started + limits.wall_seconds, limits.output_chars * 4)
            # With a result in hand the child is killed at once; without one, its exit status explains why.
            if not collected.timed_out and not collected.result.endswith(b"\n"):
                worker.wait_exit(EXIT_GRACE_SECONDS)
        finally:
            worker.cleanup()

        result = _interpret(collected, worker.process.returncode, limits)
        result.seconds = time.monotonic() - started
        return result


def _interpret(collected: _Collected, returncode: int | None, limits: Limits) -> RunResult:
    raw_text = collected.raw_output.decode("utf-8", errors="replace")
    if collected.timed_out:
        return RunResult("timeout", output=raw_text, output_total=collected.raw_total,
                         message=timeout_message(limits.wall_seconds))

    try:
        payload = json.loads(collected.result.decode("utf-8")) if collected.result else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        payload = None
    if not isinstance(payload, dict):
        return _without_result(raw_text, collected.raw_total, returncode, limits)

    output = str(payload.get("output", "")) + raw_text
    total = int(payload.get("output_total", 0)) + collected.raw_total
    result = RunResult(
        status=str(payload.get("status", "crashed")),
        values=[decode_value(outcome.get("value")) for outcome in payload.get("outcomes", [])],
        changed=[{int(position): decode_value(value)
                  for position, value in (outcome.get("changed") or {}).items()}
                 for outcome in payload.get("outcomes", [])],
        output=output[: limits.output_chars],
        output_total=max(total, len(output[: limits.output_chars])),
        error=payload.get("error"),
        failed_call=payload.get("call"),
        missing_function=payload.get("function"),
    )
    result.message = describe(result, limits)
    if result.status == "crashed" and payload.get("message"):
        result.message = f"The check could not finish: {payload['message']}."
    return result


def _without_result(raw_text: str, raw_total: int, returncode: int | None, limits: Limits) -> RunResult:
    """Explain a child that ended without sending a result."""
    if returncode is not None and returncode < 0:
        signal_number = -returncode
        if signal_number in (signal.SIGXCPU, signal.SIGKILL):
            return RunResult("timeout", output=raw_text, output_total=raw_total,
                             message=timeout_message(limits.cpu_seconds, cpu=True))
        if signal_number == signal.SIGXFSZ:
            return RunResult("crashed", output=raw_text, output_total=raw_total,
                             message=f"Stopped: the code wrote a file larger than "
                                     f"{limits.file_bytes // (1024 * 1024)} MB.")
    if "MemoryError" in raw_text or "Cannot allocate memory" in raw_text:
        return RunResult("memory", output=raw_text, output_total=raw_total,
                         message=memory_message(limits))

    how = _exit_description(returncode)
    return RunResult("crashed", output=raw_text, output_total=raw_total,
                     message=f"Your code stopped the Python process ({how}) before the check "
                             f"could finish. Calls such as os._exit() or sys.exit() at the top "
                             f"of the file do this.")


def _exit_description(returncode: int | None) -> str:
    if returncode is None:
        return "it did not exit"
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit status {returncode}"


# Messages in plain words.

def timeout_message(seconds: float, cpu: bool = False) -> str:
    kind = " of CPU time" if cpu else ""
    return (f"Timed out after {seconds:g} s{kind}. "
            f"Look for a loop that never ends or work that grows too fast.")


def memory_message(limits: Limits) -> str:
    megabytes = limits.memory_bytes // (1024 * 1024)
    return (f"Ran out of memory: the code tried to use more than {megabytes} MB. "
            f"Look for an array or list that grows without bound.")


def format_frames(frames: list[dict]) -> str:
    lines = []
    for frame in frames:
        lines.append(f"  line {frame['line']}, in {frame['function']}")
        if frame.get("text"):
            lines.append(f"    {frame['text']}")
    return "\n".join(lines)


def describe(result: RunResult, limits: Limits) -> str:
    """Return the plain-words message for a result that is not ok (an empty string when ok)."""
    if result.status == "ok":
        return ""
    if result.status == "memory":
        return memory_message(limits)
    if result.status == "missing-function":
        return (f"Your code defines no function named {result.missing_function}. "
                f"Keep the name and the arguments of the starter code.")
    if result.status == "syntax-error":
        return syntax_error_message(result.error or {})
    if result.status == "exception":
        return exception_message(result.error or {}, at_top_level=result.failed_call is None)
    return "The check could not finish."


def syntax_error_message(error: dict) -> str:
    line, column = error.get("line"), error.get("column")
    if line is None:
        return f"Your code could not be compiled: {error.get('message')}."
    lines = [f"Syntax error on line {line}, column {column}: {error.get('message')}."]
    text = error.get("text") or ""
    if text.strip():
        stripped = text.lstrip()
        indent = len(text) - len(stripped)
        lines.append(f"    {stripped}")
        if column:
            lines.append("    " + " " * max(column - 1 - indent, 0) + "^")
    return "\n".join(lines)


def exception_message(error: dict, at_top_level: bool = False) -> str:
    where = "while the file loaded" if at_top_level else "in your function"
    headline = f"{error.get('type')}: {error.get('message')}".rstrip(": ")
    frames = error.get("frames") or []
    if not frames:
        return (f"Calling your function failed: {headline}\n"
                f"Check that it takes the arguments the starter code shows.")
    return f"Your code raised {headline} {where}:\n{format_frames(frames)}"
