"""The training loop: reproducibility, early stopping, clipping, stopping, and the history record."""

import threading

import numpy as np
import pytest

from tutor.engine import datasets
from tutor.engine.network import build_network
from tutor.engine.optimizers import SGD, Adam, Momentum, StepDecay, global_norm
from tutor.engine.training import (
    STOP_COMPLETED,
    STOP_DIVERGED,
    STOP_EARLY,
    STOP_REQUESTED,
    Trainer,
    accuracy,
    evaluate,
    train,
    train_full_batch,
)


def moons_setup(seed=0):
    X, Y = datasets.two_moons(200, noise=0.15, seed=1)
    (X_train, Y_train), (X_val, Y_val) = datasets.split_dataset(X, Y, (0.75, 0.25), seed=2)
    network = build_network([2, 8, 1], ["tanh", "sigmoid"], "bce", seed=seed)
    return network, X_train, Y_train, (X_val, Y_val)


class RecordingSGD(SGD):
    """SGD that keeps a copy of every gradient list it receives."""

    def __init__(self, learning_rate):
        super().__init__(learning_rate)
        self.received = []

    def step(self, params, grads):
        self.received.append([g.copy() for g in grads])
        super().step(params, grads)


def test_same_seed_gives_identical_runs():
    runs = []
    for _ in range(2):
        network, X, Y, validation = moons_setup(seed=3)
        history = train(network, X, Y, epochs=5, batch_size=16, optimizer=Momentum(0.1),
                        validation=validation, seed=11)
        runs.append((history, network))

    (first, net_a), (second, net_b) = runs
    assert first.series("train_loss") == second.series("train_loss")
    assert first.series("val_loss") == second.series("val_loss")
    for a, b in zip(net_a.parameters(), net_b.parameters()):
        np.testing.assert_array_equal(a, b)


def test_different_shuffle_seed_changes_the_run():
    network_a, X, Y, _ = moons_setup(seed=3)
    network_b, _, _, _ = moons_setup(seed=3)

    history_a = train(network_a, X, Y, epochs=3, batch_size=16, seed=1)
    history_b = train(network_b, X, Y, epochs=3, batch_size=16, seed=2)

    assert history_a.series("train_loss") != history_b.series("train_loss")


def test_moons_network_learns():
    network, X, Y, validation = moons_setup()

    history = train(network, X, Y, epochs=60, batch_size=16, optimizer=Adam(0.02),
                    validation=validation, seed=0)

    assert history.stop_reason == STOP_COMPLETED
    assert history.records[-1].val_accuracy >= 0.95
    assert history.records[-1].train_loss < history.records[0].train_loss


def test_early_stopping_stops_and_restores_best():
    X, Y = datasets.two_moons(120, noise=0.1, seed=4)
    # Validation labels are the opposite of the truth, so learning the
    # training set makes the validation loss rise.
    validation = (X[:, :40], 1.0 - Y[:, :40])
    network = build_network([2, 8, 1], ["tanh", "sigmoid"], "bce", seed=0)

    history = train(network, X[:, 40:], Y[:, 40:], epochs=100, batch_size=10,
                    optimizer=Adam(0.05), validation=validation, seed=0, patience=3)

    assert history.stop_reason == STOP_EARLY
    assert len(history.records) == history.best_epoch + 3
    best = history.records[history.best_epoch - 1]
    assert best.val_loss == history.best_val_loss
    assert min(history.series("val_loss")) == history.best_val_loss
    assert history.restored_best
    assert evaluate(network, *validation)[0] == pytest.approx(history.best_val_loss, rel=1e-12)


def test_early_stopping_min_delta_requires_real_improvement():
    network, X, Y, validation = moons_setup()

    history = train(network, X, Y, epochs=50, batch_size=16, optimizer=SGD(0.01),
                    validation=validation, seed=0, patience=2, min_delta=1.0)

    assert history.stop_reason == STOP_EARLY
    assert history.best_epoch == 1
    assert len(history.records) == 3


def test_early_stopping_needs_validation():
    network, X, Y, _ = moons_setup()

    with pytest.raises(ValueError, match="validation"):
        Trainer(network, X, Y, epochs=5, patience=2)


def test_clipping_caps_global_norm_of_every_step():
    network, X, Y, _ = moons_setup()
    for layer in network.layers:
        layer.W *= 8.0  # large weights give large gradients
    optimizer = RecordingSGD(0.01)
    raw = RecordingSGD(0.01)
    twin = network.copy()

    history = train(network, X, Y, epochs=3, batch_size=20, optimizer=optimizer, seed=0,
                    max_grad_norm=0.05)
    train(twin, X, Y, epochs=1, batch_size=20, optimizer=raw, seed=0)

    norms = [global_norm(grads) for grads in optimizer.received]
    assert max(norms) <= 0.05 + 1e-12
    assert sum(record.clipped_batches for record in history.records) == sum(
        1 for norm in norms if norm == pytest.approx(0.05))
    first_raw, first_clipped = raw.received[0], optimizer.received[0]
    scale = 0.05 / global_norm(first_raw)
    for clipped, unclipped in zip(first_clipped, first_raw):
        np.testing.assert_allclose(clipped, unclipped * scale, rtol=1e-12)


def test_clipping_off_by_default():
    network, X, Y, _ = moons_setup()

    history = train(network, X, Y, epochs=2, batch_size=20, seed=0)

    assert all(record.clipped_batches == 0 for record in history.records)


