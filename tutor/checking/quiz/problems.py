"""Problem generation: a seeded, friendly, never degenerate problem for each quiz kind.

`generate_problem(spec, seed)` picks the asked entry from `seed` alone, then
draws numbers from the derived seeds (seed, 0), (seed, 1), ... until a draw is
not degenerate: no saturated or dead unit, no near-zero answer, and no mistake
whose value the tolerance would accept as right. The same seed always gives
the same problem. Keeping the asked entry fixed across redraws keeps hard
entries (deep deltas, which redraw more often) as likely as easy ones; only
after PICK_DRAWS draws is the entry picked anew with each draw.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable, Iterator

import numpy as np

from tutor.checking.answers import Tolerance
from tutor.checking.quiz import draw
from tutor.checking.quiz.mistakes import (
    MISTAKES,
    NO_SLIP,
    Mistake,
    MistakeValue,
    Slip,
    backward_with,
    is_transposable,
    local_derivative,
    mistake_for_loss,
    with_slip,
)
from tutor.checking.quiz.spec import QuizSpec
from tutor.engine.activations import get_activation
from tutor.engine.gradcheck import numerical_gradient, relative_error
from tutor.engine.network import Network

MAX_DRAWS = 2000
# After this many draws the asked entry is picked anew with each draw. Some entries are
# rarely usable, such as a first-layer update of a deep sigmoid network, whose step
# vanishes below the shown decimals in most draws.
PICK_DRAWS = 200
# An asked value must be at least this large, so rounding to the shown decimals keeps two digits.
MIN_ANSWER = 0.005
# A mistake must lie this many tolerance bands from the right value, so that neither
# the mistake value nor its rounding to the shown decimals is accepted as right.
SEPARATION_BANDS = 3.0
# Largest |z| per activation before a unit counts as saturated; ReLU units must have z above
# RELU_MIN_Z (active, away from the kink).
SATURATION_LIMIT = {"sigmoid": 2.5, "tanh": 1.5}
RELU_MIN_Z = 0.1
MIN_OUTPUT_ERROR = 0.05
LOSS_DIGITS = 8


class GenerationError(RuntimeError):
    """No non-degenerate problem was found within MAX_DRAWS draws of a seed."""


@dataclass(frozen=True)
class Target:
    """The asked quantity: `quantity` is one of f', dZ, dW, db, W, numerical, relative-error.

    `layer` counts from 1 and `index` is the NumPy index in that layer's array.
    """

    quantity: str
    layer: int = 0
    index: tuple[int, ...] = ()

    @property
    def label(self) -> str:
        inside = ",".join(str(i) for i in self.index)
        if self.quantity in ("dZ", "dW", "db"):
            return f"{self.quantity}{self.layer}[{inside}]"
        if self.quantity in ("W", "numerical"):
            return f"W{self.layer}[{inside}]"
        return self.quantity

    @property
    def answer_label(self) -> str:
        """Name the asked value in messages: a weight update asks for the new weight, not the old one."""
        if self.quantity == "W":
            return f"new {self.label}"
        if self.quantity == "numerical":
            return f"the estimate of dL/d{self.label}"
        if self.quantity == "relative-error":
            return "the relative error"
        if self.quantity == "f'":
            return "f'(z)"
        return self.label


@dataclass
class QuizProblem:
    """One generated problem: what is shown, the right value and the mistakes' values."""

    spec: QuizSpec
    seed: int
    target: Target
    expected: float
    mistakes: list[MistakeValue]
    tolerance: Tolerance
    network: Network | None = None
    X: np.ndarray | None = None
    Y: np.ndarray | None = None
    # Values shown to the learner besides the network, such as z, eps or the two losses.
    given: dict = field(default_factory=dict)
    # The magnitude that the relative tolerance applies to; None means the right value.
    # A weight update uses its step lr * dW, because the weight itself would swamp the step.
    scale: float | None = None
    # Which derived seed (seed, draw_number) gave the numbers.
    draw_number: int = 0

    @property
    def batch(self) -> int:
        return 1 if self.X is None else self.X.shape[1]

    def band(self) -> float:
        """Return the accepted distance around the right value and around each mistake value."""
        return self.tolerance.band(self.expected if self.scale is None else self.scale)

    def accepts(self, answer: float, value: float) -> bool:
        return abs(answer - value) <= self.band()


