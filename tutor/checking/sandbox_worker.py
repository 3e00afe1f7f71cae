"""The child process that runs a learner's code; started by tutor.checking.runner.

The runner starts it as a script (`python -I sandbox_worker.py`). The
checker also imports `build_function` from it, so both sides evaluate the
same test functions. As a script it imports NumPy first, then waits for one job on stdin, so a check only pays
for the learner's code. It imports nothing from `tutor`: the learner's code
gets NumPy and the standard library, not the engine that computes the
expected values.

Protocol, one job per process:
    stdin   one JSON object: code, filename, calls [{function, args}], limits
    fd 1    is redirected to fd 2 before the learner's code runs; the result
            goes out once, as one JSON line, on a private duplicate of fd 1
    fd 2    raw output (crashes, C-level writes); the parent caps what it keeps

Arrays cross the pipe as {"__ndarray__": shape, "data": flat list}. JSON keeps
every float exactly (repr round-trips) and NaN and Infinity survive.
"""

import io
import json
import linecache
import math
import os
import resource
import sys
import time
import traceback

import numpy as np

MAX_REPR = 200


class CappedText(io.TextIOBase):
    """A text stream that keeps the first `limit` characters and counts the rest."""

    def __init__(self, limit):
        self.limit = limit
        self.parts = []
        self.kept = 0
        self.total = 0

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        self.total += len(text)
        room = self.limit - self.kept
        if room > 0:
            piece = text[:room]
            self.parts.append(piece)
            self.kept += len(piece)
        return len(text)

    def getvalue(self):
        return "".join(self.parts)


# Values into and out of the learner's functions.

def decode(value):
    if isinstance(value, dict):
        if "__ndarray__" in value:
            return np.array(value["data"], dtype=float).reshape(value["__ndarray__"])
        if "__function__" in value:
            return build_function(value["__function__"], decode(value["spec"]))
        return {key: decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decode(item) for item in value]
    return value


def encode(value, depth=0):
    if depth > 4:
        return {"__unsupported__": "nesting", "repr": "a structure nested too deep"}
    if isinstance(value, np.ndarray):
        return encode_array(value)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return float(value) if abs(int(value)) > 2**53 else int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if value is None or isinstance(value, str):
        return value if not isinstance(value, str) else value[:MAX_REPR]
    if isinstance(value, (list, tuple)):
        return {"__sequence__": [encode(item, depth + 1) for item in value[:64]],
                "length": len(value), "type": type(value).__name__}
    if isinstance(value, dict):
        return {"__mapping__": {str(key): encode(item, depth + 1)
                                for key, item in list(value.items())[:64]}}
    return {"__unsupported__": type(value).__name__, "repr": short_repr(value)}


def encode_array(array):
    if array.dtype.kind not in "biuf":
        return {"__unsupported__": f"ndarray of dtype {array.dtype}", "repr": short_repr(array)}
    if array.size > 1_000_000:
        return {"__unsupported__": f"ndarray of shape {array.shape}",
                "repr": f"an array with {array.size} entries"}
    return {"__ndarray__": list(array.shape), "data": array.astype(float).ravel().tolist()}


def short_repr(value):
    try:
        text = repr(value)
    except Exception:  # the learner's own __repr__ may raise
        text = f"<{type(value).__name__}>"
    return text if len(text) <= MAX_REPR else text[:MAX_REPR] + "..."


# Functions that a job passes to the learner's code, such as f in a gradient check.

def _sigmoid(z):
    # Stable for large |z|: exp is only taken of non-positive numbers.
    out = np.empty_like(z)
    positive = z >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-z[positive]))
    exp_z = np.exp(z[~positive])
    out[~positive] = exp_z / (1.0 + exp_z)
    return out


def _activation(name, z):
    if name == "sigmoid":
        return _sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    return z


def build_function(kind, spec):
    """Build a scalar function of one array from its spec.

    The checker imports this module and calls the same function, so the
    learner's code and the engine's numerical gradient see identical floats.
    """
    if kind == "network-loss":
        weights = [(np.array(W, dtype=float), np.array(b, dtype=float)) for W, b in spec["weights"]]
        activations = spec["activations"]
        X, Y = spec["X"], spec["Y"]
        layer = spec["layer"]
        part = 0 if spec["parameter"] == "W" else 1

        def network_loss(theta):
            a = X
            for number, ((W, b), name) in enumerate(zip(weights, activations)):
                if number == layer:
                    W, b = (theta, b) if part == 0 else (W, theta)
                a = _activation(name, W @ a + b)
            return float(np.sum((a - Y) ** 2) / (2 * X.shape[1]))

        return network_loss
    if kind == "polynomial":
        coefficients = spec["coefficients"]

        def polynomial(x):
            return float(np.sum(coefficients[0] * x ** 3 + coefficients[1] * x ** 2
                                + coefficients[2] * x))

        return polynomial
    raise ValueError(f"unknown function kind {kind!r}")


# Errors, trimmed to the learner's file.

def learner_frames(tb, filename):
    frames = [frame for frame in traceback.extract_tb(tb) if frame.filename == filename]
    return [{"line": frame.lineno, "function": frame.name, "text": (frame.line or "").strip()}
            for frame in frames]


