"""Mistake models: the asked quantity recomputed with the engine's pieces under a known slip.

`backward_with` runs the same steps as `Network.backward` (loss gradient,
dZ = dA * f'(z), `Dense.backward_from_dZ`) but can apply one slip, such as
leaving out f'(z) or using W in place of W.T. With no slip it reproduces the
engine's gradients, which a test checks, so a mistake value differs from the
right value only by the slip itself.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from tutor.engine.activations import Activation
from tutor.engine.network import Dense, LayerCache, LayerGrads, Network


@dataclass(frozen=True)
class Mistake:
    """A known slip: a key for storage, a short title, and an explanation for the learner."""

    key: str
    title: str
    explanation: str


def _catalog(*mistakes: Mistake) -> dict[str, Mistake]:
    return {mistake.key: mistake for mistake in mistakes}


MISTAKES: dict[str, Mistake] = _catalog(
    Mistake("forgot-derivative", "left out the activation derivative f'(z)",
            "Each layer multiplies dA by f'(z) to get dZ = dA * f'(z), hidden layers as well as the output."),
    Mistake("forgot-every-derivative", "left out f'(z) at every layer",
            "Each layer multiplies dA by f'(z) to get dZ = dA * f'(z), hidden layers as well as the output."),
    Mistake("derivative-at-a", "evaluated f' at a instead of at z",
            "f'(z) takes z, the input of the activation: f'(z) = a(1 - a) for sigmoid and "
            "1 - a^2 for tanh, with a = f(z); f'(a) is the slope at another point."),
    Mistake("sigmoid-one-plus-a", "wrote the sigmoid derivative as a(1 + a)",
            "The sigmoid derivative is a(1 - a), with a minus."),
    Mistake("z-in-derivative", "put z where a belongs in f'",
            "The rule f'(z) = a(1 - a) (sigmoid) or 1 - a^2 (tanh) takes a = f(z), not z."),
    Mistake("sign-flipped", "flipped the sign of the loss gradient",
            "dL/da is a - y (prediction minus target), not y - a."),
    Mistake("z-for-a-loss", "used z where a belongs in dL/da",
            "The loss compares the output a = f(z) with y, so dL/da = a - y."),
    Mistake("missing-1/m", "left out the 1/m",
            "dW and db average over the batch: dW = (1/m) dZ @ a_prev.T and db = (1/m) sum of dZ."),
    Mistake("extra-1/m", "divided by m twice",
            "The 1/m of the mean is applied once, at dW and db; dZ itself is per example."),
    Mistake("z-for-a-input", "used z of the layer below where its output a belongs",
            "A weight multiplies the previous layer's output, so dW[j,k] = dZ[j] * a_prev[k]."),
    Mistake("transpose-forgotten", "used W where W.T belongs (wrong pairing of indices)",
            "dA_prev = W.T @ dZ: unit k of the layer below collects W[j,k] * dZ[j] over the units j above."),
    Mistake("swapped-indices", "swapped the row and column of W",
            "W[j,k] connects input k to unit j, so dW[j,k] = dZ[j] * a_prev[k]."),
    Mistake("upstream-dropped", "stopped the chain early (dropped the upstream gradient)",
            "The chain rule multiplies every factor from the loss down to this quantity, "
            "including dA from the layers above."),
    Mistake("forgot-input", "left out the input a_prev[k]",
            "dW[j,k] = dZ[j] * a_prev[k]; without the input you get db, not dW."),
    Mistake("wrong-direction", "stepped up the gradient (w + lr * dW)",
            "Gradient descent subtracts: w_new = w - lr * dW, so the loss goes down."),
    Mistake("forgot-learning-rate", "left out the learning rate",
            "The step is lr * dW, so w_new = w - lr * dW."),
    Mistake("gave-step", "gave the change, not the new weight",
            "The question asks for w_new = w - lr * dW, the weight after the step."),
    Mistake("gave-gradient", "gave the gradient dW, not the new weight",
            "The question asks for w_new = w - lr * dW, the weight after the step."),
    Mistake("updated-weight-used", "used an already-updated weight in the same step",
            "Every gradient of one step comes from the weights before the step; "
            "update all weights only after the backward pass."),
    Mistake("gave-activation", "gave a = f(z), not f'(z)",
            "The question asks for the derivative f'(z), the slope of the activation at z."),
    Mistake("single-epsilon", "divided by eps instead of 2 eps",
            "The central difference spans from w - eps to w + eps, a width of 2 eps."),
    Mistake("difference-reversed", "subtracted in the wrong order",
            "The estimate is (L(w + eps) - L(w - eps)) / (2 eps): the plus side first."),
    Mistake("forgot-division", "forgot to divide by 2 eps",
            "A difference of losses becomes a slope only after dividing by the step 2 eps."),
    Mistake("no-denominator", "gave ||a - n|| without dividing",
            "The relative error divides by ||a|| + ||n||, so it does not depend on the gradient's scale."),
    Mistake("one-norm-denominator", "divided by ||a|| alone",
            "The relative error divides by ||a|| + ||n||, the sum of both norms."),
    Mistake("squared-norms", "left out the square roots of the norms",
            "||v|| = sqrt(sum of v_i^2), the Euclidean length of the vector."),
    Mistake("forgot-bias", "left out the bias",
            "z = W @ a_prev + b: add the bias of the unit."),
    Mistake("gave-z", "gave z, not a = f(z)",
            "The unit's output passes z through its activation."),
    Mistake("sigmoid-sign", "computed 1 / (1 + e^z) instead of 1 / (1 + e^-z)",
            "sigmoid(z) = 1 / (1 + e^-z), with a minus in the exponent."),
    Mistake("forgot-half", "left out the 1/2 of the loss",
            "This course's MSE is L = 1/(2m) * sum (a - y)^2; the 1/2 cancels the 2 of the derivative."),
    Mistake("log-sign", "left out the minus in front of the logs",
            "BCE is L = -[y log a + (1 - y) log(1 - a)], positive because log a < 0."),
    Mistake("forgot-weights", "added the deltas above without their weights",
            "dA_prev[k] = sum over j of W[j,k] * dZ[j]: each delta travels back through its weight."),
    Mistake("forgot-output-derivative", "left out f'(z) of the output layer only",
            "Each layer multiplies dA by f'(z) to get dZ = dA * f'(z), the output as well as the hidden layers."),
    Mistake("derivative-at-a-asked-layer", "evaluated f' at a instead of at z at the asked layer",
            "f'(z) takes z, the input of the activation, at every layer: f'(z) = a(1 - a) for sigmoid "
            "and 1 - a^2 for tanh, with a = f(z); f'(a) is the slope at another point."),
    Mistake("sigmoid-one-plus-a-asked-layer", "wrote the sigmoid derivative as a(1 + a) at the asked layer",
            "The sigmoid derivative is a(1 - a), with a minus, at every sigmoid layer."),
    Mistake("z-in-derivative-asked-layer", "put z where a belongs in f' at the asked layer",
            "The rule f'(z) = a(1 - a) (sigmoid) or 1 - a^2 (tanh) takes a = f(z), not z, at every layer."),
    Mistake("sigmoid-slope-for-tanh", "used the sigmoid slope a(1 - a) for tanh",
            "The slope of tanh is 1 - a^2; a(1 - a) is the slope of the sigmoid."),
    Mistake("sigmoid-slope-for-tanh-asked-layer", "used the sigmoid slope a(1 - a) for tanh at the asked layer",
            "The slope of tanh is 1 - a^2 at every tanh layer; a(1 - a) is the slope of the sigmoid."),
    Mistake("z-for-a-forward", "used z of the layer below where its output a belongs",
            "A layer takes the output a = f(z) of the layer below: z = W @ a_prev + b."),
    Mistake("input-for-a-prev", "used the input x where a of the layer below belongs",
            "dW[j,k] = dZ[j] * a_prev[k], with a_prev the output of the layer right below; "
            "it is x only for the first layer."),
    Mistake("dA-for-dZ", "multiplied by dA of the layer above where its dZ belongs",
            "dA_prev = W.T @ dZ takes the delta of the layer above after its slope: dZ = dA * f'(z)."),
    Mistake("bce-slope-twice", "multiplied dZ = a - y by the sigmoid slope a(1 - a) again",
            "With BCE after a sigmoid, dZ = a - y already contains the slope: "
            "dL/da = (a - y) / (a(1 - a)), and multiplying it by a(1 - a) leaves a - y."),
)

# Explanations that depend on the loss. Under BCE the output layer is a sigmoid, and
# dL/da = (a - y) / (a(1 - a)); it is dZ that equals a - y.
LOSS_EXPLANATIONS: dict[tuple[str, str], str] = {
    ("sign-flipped", "bce"): "With BCE after a sigmoid, the output's dZ is a - y (prediction minus target), "
                             "not y - a; dL/da = (a - y) / (a(1 - a)) has the same sign.",
    ("forgot-derivative", "bce"): "Each layer multiplies dA by f'(z) to get dZ = dA * f'(z). With BCE, "
                                  "dL/da = (a - y) / (a(1 - a)) times the output slope a(1 - a) gives a - y.",
    ("forgot-output-derivative", "bce"): "Each layer multiplies dA by f'(z) to get dZ = dA * f'(z). With BCE, "
                                         "dL/da = (a - y) / (a(1 - a)) times the output slope a(1 - a) "
                                         "gives a - y.",
    ("forgot-every-derivative", "bce"): "Each layer multiplies dA by f'(z) to get dZ = dA * f'(z). With BCE, "
                                        "dL/da = (a - y) / (a(1 - a)) times the output slope a(1 - a) "
                                        "gives a - y.",
}


def mistake_for_loss(key: str, loss: str) -> Mistake:
    """Return the catalog mistake with its explanation made true for `loss` ("mse" or "bce")."""
    mistake = MISTAKES[key]
    explanation = LOSS_EXPLANATIONS.get((key, loss))
    return mistake if explanation is None else replace(mistake, explanation=explanation)


@dataclass(frozen=True)
class MistakeValue:
    """A mistake and the value the engine computes under it for one problem."""

    mistake: Mistake
    value: float


@dataclass(frozen=True)
class Slip:
    """A departure of `backward_with` from the right backward pass; the defaults are no slip.

    derivative: "z" (right), "none", "at_a", "one_plus_a", "z_in_rule" or "sigmoid_rule".
    derivative_layer: the one layer number where `derivative` applies; None means every layer.
    drop_upstream_at: the layer number where dA is replaced by ones.
    batch_divisions: how often dW and db are divided by m (1 is right).
    updated_learning_rate: when set, dA_prev flows through W - lr * dW of the same step.
    bce_slope_twice: the output dZ = a - y of a sigmoid with BCE is multiplied by a(1 - a) again.
    """

    derivative: str = "z"
    derivative_layer: int | None = None
    flip_sign: bool = False
    z_for_a_loss: bool = False
    z_for_a_input: bool = False
    transpose: bool = False  # only on square layers, where W @ dZ has the right shape
    drop_upstream_at: int | None = None
    batch_divisions: int = 1
    updated_learning_rate: float | None = None
    bce_slope_twice: bool = False


NO_SLIP = Slip()


def local_derivative(activation: Activation, z: np.ndarray, a: np.ndarray, mode: str) -> np.ndarray:
    """Return f'(z) as computed under a derivative slip (`mode` "z" is the right one).

    A slip that belongs to another activation leaves this layer's f'(z) right:
    a(1 + a) is a sigmoid slip, a(1 - a) in place of 1 - a^2 is a tanh slip,
    and ReLU has no rule in terms of a.
    """
    if mode == "z":
        return activation.derivative(z)
    if mode == "none":
        return np.ones_like(z)
    if mode == "at_a":
        return activation.derivative(a)
    if mode == "one_plus_a":
        return a * (1.0 + a) if activation.name == "sigmoid" else activation.derivative(z)
    if mode == "sigmoid_rule":
        return a * (1.0 - a) if activation.name == "tanh" else activation.derivative(z)
    if mode == "z_in_rule":
        if activation.derivative_from_output is None:
            return activation.derivative(z)
        return activation.derivative_from_output(z, z)
    raise ValueError(f"unknown derivative mode {mode!r}")


def backward_with(network: Network, X: np.ndarray, Y: np.ndarray, slip: Slip = NO_SLIP) -> list[LayerGrads]:
    """Return every layer's gradients, first layer first, computed under `slip`.

    The output layer goes through dL/da and f'(z) even where the engine uses
    the fused a - y of sigmoid with BCE. Both give the same dZ, and the
    unfused form is where a learner's slips happen.
    """
    _, caches = network.forward(X)
    count = len(network.layers)
    output = caches[-1]
    dA = network.loss.dA(output.z if slip.z_for_a_loss else output.a, Y)
    if slip.flip_sign:
        dA = -dA

    grads: list[LayerGrads] = [None] * count  # type: ignore[list-item]
    for number in range(count, 0, -1):
        layer = network.layers[number - 1]
        cache = caches[number - 1]
        if slip.drop_upstream_at == number:
            dA = np.ones_like(dA)
        mode = slip.derivative if slip.derivative_layer in (None, number) else "z"
        dZ = dA * local_derivative(layer.activation, cache.z, cache.a, mode)
        if slip.bce_slope_twice and number == count:
            dZ = dZ * cache.a * (1.0 - cache.a)

        input_cache = cache
        if slip.z_for_a_input and number > 1:
            input_cache = LayerCache(caches[number - 2].z, cache.z, cache.a)
        _, layer_grads = layer.backward_from_dZ(dZ, input_cache, compute_dA_prev=False)
        m = X.shape[1]
        scale = float(m) ** (1 - slip.batch_divisions)
        grads[number - 1] = LayerGrads(layer_grads.dW * scale, layer_grads.db * scale, dZ)

        if number > 1:
            dA = _propagate(layer, layer_grads, dZ, cache, slip)
    return grads


def _propagate(layer: Dense, layer_grads: LayerGrads, dZ: np.ndarray, cache: LayerCache, slip: Slip) -> np.ndarray:
    """Return dA of the layer below: W.T @ dZ through the engine, or its slipped form."""
    W = layer.W
    if slip.updated_learning_rate is not None:
        W = W - slip.updated_learning_rate * layer_grads.dW
    if slip.transpose and is_transposable(W):
        W = W.T
    dA_prev, _ = Dense(W, layer.b, layer.activation).backward_from_dZ(dZ, cache)
    return dA_prev


def is_transposable(W: np.ndarray) -> bool:
    """Tell whether W.T has W's shape and can differ from it, so the transpose slip can happen."""
    return W.shape[0] == W.shape[1] and W.shape[0] > 1


def with_slip(**changes) -> Slip:
    return replace(NO_SLIP, **changes)