def generate_problem(spec: QuizSpec, seed: int) -> QuizProblem:
    """Return the problem of `seed` (a non-negative integer); raise GenerationError if every draw is degenerate."""
    if seed < 0:
        raise ValueError(f"a quiz seed must be a non-negative integer, not {seed}")
    builder = _BUILDERS[spec.kind]
    tolerance = Tolerance.for_digits(spec.digits)
    for draw_number in range(MAX_DRAWS):
        pick = np.random.default_rng(seed if draw_number < PICK_DRAWS else [seed, draw_number, 1])
        rng = np.random.default_rng([seed, draw_number])
        problem = builder(spec, seed, pick, rng, tolerance)
        if problem is not None and not degeneracy_reasons(problem):
            problem.draw_number = draw_number
            return problem
    raise GenerationError(f"no usable {spec.kind} problem in {MAX_DRAWS} draws of seed {seed}")


def degeneracy_reasons(problem: QuizProblem) -> list[str]:
    """Return why a problem is unfit to ask (empty when it is fit)."""
    reasons = []
    if not abs(problem.expected) >= MIN_ANSWER:
        reasons.append(f"the answer {problem.expected:g} is too close to zero")
    for item in problem.mistakes:
        if abs(item.value - problem.expected) <= SEPARATION_BANDS * problem.band():
            reasons.append(f"mistake {item.mistake.key} gives nearly the right value")
        if not np.isfinite(item.value):
            reasons.append(f"mistake {item.mistake.key} gives no finite value")
    if problem.network is not None:
        reasons.extend(unit_problems(problem.network, problem.X, problem.Y))
    return reasons


def unit_problems(network: Network, X: np.ndarray, Y: np.ndarray) -> list[str]:
    """Return saturated or dead units and outputs too close to their targets."""
    reasons = []
    A, caches = network.forward(X)
    for number, (layer, cache) in enumerate(zip(network.layers, caches), start=1):
        name = layer.activation.name
        if name == "relu" and np.any(cache.z < RELU_MIN_Z):
            reasons.append(f"a ReLU unit of layer {number} is inactive or at its kink")
        limit = SATURATION_LIMIT.get(name)
        if limit is not None and np.any(np.abs(cache.z) > limit):
            reasons.append(f"a {name} unit of layer {number} is saturated")
    if np.any(np.abs(A - Y) < MIN_OUTPUT_ERROR):
        reasons.append("an output is already at its target")
    return reasons


# Network-based kinds.

def _network_problem(spec: QuizSpec, seed: int, pick: np.random.Generator, rng: np.random.Generator,
                     tolerance: Tolerance,
                     choose_target: Callable[[QuizSpec, np.random.Generator], Target]) -> QuizProblem | None:
    """Draw a network and examples from `rng` and ask for the entry that `pick` chooses."""
    target = choose_target(spec, pick)
    activations = spec.activations()
    network = draw.draw_network(rng, spec.sizes, activations, spec.loss)
    X, Y = draw.draw_examples(rng, spec.sizes[0], spec.sizes[-1], spec.batch, activations[-1])
    if unit_problems(network, X, Y):
        return None

    problem = QuizProblem(spec, seed, target, 0.0, [], tolerance, network, X, Y,
                          {"learning_rate": spec.learning_rate})
    if target.quantity in ("numerical", "relative-error"):
        return problem
    _, caches = network.forward(X)
    grads = network.backward(caches, Y)
    problem.expected = target_value(network, grads, target, spec.learning_rate)
    if abs(problem.expected) < MIN_ANSWER:
        return None
    if target.quantity == "W":
        # A step below the shown decimals would leave the weight unchanged on screen.
        problem.scale = spec.learning_rate * float(grads[target.layer - 1].dW[target.index])
        if abs(problem.scale) < MIN_ANSWER:
            return None

    # Stop at the first mistake that lands near the right value: the draw is rejected anyway.
    limit = SEPARATION_BANDS * problem.band()
    for item in iter_network_mistakes(problem):
        if abs(item.value - problem.expected) <= limit:
            return None
        problem.mistakes.append(item)
    return problem


