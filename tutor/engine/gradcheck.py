"""Numerical gradient checking by central differences.

The numerical estimate of dL/dtheta is (L(theta + eps) - L(theta - eps)) / (2 eps),
one parameter entry at a time. Agreement is measured by the relative error
||a - n|| / (||a|| + ||n||), which is scale-free. Thresholds for float64
parameters and eps = 1e-5:
    below 1e-7   "ok": the analytical gradient is right
    1e-7 .. 1e-4 "suspicious": check again unless a ReLU kink was crossed
    above 1e-4   "wrong": almost certainly a bug in backward
Why these numbers: the truncation error of central differences is about
eps^2 times the third derivative of L (about 1e-10), and the rounding error
is about 1e-16 * |L| / eps (about 1e-11). Both stay far below 1e-7 for smooth
losses of moderate size. A planted bug such as a missing activation
derivative or a wrong sign gives errors of 1e-2 and more.

The check is unreliable, and the report lists why in `warnings`, when
  - a parameter is stored in float32 (about 7 significant digits): theta + eps
    itself is rounded, and L(theta + eps) - L(theta - eps) loses most digits;
  - a ReLU or leaky ReLU unit has z within the perturbation of its kink, so
    L is not differentiable there and the two-sided difference straddles the
    kink. Every entry whose perturbation flipped a unit's side of the kink is
    flagged in the per-entry report (`crossed_kink`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from tutor.engine.network import Network

DEFAULT_EPSILON = 1e-5
RELATIVE_ERROR_OK = 1e-7
RELATIVE_ERROR_BUG = 1e-4

STATUS_OK = "ok"
STATUS_SUSPICIOUS = "suspicious"
STATUS_WRONG = "wrong"


def relative_error(analytical, numerical) -> float:
    """Return ||a - n|| / (||a|| + ||n||), and 0.0 when both are zero."""
    analytical = np.asarray(analytical, dtype=float)
    numerical = np.asarray(numerical, dtype=float)
    denominator = np.linalg.norm(analytical) + np.linalg.norm(numerical)
    if denominator == 0.0:
        return 0.0
    return float(np.linalg.norm(analytical - numerical) / denominator)


def classify(error: float) -> str:
    """Map a relative error to "ok", "suspicious" or "wrong" by the documented thresholds."""
    if not np.isfinite(error) or error > RELATIVE_ERROR_BUG:
        return STATUS_WRONG
    if error > RELATIVE_ERROR_OK:
        return STATUS_SUSPICIOUS
    return STATUS_OK


def numerical_gradient(f, theta: np.ndarray, eps: float = DEFAULT_EPSILON) -> np.ndarray:
    """Estimate df/dtheta entry by entry; f() reads theta, which is perturbed in place and restored."""
    grad = np.zeros_like(theta, dtype=float)
    iterator = np.nditer(theta, flags=["multi_index"])
    for _ in iterator:
        index = iterator.multi_index
        original = theta[index]
        theta[index] = original + eps
        plus = f()
        theta[index] = original - eps
        minus = f()
        theta[index] = original
        grad[index] = (plus - minus) / (2 * eps)
    return grad


@dataclass(frozen=True)
class EntryError:
    """One entry of a parameter's gradient: both estimates and how far apart they are."""

    index: tuple[int, ...]
    analytical: float
    numerical: float
    absolute_error: float
    relative_error: float
    crossed_kink: bool = False


@dataclass
class ParameterCheck:
    """The check of one parameter array, such as W1.

    `worst` lists the entries with the largest |analytical - numerical|, worst
    first; `kink_crossings` counts the entries whose perturbation moved some
    ReLU unit across its kink.
    """

    name: str
    analytical: np.ndarray
    numerical: np.ndarray
    relative_error: float
    worst: list[EntryError] = field(default_factory=list)
    status: str = STATUS_OK
    kink_crossings: int = 0


