"""Training loops: full-batch gradient descent, and mini-batch training with a history.

`Trainer.run()` is a generator that yields one `EpochRecord` per epoch, so a
caller (a notebook, or a worker thread behind a Textual screen) can show
progress while training runs, and `Trainer.stop()` ends it between two
mini-batches. `train()` runs a Trainer to the end and takes an optional
callback per epoch that can return True to stop.

One epoch: shuffle the training columns with the trainer's own seeded
Generator, cut them into mini-batches of `batch_size`, and for each batch run
forward, backward, optional clipping by global norm, and one optimizer step.
After the epoch, evaluate the validation set (if any) and apply early stopping.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Callable, Iterator

import numpy as np

from tutor.engine.network import Network, gradient_arrays
from tutor.engine.optimizers import SGD, Optimizer, clip_by_global_norm

STOP_COMPLETED = "completed"
STOP_EARLY = "early_stopping"
STOP_REQUESTED = "stopped"
STOP_DIVERGED = "diverged"


def train_full_batch(network: Network, X: np.ndarray, Y: np.ndarray, *,
                     learning_rate: float, epochs: int) -> list[float]:
    """Run plain gradient descent on the whole batch; return the loss before each update.

    Updates the network in place: W -= lr * dW, b -= lr * db.
    """
    losses = []
    for _ in range(epochs):
        loss, grads = network.loss_and_gradients(X, Y)
        losses.append(loss)
        for layer, layer_grads in zip(network.layers, grads):
            layer.W -= learning_rate * layer_grads.dW
            layer.b -= learning_rate * layer_grads.db
    return losses


def count_correct(A: np.ndarray, Y: np.ndarray) -> int:
    """Count the columns of A (n_out, m) that predict the class of Y.

    One output unit: the prediction is a >= 0.5 and the class is y >= 0.5.
    Several units: the predicted class is argmax over the column, as is Y's.
    """
    if A.shape[0] == 1:
        return int(np.count_nonzero((A >= 0.5) == (Y >= 0.5)))
    return int(np.count_nonzero(A.argmax(axis=0) == Y.argmax(axis=0)))


def accuracy(A: np.ndarray, Y: np.ndarray) -> float:
    """Return the fraction of the m columns classified right (see count_correct)."""
    return count_correct(A, Y) / A.shape[1]


def evaluate(network: Network, X: np.ndarray, Y: np.ndarray) -> tuple[float, float]:
    """Return (mean loss, accuracy) of the network on a data set (n_features, m)."""
    A = network.predict(X)
    return network.loss.value(A, Y), accuracy(A, Y)


@dataclass
class EpochRecord:
    """The measurements of one epoch; `as_dict()` returns the same fields as plain values.

    epoch            1 for the first epoch
    train_loss       mean loss over the epoch's mini-batches, each measured before
                     its update, weighted by batch size
    train_accuracy   fraction of training examples classified right, measured the
                     same way (see count_correct)
    val_loss         mean loss on the validation set after the epoch, or None
    val_accuracy     accuracy on the validation set after the epoch, or None
    grad_norms       one float per layer, first layer first: the Frobenius norm
                     ||dW|| averaged over the epoch's mini-batches, before clipping
    global_grad_norm sqrt of the sum of every squared dW and db entry, averaged
                     over the mini-batches, before clipping
    learning_rate    the learning rate used during the epoch
    clipped_batches  how many mini-batches had their gradient clipped
    """

    epoch: int
    train_loss: float
    train_accuracy: float
    val_loss: float | None
    val_accuracy: float | None
    grad_norms: list[float]
    global_grad_norm: float
    learning_rate: float
    clipped_batches: int

    def as_dict(self) -> dict:
        """Return the record as a dict of floats, ints, None and a list of floats."""
        return asdict(self)


@dataclass
class TrainingHistory:
    """Every epoch record of a run, why it ended, and the best validation epoch."""

    records: list[EpochRecord] = field(default_factory=list)
    stop_reason: str = STOP_COMPLETED
    best_epoch: int | None = None
    best_val_loss: float | None = None
    restored_best: bool = False

    def series(self, name: str) -> list:
        """Return one field over the epochs, such as series("train_loss")."""
        return [getattr(record, name) for record in self.records]

    def grad_norm_matrix(self) -> np.ndarray:
        """Return the gradient norms as an (epochs, layers) array, for a gradient-flow chart."""
        return np.array([record.grad_norms for record in self.records], dtype=float)


class Trainer:
    """Mini-batch training of one network on one data set, one epoch per `run()` step.

    X (n_features, m) and Y (n_out, m) are the training set; `validation` is an
    optional (X_val, Y_val) pair. `batch_size=None` means full-batch. `seed`
    drives the shuffling only; the weights come from the network as given.
    Early stopping needs a validation set: after `patience` epochs in a row in
    which val_loss does not drop below best - min_delta, training stops and,
    with restore_best, the weights of the best epoch are copied back.
    """

    def __init__(
        self,
        network: Network,
        X: np.ndarray,
        Y: np.ndarray,
        *,
        epochs: int,
        batch_size: int | None = None,
        optimizer: Optimizer | None = None,
        validation: tuple[np.ndarray, np.ndarray] | None = None,
        seed: int = 0,
        shuffle: bool = True,
        patience: int | None = None,
        min_delta: float = 0.0,
        restore_best: bool = True,
        max_grad_norm: float | None = None,
        schedule: Callable[[int], float] | None = None,
    ) -> None:
        X = np.asarray(X, dtype=float)
        Y = np.asarray(Y, dtype=float)
        if X.ndim != 2 or Y.ndim != 2 or X.shape[1] != Y.shape[1] or X.shape[1] == 0:
            raise ValueError(
                "X and Y must be 2-D with one column per example and at least one example; "
                f"got X {X.shape} and Y {Y.shape}"
            )
        if epochs < 0:
            raise ValueError(f"epochs must be 0 or more, got {epochs}")
        if batch_size is not None and batch_size < 1:
            raise ValueError(f"batch_size must be at least 1 or None, got {batch_size}")
        if patience is not None and validation is None:
            raise ValueError("early stopping (patience) needs a validation set")
        if max_grad_norm is not None and max_grad_norm <= 0:
            raise ValueError(f"max_grad_norm must be positive, got {max_grad_norm}")

        self.network = network
        self.X, self.Y = X, Y
        self.epochs = epochs
        self.batch_size = X.shape[1] if batch_size is None else batch_size
        self.optimizer = optimizer if optimizer is not None else SGD(0.1)
        self.validation = None
        if validation is not None:
            self.validation = (np.asarray(validation[0], dtype=float),
                               np.asarray(validation[1], dtype=float))
        self.rng = np.random.default_rng(seed)
        self.shuffle = shuffle
        self.patience = patience
        self.min_delta = min_delta
        self.restore_best = restore_best
        self.max_grad_norm = max_grad_norm
        self.schedule = schedule
        self.history = TrainingHistory()
        self._stop_requested = False
        self._best_weights: list[np.ndarray] | None = None

    def stop(self) -> None:
        """Ask the run to end before its next mini-batch; safe to call from another thread."""
        self._stop_requested = True

    def run(self) -> Iterator[EpochRecord]:
        """Train epoch by epoch, yielding each EpochRecord as soon as the epoch ends.

        A stop request ends the run before the next mini-batch; the updates of
        that partial epoch stay in the network and get no record. Call run()
        once per Trainer: a second call trains further but numbers its epochs
        from 1 again in the same history.
        """
        params = self.network.parameters()
        epochs_without_improvement = 0
        for epoch in range(self.epochs):
            if self.schedule is not None:
                self.optimizer.learning_rate = self.schedule(epoch)
            record = self._run_epoch(epoch + 1, params)
            if record is None:
                self.history.stop_reason = STOP_REQUESTED
                return
            self.history.records.append(record)

            if not math.isfinite(record.train_loss):
                self.history.stop_reason = STOP_DIVERGED
                yield record
                return

            if record.val_loss is not None:
                if self._improved(record.val_loss):
                    self.history.best_epoch = record.epoch
                    self.history.best_val_loss = record.val_loss
                    epochs_without_improvement = 0
                    if self.patience is not None and self.restore_best:
                        self._best_weights = [p.copy() for p in params]
                else:
                    epochs_without_improvement += 1

            yield record

            if self.patience is not None and epochs_without_improvement >= self.patience:
                self.history.stop_reason = STOP_EARLY
                self._restore_best_weights(params)
                return
            if self._stop_requested:
                self.history.stop_reason = STOP_REQUESTED
                return
        self.history.stop_reason = STOP_COMPLETED

    def _improved(self, val_loss: float) -> bool:
        best = self.history.best_val_loss
        return best is None or val_loss < best - self.min_delta

    def _restore_best_weights(self, params: list[np.ndarray]) -> None:
        if self._best_weights is None:
            return
        for param, best in zip(params, self._best_weights):
            param[...] = best
        self.history.restored_best = True

    def _run_epoch(self, number: int, params: list[np.ndarray]) -> EpochRecord | None:
        """Run one epoch of mini-batches; return None when a stop request cut it short."""
        network, X, Y = self.network, self.X, self.Y
        m = X.shape[1]
        if self.shuffle:
            order = self.rng.permutation(m)
            X, Y = X[:, order], Y[:, order]

        n_layers = len(network.layers)
        norm_sums = [0.0] * n_layers
        global_norm_sum = 0.0
        loss_sum = 0.0
        correct = 0
        batches = 0
        clipped = 0
        with np.errstate(over="ignore", invalid="ignore"):
            for start in range(0, m, self.batch_size):
                if self._stop_requested:
                    return None
                Xb = X[:, start:start + self.batch_size]
                Yb = Y[:, start:start + self.batch_size]
                A, caches = network.forward(Xb)
                grads = network.backward(caches, Yb)
                loss_sum += network.loss.value(A, Yb) * Xb.shape[1]
                correct += count_correct(A, Yb)

                total_square = 0.0
                for i, layer_grads in enumerate(grads):
                    dW = layer_grads.dW.ravel()
                    db = layer_grads.db.ravel()
                    square_W = float(np.dot(dW, dW))
                    norm_sums[i] += math.sqrt(square_W)
                    total_square += square_W + float(np.dot(db, db))
                global_norm = math.sqrt(total_square)
                global_norm_sum += global_norm

                arrays = gradient_arrays(grads)
                if self.max_grad_norm is not None and global_norm > self.max_grad_norm:
                    clip_by_global_norm(arrays, self.max_grad_norm)
                    clipped += 1
                self.optimizer.step(params, arrays)
                batches += 1

            val_loss = val_accuracy = None
            if self.validation is not None:
                val_loss, val_accuracy = evaluate(network, *self.validation)

        return EpochRecord(
            epoch=number,
            train_loss=loss_sum / m,
            train_accuracy=correct / m,
            val_loss=val_loss,
            val_accuracy=val_accuracy,
            grad_norms=[total / batches for total in norm_sums],
            global_grad_norm=global_norm_sum / batches,
            learning_rate=float(self.optimizer.learning_rate),
            clipped_batches=clipped,
        )


def train(
    network: Network,
    X: np.ndarray,
    Y: np.ndarray,
    *,
    epochs: int,
    on_epoch: Callable[[EpochRecord], bool | None] | None = None,
    **options,
) -> TrainingHistory:
    """Train to the end and return the history; on_epoch(record) returning True stops early.

    `options` are the keyword arguments of Trainer (batch_size, optimizer,
    validation, seed, shuffle, patience, min_delta, restore_best,
    max_grad_norm, schedule).
    """
    trainer = Trainer(network, X, Y, epochs=epochs, **options)
    for record in trainer.run():
        if on_epoch is not None and on_epoch(record):
            trainer.stop()
    return trainer.history