def target_value(network: Network, grads, target: Target, learning_rate: float) -> float:
    """Read the asked entry from a list of LayerGrads (the engine's or a slipped one)."""
    layer_grads = grads[target.layer - 1]
    if target.quantity == "dZ":
        return float(layer_grads.dZ[target.index[0], 0])
    if target.quantity == "dW":
        return float(layer_grads.dW[target.index])
    if target.quantity == "db":
        return float(layer_grads.db[target.index[0], 0])
    if target.quantity == "W":
        W = network.layers[target.layer - 1].W
        return float(W[target.index] - learning_rate * layer_grads.dW[target.index])
    raise ValueError(f"no gradient entry for {target.quantity!r}")


def _output_target(spec: QuizSpec, rng: np.random.Generator) -> Target:
    return Target("dZ", spec.layer_count, (int(rng.integers(spec.sizes[-1])),))


def _hidden_target(spec: QuizSpec, rng: np.random.Generator) -> Target:
    layer = int(rng.integers(1, spec.layer_count))
    return Target("dZ", layer, (int(rng.integers(spec.sizes[layer])),))


def _weight_target(quantity: str) -> Callable[[QuizSpec, np.random.Generator], Target]:
    def choose(spec: QuizSpec, rng: np.random.Generator) -> Target:
        layer = int(rng.integers(1, spec.layer_count + 1))
        j = int(rng.integers(spec.sizes[layer]))
        k = int(rng.integers(spec.sizes[layer - 1]))
        return Target(quantity, layer, (j, k))
    return choose


def _bias_target(spec: QuizSpec, rng: np.random.Generator) -> Target:
    layer = int(rng.integers(1, spec.layer_count + 1))
    return Target("db", layer, (int(rng.integers(spec.sizes[layer])),))


def network_mistakes(problem: QuizProblem) -> list[MistakeValue]:
    """Return the value of every mistake that applies to a network-based problem."""
    return list(iter_network_mistakes(problem))


def iter_network_mistakes(problem: QuizProblem) -> Iterator[MistakeValue]:
    """Yield the value of every mistake that applies, the cheap ones (no backward pass) first."""
    network, X, Y, target = problem.network, problem.X, problem.Y, problem.target
    lr = problem.spec.learning_rate

    def item(key: str, value: float) -> MistakeValue:
        return MistakeValue(_mistake_at(key, target, problem.spec.loss), float(value))

    if target.quantity in ("dW", "W"):
        yield from _entry_mistakes(problem, item)
    for key, slip in gradient_slips(problem):
        yield item(key, target_value(network, backward_with(network, X, Y, slip), target, lr))
    if target.quantity == "W" and target.layer < len(network.layers):
        grads = backward_with(network, X, Y, with_slip(updated_learning_rate=lr))
        yield item("updated-weight-used", target_value(network, grads, target, lr))
        if problem.batch > 1:
            # The updated weight together with a wrong 1/m; at m = 1 this is the plain slip.
            for key, divisions in (("missing-1/m", 0), ("extra-1/m", 2)):
                slip = with_slip(updated_learning_rate=lr, batch_divisions=divisions)
                grads = backward_with(network, X, Y, slip)
                yield item(f"updated-weight-used+{key}", target_value(network, grads, target, lr))