def describe_exception(error, filename):
    return {
        "type": type(error).__name__,
        "message": str(error)[:2000],
        "frames": learner_frames(error.__traceback__, filename),
    }


# Running the job.

def set_limits(limits):
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu_used = math.ceil(used.ru_utime + used.ru_stime)
    cpu = cpu_used + int(limits["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (limits["memory_bytes"], limits["memory_bytes"]))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_bytes"], limits["file_bytes"]))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def snapshot(value):
    """Copy the arrays, lists and dicts of an argument, so a later change in place shows."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return [snapshot(item) for item in value]
    if isinstance(value, dict):
        return {key: snapshot(item) for key, item in value.items()}
    return value


def unchanged(before, after):
    """Return whether `after` still equals its snapshot `before`, NaN equal to NaN."""
    if isinstance(before, np.ndarray):
        return (isinstance(after, np.ndarray) and before.shape == after.shape
                and np.array_equal(before, after, equal_nan=True))
    if isinstance(before, list):
        return (isinstance(after, list) and len(before) == len(after)
                and all(unchanged(b, a) for b, a in zip(before, after)))
    if isinstance(before, dict):
        return (isinstance(after, dict) and before.keys() == after.keys()
                and all(unchanged(before[key], after[key]) for key in before))
    return True


def changed_arguments(args, copies):
    """Return {position: value now} for each argument the learner's function changed in place."""
    changed = {}
    for position, (arg, copy) in enumerate(zip(args, copies)):
        try:
            same = unchanged(copy, arg)
        except Exception:  # the learner may have stored objects whose comparison raises
            same = False
        if not same:
            changed[str(position)] = encode(arg)
    return changed


def run_calls(namespace, calls, filename):
    outcomes = []
    for call in calls:
        function = namespace.get(call["function"])
        if not callable(function):
            return outcomes, {"status": "missing-function", "function": call["function"]}
        args = decode(call["args"])
        copies = [snapshot(arg) for arg in args]
        started = time.perf_counter()
        try:
            value = function(*args)
        except MemoryError:
            return outcomes, {"status": "memory"}
        except RecursionError as error:
            return outcomes, {"status": "exception", "call": len(outcomes),
                              "error": describe_exception(error, filename)}
        except BaseException as error:  # the learner's code may raise anything, SystemExit too
            return outcomes, {"status": "exception", "call": len(outcomes),
                              "error": describe_exception(error, filename)}
        seconds = time.perf_counter() - started
        outcomes.append({"value": encode(value), "seconds": seconds,
                         "changed": changed_arguments(args, copies)})
    return outcomes, {"status": "ok"}


def run_job(job, captured):
    filename = job["filename"]
    source = job["code"]
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    try:
        code = compile(job["code"], filename, "exec")
    except SyntaxError as error:
        return [], {"status": "syntax-error", "error": {
            "type": type(error).__name__, "message": error.msg, "line": error.lineno,
            "column": error.offset, "text": (error.text or "").rstrip("\n"),
        }}
    except (ValueError, MemoryError, RecursionError) as error:
        return [], {"status": "syntax-error", "error": {
            "type": type(error).__name__, "message": str(error), "line": None, "column": None,
            "text": "",
        }}

    namespace = {"__name__": "__learner__", "__file__": filename, "__builtins__": __builtins__}
    try:
        exec(code, namespace)
    except MemoryError:
        return [], {"status": "memory"}
    except BaseException as error:  # top-level code of the learner's file
        return [], {"status": "exception", "call": None,
                    "error": describe_exception(error, filename)}
    return run_calls(namespace, job["calls"], filename)


class BlockTutorImports:
    """A meta path finder that keeps the tutor's own package from the learner's code.

    `python -I` keeps the working folder off sys.path, but an installed tutor
    is still in site-packages, and it holds the engine that computes the
    expected values.
    """

    def find_spec(self, name, path=None, target=None):
        if name == "tutor" or name.startswith("tutor."):
            raise ImportError("the tutor's own modules are not available to exercise code")
        return None


def main():
    sys.meta_path.insert(0, BlockTutorImports())
    # Bind what the result path needs before the learner's code can replace module attributes.
    dumps = json.dumps
    result_stream = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)

    line = sys.stdin.readline()
    if not line:
        return
    job = json.loads(line)
    set_limits(job["limits"])

    captured = CappedText(job["limits"]["output_chars"])
    sys.stdout = sys.stderr = captured
    try:
        outcomes, status = run_job(job, captured)
    except MemoryError:
        outcomes, status = [], {"status": "memory"}
    sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__

    status["outcomes"] = outcomes
    status["output"] = captured.getvalue()
    status["output_total"] = captured.total
    try:
        text = dumps(status)
    except (TypeError, ValueError, MemoryError) as error:
        text = dumps({"status": "crashed", "message": f"could not send the result: {error}",
                           "outcomes": [], "output": "", "output_total": 0})
    result_stream.write(text + "\n")
    result_stream.flush()


if __name__ == "__main__":
    main()
