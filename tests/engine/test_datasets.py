"""Data sets: shapes, seeded generators, the shipped digits, and splits."""

import numpy as np
import pytest

from tutor.engine import datasets


@pytest.mark.parametrize("make", [datasets.two_moons, datasets.circles])
def test_binary_generators_shape_and_balance(make):
    X, Y = make(101, seed=0)

    assert X.shape == (2, 101)
    assert Y.shape == (1, 101)
    assert set(np.unique(Y)) == {0.0, 1.0}
    assert int(Y.sum()) == 51


@pytest.mark.parametrize("make", [datasets.two_moons, datasets.circles, datasets.spirals])
def test_generators_repeat_with_seed(make):
    first = make(seed=5)
    second = make(seed=5)
    other = make(seed=6)

    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    assert not np.array_equal(first[0], other[0])


def test_generators_shuffle_classes():
    _, Y = datasets.two_moons(200, seed=0)

    assert 0 < Y[0, :20].sum() < 20


def test_circles_radii_without_noise():
    X, Y = datasets.circles(40, noise=0.0, factor=0.3, seed=0)
    radius = np.linalg.norm(X, axis=0)

    np.testing.assert_allclose(radius[Y[0] == 0], 1.0)
    np.testing.assert_allclose(radius[Y[0] == 1], 0.3)


def test_circles_rejects_bad_factor():
    with pytest.raises(ValueError, match="factor"):
        datasets.circles(factor=1.5)


def test_spirals_one_hot():
    X, Y = datasets.spirals(50, n_classes=4, seed=0)

    assert X.shape == (2, 200)
    assert Y.shape == (4, 200)
    np.testing.assert_array_equal(Y.sum(axis=0), 1.0)
    np.testing.assert_array_equal(Y.sum(axis=1), 50.0)
    assert np.max(np.linalg.norm(X, axis=0)) <= 1.0 + 1e-12


def test_xor_truth_table():
    X, Y = datasets.xor()

    assert X.T.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert Y.tolist() == [[0, 1, 1, 0]]


def test_digits_shipped_with_package():
    X, Y = datasets.digits()

    assert X.shape == (64, 1797)
    assert Y.shape == (10, 1797)
    assert X.min() == 0.0
    assert X.max() == 1.0
    np.testing.assert_array_equal(Y.sum(axis=0), 1.0)
    # The UCI test part has 178 zeros and 182 ones, per its description.
    assert Y.sum(axis=1)[0] == 178
    assert Y.sum(axis=1)[1] == 182


def test_digits_images_match_columns():
    images, labels = datasets.digits_images()
    X, Y = datasets.digits()

    assert images.shape == (1797, 8, 8)
    np.testing.assert_array_equal(images[5].ravel() / 16.0, X[:, 5])
    assert labels[5] == Y[:, 5].argmax()
    assert labels[:10].tolist() == list(range(10))


def test_digits_return_fresh_arrays():
    X, _ = datasets.digits()
    X[:] = -1.0

    assert datasets.digits()[0].min() == 0.0


def test_split_dataset_sizes_and_disjoint():
    X = np.arange(20, dtype=float).reshape(1, 20)
    Y = X.copy()

    parts = datasets.split_dataset(X, Y, (0.5, 0.3, 0.2), seed=0)

    assert [part[0].shape[1] for part in parts] == [10, 6, 4]
    values = np.concatenate([part[0].ravel() for part in parts])
    assert sorted(values.tolist()) == list(range(20))
    for part_X, part_Y in parts:
        np.testing.assert_array_equal(part_X, part_Y)


def test_split_dataset_rejects_bad_fractions():
    X = np.zeros((1, 10))

    with pytest.raises(ValueError, match="sum to 1"):
        datasets.split_dataset(X, X, (0.5, 0.4), seed=0)


def test_train_test_split_is_fixed_by_seed():
    X, Y = datasets.digits()

    first = datasets.train_test_split(X, Y, 0.2, seed=0)
    second = datasets.train_test_split(X, Y, 0.2, seed=0)

    assert first[0].shape == (64, 1437)
    assert first[2].shape == (64, 360)
    np.testing.assert_array_equal(first[2], second[2])


def test_one_hot_and_labels_round_trip():
    labels = np.array([2, 0, 1, 2])

    Y = datasets.one_hot(labels, 3)

    assert Y.shape == (3, 4)
    np.testing.assert_array_equal(datasets.labels_of(Y), labels)
    with pytest.raises(ValueError, match="labels"):
        datasets.one_hot(np.array([3]), 3)


def test_labels_of_single_row_thresholds():
    np.testing.assert_array_equal(datasets.labels_of(np.array([[0.2, 0.5, 0.9]])), [0, 1, 1])