def _entry_mistakes(problem: QuizProblem, item) -> Iterator[MistakeValue]:
    """Yield the mistakes of a weight entry that reuse the right gradients: wrong entry, wrong step."""
    network, target, lr = problem.network, problem.target, problem.spec.learning_rate
    _, caches = network.forward(problem.X)
    grads = network.backward(caches, problem.Y)
    j, k = target.index
    W = network.layers[target.layer - 1].W
    n_out, n_in = W.shape
    dW = grads[target.layer - 1].dW
    db = grads[target.layer - 1].db
    swapped = dW[k, j] if (k < n_out and j < n_in and j != k) else None

    if target.quantity == "dW":
        yield item("forgot-input", db[j, 0])
        if swapped is not None:
            yield item("swapped-indices", swapped)
        return
    yield item("forgot-input", W[j, k] - lr * db[j, 0])
    if swapped is not None:
        yield item("swapped-indices", W[j, k] - lr * swapped)
    yield item("wrong-direction", W[j, k] + lr * dW[j, k])
    yield item("forgot-learning-rate", W[j, k] - dW[j, k])
    yield item("gave-step", -lr * dW[j, k])
    yield item("gave-gradient", dW[j, k])


def _mistake_at(key: str, target: Target, loss: str) -> Mistake:
    """Return the catalog mistake explained for `loss`; where f'(z) is left out, the title names its layer."""
    if "+" in key:
        parts = [_mistake_at(part, target, loss) for part in key.split("+")]
        return Mistake(key, ", and ".join(part.title for part in parts),
                       " ".join(part.explanation for part in parts))
    mistake = mistake_for_loss(key, loss)
    layer = target.layer
    if key.endswith("-asked-layer"):
        return replace(mistake, title=mistake.title.replace("at the asked layer", f"at layer {layer} only"))
    if key != "forgot-derivative":
        return mistake
    unit = target.index[0]
    return replace(mistake, title=f"left out f'(z{layer}[{unit}]), the activation derivative of layer {layer}")


def gradient_slips(problem: QuizProblem) -> list[tuple[str, Slip]]:
    """Return the backward-pass slips that apply to the problem's target.

    Leaving out f'(z) is modelled at the asked layer alone, at the output layer
    alone, and at every layer from the asked one up; see `derivative_slips`.
    """
    network, target, spec = problem.network, problem.target, problem.spec
    chain = [layer.activation.name for layer in network.layers[target.layer - 1:]]
    below = network.layers[target.layer - 2].activation.name if target.layer > 1 else None
    slips: list[tuple[str, Slip]] = []

    slips.extend(derivative_slips(target.layer, chain))
    slips.append(("sign-flipped", with_slip(flip_sign=True)))
    if spec.loss == "mse" and network.layers[-1].activation.name != "relu":
        slips.append(("z-for-a-loss", with_slip(z_for_a_loss=True)))
    if network.loss.uses_fused_gradient(network.layers[-1].activation.name):
        slips.append(("bce-slope-twice", with_slip(bce_slope_twice=True)))
    if problem.batch > 1 and target.quantity in ("dW", "db", "W"):
        slips.append(("missing-1/m", with_slip(batch_divisions=0)))
        slips.append(("extra-1/m", with_slip(batch_divisions=2)))
        if _DERIVATIVE_APPLIES["none"](chain[0]):
            # f'(z) left out together with a wrong 1/m; at m = 1 this is the plain forgot-derivative.
            for key, divisions in (("missing-1/m", 0), ("extra-1/m", 2)):
                slips.append((f"forgot-derivative+{key}", with_slip(
                    derivative="none", derivative_layer=target.layer, batch_divisions=divisions)))
    if target.quantity in ("dW", "W") and below is not None and below != "relu":
        slips.append(("z-for-a-input", with_slip(z_for_a_input=True)))
    above = network.layers[target.layer:]
    if any(is_transposable(layer.W) for layer in above):
        slips.append(("transpose-forgotten", with_slip(transpose=True)))
    slips.append(("upstream-dropped", with_slip(drop_upstream_at=target.layer)))
    return slips


# Which layers each derivative slip changes: a ReLU unit in its active range has f'(z) = 1,
# so leaving it out changes nothing, and a(1 + a) or the sigmoid slope for tanh only
# change the layers of one activation.
_DERIVATIVE_APPLIES: dict[str, Callable[[str], bool]] = {
    "none": lambda name: name != "relu",
    "at_a": lambda name: name != "relu",
    "one_plus_a": lambda name: name == "sigmoid",
    "z_in_rule": lambda name: name in ("sigmoid", "tanh"),
    "sigmoid_rule": lambda name: name == "tanh",
}
_DERIVATIVE_KEYS = (
    ("at_a", "derivative-at-a"),
    ("one_plus_a", "sigmoid-one-plus-a"),
    ("z_in_rule", "z-in-derivative"),
    ("sigmoid_rule", "sigmoid-slope-for-tanh"),
)


