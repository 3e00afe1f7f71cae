"""The final project network: 64-32-10 ReLU + softmax on the fixed digits split."""

import numpy as np

from tutor.engine.digits_classifier import digits_split, train_digits_classifier


def test_digits_split_is_fixed():
    first = digits_split()
    second = digits_split()

    assert first.train[0].shape == (64, 1293)
    assert first.validation[0].shape == (64, 144)
    assert first.test[0].shape == (64, 360)
    np.testing.assert_array_equal(first.test[0], second.test[0])


def test_digits_classifier_reaches_95_percent():
    result = train_digits_classifier(seed=0)

    assert result.network.sizes == [64, 32, 10]
    assert result.test_accuracy >= 0.95
    assert result.history.records[-1].train_accuracy >= 0.95


def test_digits_classifier_reports_each_epoch():
    epochs = []

    result = train_digits_classifier(seed=1, epochs=3, patience=None,
                                     on_epoch=lambda record: epochs.append(record.epoch))

    assert epochs == [1, 2, 3]
    assert len(result.history.records) == 3
