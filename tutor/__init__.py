"""backprop-tutor: a terminal tutor that teaches how neural networks learn."""

__version__ = "0.1.0"