@dataclass
class GradientCheckReport:
    """The checks of the chosen parameters, with the reasons the result may be unreliable."""

    checks: list[ParameterCheck]
    eps: float
    warnings: list[str] = field(default_factory=list)

    @property
    def reliable(self) -> bool:
        return not self.warnings

    @property
    def max_relative_error(self) -> float:
        return max((check.relative_error for check in self.checks), default=0.0)

    @property
    def passed(self) -> bool:
        """True when every checked parameter is "ok"."""
        return all(check.status == STATUS_OK for check in self.checks)

    def find(self, name: str) -> ParameterCheck:
        """Return the check of a parameter by name, such as "W2"."""
        for check in self.checks:
            if check.name == name:
                return check
        raise KeyError(f"parameter {name!r} was not checked")

    def lines(self) -> list[str]:
        """Render the report as plain text lines: one per parameter, its worst entries, warnings."""
        out = []
        for check in self.checks:
            out.append(f"{check.name}: relative error {check.relative_error:.2e} ({check.status})")
            for entry in check.worst:
                place = ",".join(str(i) for i in entry.index)
                kink = "  crossed a ReLU kink" if entry.crossed_kink else ""
                out.append(
                    f"  {check.name}[{place}]: analytical {entry.analytical:.6e}, "
                    f"numerical {entry.numerical:.6e}, difference {entry.absolute_error:.2e}{kink}"
                )
        out.extend(f"warning: {warning}" for warning in self.warnings)
        return out


def _worst_entries(
    analytical: np.ndarray, numerical: np.ndarray, crossed: np.ndarray, count: int
) -> list[EntryError]:
    difference = np.abs(analytical - numerical)
    flat_order = np.argsort(difference, axis=None, kind="stable")[::-1][:count]
    entries = []
    for flat in flat_order:
        index = tuple(int(i) for i in np.unravel_index(flat, analytical.shape))
        a, n = float(analytical[index]), float(numerical[index])
        denominator = abs(a) + abs(n)
        entries.append(EntryError(
            index, a, n, float(difference[index]),
            float(difference[index] / denominator) if denominator > 0 else 0.0,
            bool(crossed[index]),
        ))
    return entries


class _PartialForward:
    """Evaluate the loss from one layer up, reusing the fixed input of that layer.

    It also reports whether any kinked unit (ReLU, leaky ReLU) lies on a
    different side of its kink than in the unperturbed pass.
    """

    def __init__(self, network: Network, X: np.ndarray, Y: np.ndarray) -> None:
        self.network = network
        self.Y = Y
        self.inputs: list[np.ndarray] = []
        self.masks: list[np.ndarray | None] = []
        self.kink_distances: list[float | None] = []  # min |z| of kinked layers, else None
        a = X
        for layer in network.layers:
            self.inputs.append(a)
            z = layer.W @ a + layer.b
            if layer.activation.has_kink:
                self.masks.append(z > 0)
                self.kink_distances.append(float(np.min(np.abs(z))))
            else:
                self.masks.append(None)
                self.kink_distances.append(None)
            a = layer.activation.forward(z)

    def loss_from(self, first: int) -> tuple[float, bool]:
        """Return L and whether a kink was crossed, recomputing layers first, first + 1, ..."""
        a = self.inputs[first]
        crossed = False
        for layer, mask in zip(self.network.layers[first:], self.masks[first:]):
            z = layer.W @ a + layer.b
            if mask is not None and not crossed:
                crossed = not np.array_equal(z > 0, mask)
            a = layer.activation.forward(z)
        return self.network.loss.value(a, self.Y), crossed


def _check_parameter(
    forward: _PartialForward, layer_index: int, theta: np.ndarray, eps: float
) -> tuple[np.ndarray, np.ndarray]:
    """Central differences for every entry of theta; return (numerical, crossed_kink)."""
    numerical = np.zeros(theta.shape, dtype=float)
    crossed = np.zeros(theta.shape, dtype=bool)
    view = theta.reshape(-1) if theta.flags.c_contiguous else None
    for flat in range(theta.size):
        index = np.unravel_index(flat, theta.shape) if view is None else None
        original = view[flat] if view is not None else theta[index]
        _set(theta, view, flat, index, original + eps)
        plus, crossed_plus = forward.loss_from(layer_index)
        _set(theta, view, flat, index, original - eps)
        minus, crossed_minus = forward.loss_from(layer_index)
        _set(theta, view, flat, index, original)
        numerical.flat[flat] = (plus - minus) / (2 * eps)
        crossed.flat[flat] = crossed_plus or crossed_minus
    return numerical, crossed