def test_callback_can_stop_training():
    network, X, Y, _ = moons_setup()
    seen = []

    def on_epoch(record):
        seen.append(record.epoch)
        return record.epoch == 3

    history = train(network, X, Y, epochs=20, batch_size=16, seed=0, on_epoch=on_epoch)

    assert seen == [1, 2, 3]
    assert len(history.records) == 3
    assert history.stop_reason == STOP_REQUESTED


def test_generator_yields_each_epoch_as_it_ends():
    network, X, Y, _ = moons_setup()
    trainer = Trainer(network, X, Y, epochs=4, batch_size=32, seed=0)

    epochs_seen = []
    for record in trainer.run():
        epochs_seen.append(record.epoch)
        assert len(trainer.history.records) == record.epoch

    assert epochs_seen == [1, 2, 3, 4]
    assert trainer.history.stop_reason == STOP_COMPLETED


def test_stop_from_another_thread_ends_the_run():
    network, X, Y, _ = moons_setup()
    trainer = Trainer(network, X, Y, epochs=100_000, batch_size=8, seed=0)
    first_epoch_done = threading.Event()
    records = []

    def worker():
        for record in trainer.run():
            records.append(record)
            first_epoch_done.set()

    thread = threading.Thread(target=worker)
    thread.start()
    assert first_epoch_done.wait(timeout=30)
    trainer.stop()
    thread.join(timeout=30)

    assert not thread.is_alive()
    assert trainer.history.stop_reason == STOP_REQUESTED
    assert 1 <= len(records) < 100_000


def test_history_record_fields():
    network = build_network([2, 4, 3, 1], ["relu", "tanh", "sigmoid"], "bce", seed=0)
    X, Y = datasets.circles(100, seed=0)

    history = train(network, X, Y, epochs=3, batch_size=25, validation=(X, Y), seed=0)

    record = history.records[0].as_dict()
    assert set(record) == {"epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy",
                           "grad_norms", "global_grad_norm", "learning_rate", "clipped_batches"}
    assert record["epoch"] == 1
    assert len(record["grad_norms"]) == 3
    assert all(norm > 0 for norm in record["grad_norms"])
    assert 0.0 <= record["train_accuracy"] <= 1.0
    assert history.grad_norm_matrix().shape == (3, 3)


def test_full_batch_record_matches_direct_computation():
    X, Y = datasets.xor()
    network = build_network([2, 2, 1], "sigmoid", "mse", seed=0)
    loss, grads = network.loss_and_gradients(X, Y)
    A = network.predict(X)

    history = train(network, X, Y, epochs=1, optimizer=SGD(1.0), seed=0)

    record = history.records[0]
    assert record.train_loss == pytest.approx(loss, rel=1e-12)
    assert record.train_accuracy == accuracy(A, Y)
    assert record.grad_norms[0] == pytest.approx(np.linalg.norm(grads[0].dW), rel=1e-12)
    assert record.grad_norms[1] == pytest.approx(np.linalg.norm(grads[1].dW), rel=1e-12)
    assert record.global_grad_norm == pytest.approx(
        global_norm([g for lg in grads for g in (lg.dW, lg.db)]), rel=1e-12)
    assert record.val_loss is None


def test_schedule_sets_learning_rate_per_epoch():
    network, X, Y, _ = moons_setup()

    history = train(network, X, Y, epochs=5, batch_size=50, seed=0,
                    optimizer=SGD(1.0), schedule=StepDecay(0.4, drop=0.5, every=2))

    assert history.series("learning_rate") == [0.4, 0.4, 0.2, 0.2, 0.1]


def test_huge_learning_rate_reports_divergence():
    X = np.linspace(-1, 1, 20).reshape(1, -1)
    Y = 3 * X
    network = build_network([1, 4, 1], ["identity", "identity"], "mse", seed=0)

    history = train(network, X, Y, epochs=200, optimizer=SGD(50.0), seed=0)

    assert history.stop_reason == STOP_DIVERGED
    assert not np.isfinite(history.records[-1].train_loss)
    assert len(history.records) < 200


def test_train_full_batch_returns_loss_before_each_update():
    X, Y = datasets.xor()
    network = build_network([2, 2, 1], "sigmoid", "mse", seed=0)
    first = network.compute_loss(X, Y)

    losses = train_full_batch(network, X, Y, learning_rate=0.5, epochs=3)

    assert len(losses) == 3
    assert losses[0] == first
    assert losses[2] < losses[0]


def test_xor_learns_with_trainer():
    X, Y = datasets.xor()
    network = build_network([2, 2, 1], "sigmoid", "mse", seed=0)

    history = train(network, X, Y, epochs=3000, optimizer=SGD(5.0), seed=0)

    assert history.records[-1].train_accuracy == 1.0
    assert history.records[-1].train_loss < 0.01


@pytest.mark.parametrize("bad", [dict(epochs=-1), dict(epochs=1, batch_size=0),
                                 dict(epochs=1, max_grad_norm=0.0)])
def test_trainer_rejects_bad_settings(bad):
    network, X, Y, _ = moons_setup()

    with pytest.raises(ValueError):
        Trainer(network, X, Y, **bad)


def test_trainer_rejects_mismatched_examples():
    network, X, Y, _ = moons_setup()

    with pytest.raises(ValueError, match="one column per example"):
        Trainer(network, X, Y[:, :-1], epochs=1)


def test_trainer_rejects_empty_data():
    network, X, Y, _ = moons_setup()

    with pytest.raises(ValueError, match="at least one example"):
        Trainer(network, X[:, :0], Y[:, :0], epochs=1)
