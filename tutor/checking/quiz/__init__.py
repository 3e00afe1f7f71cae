"""Manual-gradient quizzes: seeded problems, answer checks that name mistakes, hints, fill-the-table."""

from tutor.checking.quiz.spec import KINDS, QuizSpec, QuizSpecError, quiz_spec, validate_quiz_params
from tutor.checking.quiz.problems import (
    GenerationError,
    QuizProblem,
    Target,
    degeneracy_reasons,
    generate_problem,
)
from tutor.checking.quiz.mistakes import MISTAKES, Mistake, MistakeValue

__all__ = [
    "GenerationError",
    "KINDS",
    "MISTAKES",
    "Mistake",
    "MistakeValue",
    "QuizProblem",
    "QuizSpec",
    "QuizSpecError",
    "Target",
    "degeneracy_reasons",
    "generate_problem",
    "quiz_spec",
    "validate_quiz_params",
]