def _set(theta: np.ndarray, view: np.ndarray | None, flat: int, index, value) -> None:
    if view is not None:
        view[flat] = value
    else:
        theta[index] = value


def _reliability_warnings(
    network: Network, forward: _PartialForward, eps: float, names: list[str]
) -> list[str]:
    warnings = []
    for number, layer in enumerate(network.layers, start=1):
        for name, array in ((f"W{number}", layer.W), (f"b{number}", layer.b)):
            if name in names and array.dtype.itemsize < 8:
                warnings.append(
                    f"{name} is {array.dtype}: theta + eps is rounded to about 7 digits, so "
                    f"central differences with eps={eps:g} are unreliable; check in float64"
                )
    # A perturbation of eps moves z by up to eps * max|a_prev| directly; a unit
    # closer than that to its kink can cross it.
    for number, (layer, a_prev, distance) in enumerate(
        zip(network.layers, forward.inputs, forward.kink_distances), start=1
    ):
        if distance is None:
            continue
        reach = eps * max(1.0, float(np.max(np.abs(a_prev))) if a_prev.size else 1.0)
        if distance <= reach:
            warnings.append(
                f"layer {number} ({layer.activation.name}) has a z within {distance:.1e} of the "
                f"kink at 0, inside the perturbation reach {reach:.1e}: the numerical gradient "
                "there is not a derivative, so entries that cross the kink may disagree"
            )
    if not 1e-8 <= eps <= 1e-3:
        warnings.append(
            f"eps={eps:g} is outside 1e-8..1e-3: a smaller eps loses digits to rounding, "
            "a larger one to truncation"
        )
    return warnings


def check_gradients(
    network: Network,
    X: np.ndarray,
    Y: np.ndarray,
    *,
    eps: float = DEFAULT_EPSILON,
    parameters: Sequence[str] | None = None,
    worst: int = 5,
) -> GradientCheckReport:
    """Compare backward with central differences for the chosen parameters (default: all).

    `parameters` names arrays such as ["W1", "b2"]; `worst` is how many entries
    per parameter the report lists, largest |analytical - numerical| first.
    The network is left exactly as it was.
    """
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    all_names = network.parameter_names()
    names = list(all_names) if parameters is None else list(parameters)
    unknown = [name for name in names if name not in all_names]
    if unknown:
        raise ValueError(f"unknown parameters {unknown}; this network has {all_names}")

    _, grads = network.loss_and_gradients(X, Y)
    forward = _PartialForward(network, X, Y)
    checks = []
    kink_total = 0
    for layer_index, (layer, layer_grads) in enumerate(zip(network.layers, grads)):
        number = layer_index + 1
        for name, theta, analytical in (
            (f"W{number}", layer.W, layer_grads.dW),
            (f"b{number}", layer.b, layer_grads.db),
        ):
            if name not in names:
                continue
            numerical, crossed = _check_parameter(forward, layer_index, theta, eps)
            error = relative_error(analytical, numerical)
            crossings = int(np.count_nonzero(crossed))
            kink_total += crossings
            checks.append(ParameterCheck(
                name, analytical.copy(), numerical, error,
                worst=_worst_entries(analytical, numerical, crossed, worst),
                status=classify(error),
                kink_crossings=crossings,
            ))
    checks.sort(key=lambda check: names.index(check.name))

    warnings = _reliability_warnings(network, forward, eps, names)
    if kink_total:
        warnings.append(
            f"{kink_total} perturbed entries moved a ReLU unit across its kink; their "
            "numerical gradients are unreliable (marked crossed_kink in the report)"
        )
    return GradientCheckReport(checks, eps, warnings)


def check_network_gradients(
    network: Network, X: np.ndarray, Y: np.ndarray, eps: float = DEFAULT_EPSILON
) -> list[ParameterCheck]:
    """Compare backward with central differences for every W and b of the network."""
    return check_gradients(network, X, Y, eps=eps).checks