def derivative_slips(asked_layer: int, chain: list[str]) -> list[tuple[str, Slip]]:
    """Return the slips in f'(z) for a target at `asked_layer`; `chain` names the activations from it up.

    Each slip is modelled at every layer of the chain and, where that differs,
    at the asked layer alone. Leaving out f'(z) is also modelled at the output
    layer alone. A slip is listed only where it changes some layer, and a
    one-layer form only where it differs from the every-layer form.
    """
    output_layer = asked_layer + len(chain) - 1
    slips: list[tuple[str, Slip]] = []
    forgets = _DERIVATIVE_APPLIES["none"]
    if forgets(chain[0]):
        slips.append(("forgot-derivative", with_slip(derivative="none", derivative_layer=asked_layer)))
    if any(forgets(name) for name in chain[1:]):
        slips.append(("forgot-every-derivative", with_slip(derivative="none")))
    if len(chain) > 1 and forgets(chain[-1]) and any(forgets(name) for name in chain[:-1]):
        slips.append(("forgot-output-derivative", with_slip(derivative="none", derivative_layer=output_layer)))
    for mode, key in _DERIVATIVE_KEYS:
        applies = _DERIVATIVE_APPLIES[mode]
        if any(applies(name) for name in chain):
            slips.append((key, with_slip(derivative=mode)))
        if applies(chain[0]) and any(applies(name) for name in chain[1:]):
            slips.append((f"{key}-asked-layer", with_slip(derivative=mode, derivative_layer=asked_layer)))
    return slips


# Kinds with givens of their own: a z value, two losses, or two gradient rows.

def _local_derivative(spec: QuizSpec, seed: int, pick: np.random.Generator, rng: np.random.Generator,
                      tolerance: Tolerance) -> QuizProblem | None:
    activation = get_activation(spec.activation)
    z = np.array([[draw.draw_z(rng)]])
    a = activation.forward(z)
    expected = float(activation.derivative(z)[0, 0])
    problem = QuizProblem(spec, seed, Target("f'"), expected, [], tolerance,
                          given={"z": float(z[0, 0]), "activation": activation.name})

    def add(key: str, value: np.ndarray) -> None:
        problem.mistakes.append(MistakeValue(MISTAKES[key], float(np.asarray(value)[0, 0])))

    add("gave-activation", a)
    if activation.name != "relu":
        add("derivative-at-a", local_derivative(activation, z, a, "at_a"))
        add("z-in-derivative", local_derivative(activation, z, a, "z_in_rule"))
    if activation.name == "sigmoid":
        add("sigmoid-one-plus-a", local_derivative(activation, z, a, "one_plus_a"))
    if activation.name == "relu" and z[0, 0] < 0:
        return None
    return problem


def _numerical_gradient(spec: QuizSpec, seed: int, pick: np.random.Generator, rng: np.random.Generator,
                        tolerance: Tolerance) -> QuizProblem | None:
    problem = _network_problem(spec, seed, pick, rng, tolerance, _weight_target("numerical"))
    if problem is None:
        return None
    network, X, Y, target = problem.network, problem.X, problem.Y, problem.target
    eps = spec.epsilon
    W = network.layers[target.layer - 1].W
    j, k = target.index

    def loss_at(offset: float) -> float:
        original = W[j, k]
        W[j, k] = original + offset
        value = network.compute_loss(X, Y)
        W[j, k] = original
        return round(value, LOSS_DIGITS)

    plus, minus = loss_at(eps), loss_at(-eps)
    # The engine's central difference over the losses as shown (LOSS_DIGITS decimals), so that
    # the learner's arithmetic on the shown numbers and the worked line give the same value.
    estimate = numerical_gradient(lambda: round(network.compute_loss(X, Y), LOSS_DIGITS), W, eps)[j, k]
    _, caches = network.forward(X)
    analytical = float(network.backward(caches, Y)[target.layer - 1].dW[j, k])
    problem.expected = float(estimate)
    problem.given.update({"epsilon": eps, "loss_plus": plus, "loss_minus": minus,
                          "weight": float(W[j, k]), "analytical": analytical})
    problem.mistakes = [
        MistakeValue(MISTAKES["single-epsilon"], float((plus - minus) / eps)),
        MistakeValue(MISTAKES["difference-reversed"], float((minus - plus) / (2 * eps))),
        MistakeValue(MISTAKES["forgot-division"], float(plus - minus)),
    ]
    m = problem.batch
    if m > 1:
        problem.mistakes.append(MistakeValue(NUMERICAL_EXTRA_DIVISION, float(estimate) / m))
    return problem


