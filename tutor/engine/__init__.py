"""The NumPy reference engine: every number the tutor shows or checks comes from here.

Imports NumPy and the standard library only, so it is fast to test and
usable from a notebook. Modules, in the order a lesson meets them:

    activations  f(z) and f'(z) for identity, sigmoid, tanh, ReLU, leaky ReLU, softmax
    losses       MSE, binary cross-entropy, cross-entropy with softmax
    init         zeros, small, Xavier/Glorot and He weights from a seeded Generator
    network      Dense layers and networks: forward and backward with caches
    trace        every intermediate value of one pass, with substituted formulas
    examples     the named worked examples that lessons show
    gradcheck    central-difference gradient checks with a per-entry report
    optimizers   SGD, momentum, RMSprop, Adam, step decay, clipping by global norm
    training     full-batch descent and the mini-batch Trainer with its history
    datasets     XOR, two moons, circles, spirals and the UCI 8x8 digits
    digits_classifier  the final project: a 64-32-10 digits network
"""
