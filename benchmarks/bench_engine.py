"""Benchmark the NumPy engine against a tight hand-written NumPy loop and PyTorch (CPU).

Run from the repository root:

    python benchmarks/bench_engine.py [--repeats 7]

Everything runs in this one process. Each case is timed `--repeats` times and
the median is reported, with the ratio engine / baseline (below 1 means the
engine is faster). PyTorch is optional: without it the torch columns
show "n/a". The cases:

- xor: a 2-2-1 sigmoid network, MSE, 5000 full-batch epochs of gradient
  descent, recording the loss of every epoch.
- digits: 64-32-10 ReLU + softmax with cross-entropy on the 1437 training
  digits, mini-batches of 32, 20 epochs of SGD, with the engine's per-epoch
  history (mean loss and accuracy, per-layer ||dW||, validation loss and
  accuracy on the 360 test digits). The tight loop computes the same history;
  a second, bare tight loop records only the mean loss, to show what the
  history costs.
- gradcheck: central differences for every parameter of a 64-32-16-10
  ReLU + softmax network (2778 entries) on 16 digits.

Targets: engine within 1.5x of the tight loop on xor and digits, at least 4x
faster than PyTorch on both, and the gradient check under 0.3 s.

OpenBLAS threads matter here. With its default of one thread per CPU, a
single 360-column validation product per epoch made the whole digits loop
several times slower on a busy 2-CPU machine, for the engine and the tight
loop alike. The app runs OpenBLAS on one thread (tutor/cli.py sets
OPENBLAS_NUM_THREADS=1), so this script does too unless the variable is
already set; compare with `OPENBLAS_NUM_THREADS=2 python benchmarks/bench_engine.py`.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the app does, before NumPy loads

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tutor.engine import datasets  # noqa: E402
from tutor.engine.gradcheck import check_gradients  # noqa: E402
from tutor.engine.network import build_network  # noqa: E402
from tutor.engine.optimizers import SGD  # noqa: E402
from tutor.engine.training import train, train_full_batch  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

XOR_EPOCHS = 5000
XOR_LEARNING_RATE = 2.0
DIGITS_EPOCHS = 20
DIGITS_BATCH = 32
DIGITS_LEARNING_RATE = 0.1
SEED = 0


def median_seconds(runs: dict, repeats: int) -> tuple[dict, dict]:
    """Time every callable in `runs` once to warm up, then `repeats` rounds.

    Each round runs every callable once, in turn, so a change in machine load
    during the benchmark hits all of them alike. Returns the median time and
    the last result of each.
    """
    results = {name: run() for name, run in runs.items()}
    times: dict = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            results[name] = run()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}, results


# ---------------------------------------------------------------- xor

def xor_engine():
    X, Y = datasets.xor()
    network = build_network([2, 2, 1], "sigmoid", "mse", seed=SEED)
    return train_full_batch(network, X, Y, learning_rate=XOR_LEARNING_RATE, epochs=XOR_EPOCHS)


def xor_tight():
    X, Y = datasets.xor()
    start = build_network([2, 2, 1], "sigmoid", "mse", seed=SEED)
    W1, b1 = start.layers[0].W.copy(), start.layers[0].b.copy()
    W2, b2 = start.layers[1].W.copy(), start.layers[1].b.copy()
    m = X.shape[1]
    lr = XOR_LEARNING_RATE
    losses = []
    for _ in range(XOR_EPOCHS):
        a1 = 1.0 / (1.0 + np.exp(-(W1 @ X + b1)))
        a2 = 1.0 / (1.0 + np.exp(-(W2 @ a1 + b2)))
        diff = a2 - Y
        losses.append(float(np.sum(diff * diff)) / (2 * m))
        dZ2 = diff * a2 * (1.0 - a2)
        dZ1 = (W2.T @ dZ2) * a1 * (1.0 - a1)
        W2 -= lr * (dZ2 @ a1.T) / m
        b2 -= lr * dZ2.sum(axis=1, keepdims=True) / m
        W1 -= lr * (dZ1 @ X.T) / m
        b1 -= lr * dZ1.sum(axis=1, keepdims=True) / m
    return losses


def xor_torch():
    X, Y = datasets.xor()
    start = build_network([2, 2, 1], "sigmoid", "mse", seed=SEED)
    params = [torch.tensor(p, requires_grad=True) for p in start.parameters()]
    W1, b1, W2, b2 = params
    Xt, Yt = torch.tensor(X), torch.tensor(Y)
    optimizer = torch.optim.SGD(params, lr=XOR_LEARNING_RATE)
    m = X.shape[1]
    losses = []
    for _ in range(XOR_EPOCHS):
        optimizer.zero_grad()
        a2 = torch.sigmoid(W2 @ torch.sigmoid(W1 @ Xt + b1) + b2)
        loss = ((a2 - Yt) ** 2).sum() / (2 * m)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


# ---------------------------------------------------------------- digits

def digits_data():
    X, Y = datasets.digits()
    return datasets.train_test_split(X, Y, 0.2, seed=SEED)


def digits_engine(data):
    X_train, Y_train, X_test, Y_test = data
    network = build_network([64, 32, 10], ["relu", "softmax"], "cross_entropy", seed=SEED, init="he")
    history = train(network, X_train, Y_train, epochs=DIGITS_EPOCHS, batch_size=DIGITS_BATCH,
                    optimizer=SGD(DIGITS_LEARNING_RATE), validation=(X_test, Y_test), seed=SEED)
    return history.records[-1].val_accuracy


def _digits_start():
    start = build_network([64, 32, 10], ["relu", "softmax"], "cross_entropy", seed=SEED, init="he")
    return [p.copy() for p in start.parameters()]


def digits_tight(data, history: bool = True):
    X_train, Y_train, X_test, Y_test = data
    W1, b1, W2, b2 = _digits_start()
    rng = np.random.default_rng(SEED)
    m = X_train.shape[1]
    lr = DIGITS_LEARNING_RATE
    records = []
    for _ in range(DIGITS_EPOCHS):
        order = rng.permutation(m)
        X, Y = X_train[:, order], Y_train[:, order]
        loss_sum = 0.0
        correct = 0
        norm_sums = [0.0, 0.0]
        for start in range(0, m, DIGITS_BATCH):
            Xb = X[:, start:start + DIGITS_BATCH]
            Yb = Y[:, start:start + DIGITS_BATCH]
            n = Xb.shape[1]
            z1 = W1 @ Xb + b1
            a1 = np.maximum(z1, 0.0)
            z2 = W2 @ a1 + b2
            e = np.exp(z2 - z2.max(axis=0, keepdims=True))
            p = e / e.sum(axis=0, keepdims=True)
            loss_sum -= float(np.sum(Yb * np.log(np.maximum(p, 1e-12))))
            dZ2 = p - Yb
            dW2 = dZ2 @ a1.T / n
            db2 = dZ2.sum(axis=1, keepdims=True) / n
            dZ1 = (W2.T @ dZ2) * (z1 > 0)
            dW1 = dZ1 @ Xb.T / n
            db1 = dZ1.sum(axis=1, keepdims=True) / n
            if history:
                correct += int(np.count_nonzero(p.argmax(axis=0) == Yb.argmax(axis=0)))
                norm_sums[0] += math.sqrt(float(np.dot(dW1.ravel(), dW1.ravel())))
                norm_sums[1] += math.sqrt(float(np.dot(dW2.ravel(), dW2.ravel())))
            W1 -= lr * dW1
            b1 -= lr * db1
            W2 -= lr * dW2
            b2 -= lr * db2
        record = {"train_loss": loss_sum / m}
        if history:
            e = np.exp(W2 @ np.maximum(W1 @ X_test + b1, 0.0) + b2)
            p = e / e.sum(axis=0, keepdims=True)
            record.update(
                train_accuracy=correct / m,
                val_loss=-float(np.sum(Y_test * np.log(np.maximum(p, 1e-12)))) / X_test.shape[1],
                val_accuracy=float(np.mean(p.argmax(axis=0) == Y_test.argmax(axis=0))),
                grad_norms=[s / math.ceil(m / DIGITS_BATCH) for s in norm_sums],
            )
        records.append(record)
    return records[-1].get("val_accuracy")


def digits_torch(data):
    X_train, Y_train, X_test, Y_test = data
    params = [torch.tensor(p, requires_grad=True) for p in _digits_start()]
    W1, b1, W2, b2 = params
    Xt, labels = torch.tensor(X_train.T.copy()), torch.tensor(Y_train.argmax(axis=0))
    Xv, labels_v = torch.tensor(X_test.T.copy()), torch.tensor(Y_test.argmax(axis=0))
    optimizer = torch.optim.SGD(params, lr=DIGITS_LEARNING_RATE)
    generator = torch.Generator().manual_seed(SEED)
    m = Xt.shape[0]
    for _ in range(DIGITS_EPOCHS):
        order = torch.randperm(m, generator=generator)
        loss_sum, correct, norm_sums = 0.0, 0, [0.0, 0.0]
        for start in range(0, m, DIGITS_BATCH):
            index = order[start:start + DIGITS_BATCH]
            xb, yb = Xt[index], labels[index]
            optimizer.zero_grad()
            logits = torch.relu(xb @ W1.T + b1.T) @ W2.T + b2.T
            loss = torch.nn.functional.cross_entropy(logits, yb)
            loss.backward()
            loss_sum += loss.item() * len(index)
            correct += int((logits.argmax(dim=1) == yb).sum())
            norm_sums[0] += float(W1.grad.norm())
            norm_sums[1] += float(W2.grad.norm())
            optimizer.step()
        with torch.no_grad():
            logits = torch.relu(Xv @ W1.T + b1.T) @ W2.T + b2.T
            val_loss = float(torch.nn.functional.cross_entropy(logits, labels_v))
            val_accuracy = float((logits.argmax(dim=1) == labels_v).double().mean())
    del val_loss
    return val_accuracy


# ---------------------------------------------------------------- gradient check

def gradcheck_setup():
    X, Y = datasets.digits()
    network = build_network([64, 32, 16, 10], ["relu", "relu", "softmax"], "cross_entropy",
                            seed=SEED, init="he")
    return network, X[:, :16], Y[:, :16]


def gradcheck_engine(setup):
    network, X, Y = setup
    return check_gradients(network, X, Y).max_relative_error


def gradcheck_tight(setup):
    network, X, Y = setup
    params = [p.copy() for p in network.parameters()]
    eps = 1e-5
    m = X.shape[1]

    def loss():
        W1, b1, W2, b2, W3, b3 = params
        a = np.maximum(W1 @ X + b1, 0.0)
        a = np.maximum(W2 @ a + b2, 0.0)
        z = W3 @ a + b3
        e = np.exp(z - z.max(axis=0, keepdims=True))
        p = e / e.sum(axis=0, keepdims=True)
        return -float(np.sum(Y * np.log(np.maximum(p, 1e-12)))) / m

    numerical = []
    for theta in params:
        grad = np.zeros_like(theta)
        flat, grad_flat = theta.reshape(-1), grad.reshape(-1)
        for i in range(flat.size):
            original = flat[i]
            flat[i] = original + eps
            plus = loss()
            flat[i] = original - eps
            minus = loss()
            flat[i] = original
            grad_flat[i] = (plus - minus) / (2 * eps)
        numerical.append(grad)
    return numerical


def gradcheck_torch(setup):
    network, X, Y = setup
    params = tuple(torch.tensor(p, requires_grad=True) for p in network.parameters())
    Xt, labels = torch.tensor(X.T.copy()), torch.tensor(Y.argmax(axis=0))

    def loss(W1, b1, W2, b2, W3, b3):
        a = torch.relu(Xt @ W1.T + b1.T)
        a = torch.relu(a @ W2.T + b2.T)
        return torch.nn.functional.cross_entropy(a @ W3.T + b3.T, labels)

    return torch.autograd.gradcheck(loss, params, eps=1e-5, atol=1e-6, rtol=1e-4)


# ---------------------------------------------------------------- report

def ratio(engine: float, baseline: float | None) -> str:
    return "-" if baseline is None else f"{engine / baseline:.2f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed runs per case (median)")
    args = parser.parse_args()

    print(f"python {platform.python_version()}, numpy {np.__version__}, "
          f"torch {torch.__version__ if torch else 'not installed'}, {os.cpu_count()} CPUs")
    print(f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}, "
          f"OPENBLAS_L2_SIZE={os.environ.get('OPENBLAS_L2_SIZE', '(unset)')}")
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        print("BLAS threads: unknown (threadpoolctl not installed)")
    else:
        for pool in threadpool_info():
            print(f"{pool['internal_api']} {pool['version']} ({pool.get('architecture')}): "
                  f"{pool['num_threads']} threads")
    if torch is not None:
        torch.set_default_dtype(torch.float64)
        # One intra-op thread is PyTorch's fastest setting for matrices this
        # small, and it keeps its threads from competing with OpenBLAS's.
        torch.set_num_threads(1)
        print(f"torch threads: {torch.get_num_threads()} (float64 tensors, like the engine)")
    print(f"median of {args.repeats} interleaved runs after one warm-up run\n")

    data = digits_data()
    setup = gradcheck_setup()
    cases = [
        ("xor 2-2-1, 5000 epochs", xor_engine, xor_tight, xor_torch, None),
        ("digits 64-32-10, 20 epochs", lambda: digits_engine(data), lambda: digits_tight(data),
         lambda: digits_torch(data), lambda: digits_tight(data, history=False)),
        ("gradcheck 64-32-16-10", lambda: gradcheck_engine(setup), lambda: gradcheck_tight(setup),
         lambda: gradcheck_torch(setup), None),
    ]
    header = f"{'case':30} {'engine':>9} {'tight':>9} {'ratio':>7} {'torch':>9} {'torch/engine':>13}"
    print(header)
    print("-" * len(header))
    for name, engine, tight, torch_run, bare in cases:
        runs = {"engine": engine, "tight": tight}
        if bare is not None:
            runs["bare"] = bare
        if torch is not None:
            runs["torch"] = torch_run
        times, results = median_seconds(runs, args.repeats)
        engine_time, tight_time = times["engine"], times["tight"]
        torch_time = times.get("torch")
        torch_text = "n/a" if torch_time is None else f"{torch_time:8.3f}s"
        speedup = "-" if torch_time is None else f"{torch_time / engine_time:.1f}x"
        print(f"{name:30} {engine_time:8.3f}s {tight_time:8.3f}s {ratio(engine_time, tight_time):>7} "
              f"{torch_text:>9} {speedup:>13}")
        if bare is not None:
            print(f"{'  bare tight loop (loss only)':30} {'':9} {times['bare']:8.3f}s "
                  f"{ratio(engine_time, times['bare']):>7}")
        if name.startswith("digits"):
            print(f"{'  engine test accuracy':30} {results['engine']:9.3f}")
        if name.startswith("gradcheck"):
            print(f"{'  engine max relative error':30} {results['engine']:9.1e}")

if __name__ == "__main__":
    main()