NUMERICAL_EXTRA_DIVISION = replace(
    MISTAKES["extra-1/m"], title="divided the estimate by m",
    explanation="The loss L is already the mean over the m examples, so "
                "(L(w + eps) - L(w - eps)) / (2 eps) needs no further 1/m.")


def _relative_error(spec: QuizSpec, seed: int, pick: np.random.Generator, rng: np.random.Generator,
                    tolerance: Tolerance) -> QuizProblem | None:
    """Build a problem that compares a buggy backward pass's first-layer row with its numerical gradient."""
    problem = _network_problem(spec, seed, pick, rng, tolerance,
                               lambda spec, pick: Target("relative-error", 1, (0, 0)))
    if problem is None:
        return None
    network, X, Y = problem.network, problem.X, problem.Y
    bugs = planted_bugs(problem)
    bug, slip = bugs[int(rng.integers(len(bugs)))]
    digits = spec.digits
    analytical = np.round(backward_with(network, X, Y, slip)[0].dW[0], digits)
    W = network.layers[0].W
    numerical = np.round(numerical_gradient(lambda: network.compute_loss(X, Y), W)[0], digits)

    difference = np.linalg.norm(analytical - numerical)
    norm_a, norm_n = np.linalg.norm(analytical), np.linalg.norm(numerical)
    if norm_a == 0.0 or norm_n == 0.0:
        return None
    problem.expected = relative_error(analytical, numerical)
    problem.given.update({"analytical": analytical.tolist(), "numerical": numerical.tolist(), "bug": bug})
    problem.mistakes = [
        MistakeValue(MISTAKES["no-denominator"], float(difference)),
        MistakeValue(MISTAKES["one-norm-denominator"], float(difference / norm_a)),
        MistakeValue(MISTAKES["squared-norms"], float(difference**2 / (norm_a**2 + norm_n**2))),
    ]
    if not 0.01 <= problem.expected <= 0.95:
        return None
    return problem


def planted_bugs(problem: QuizProblem) -> list[tuple[str, Slip]]:
    """Return the bugs that a relative-error problem's backward pass can have, as (key, slip) pairs.

    A backward pass that leaves out f'(z) leaves it out at every layer, so this
    bug uses the every-layer slip under the key "forgot-derivative".
    """
    network = problem.network
    slips = dict(gradient_slips(problem))
    bugs = []
    if any(layer.activation.name != "relu" for layer in network.layers):
        bugs.append(("forgot-derivative", with_slip(derivative="none")))
    bugs.extend((key, slips[key]) for key in ("derivative-at-a", "transpose-forgotten", "upstream-dropped")
                if key in slips)
    return bugs


def _with_target(choose):
    def build(spec, seed, pick, rng, tolerance):
        return _network_problem(spec, seed, pick, rng, tolerance, choose)
    return build


_BUILDERS = {
    "local-derivative": _local_derivative,
    "output-delta": _with_target(_output_target),
    "hidden-delta": _with_target(_hidden_target),
    "weight-gradient": _with_target(_weight_target("dW")),
    "bias-gradient": _with_target(_bias_target),
    "weight-update": _with_target(_weight_target("W")),
    "numerical-gradient": _numerical_gradient,
    "relative-error": _relative_error,
}
