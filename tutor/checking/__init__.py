"""Checking what a learner enters: typed answers, quizzes and code exercises."""

from tutor.checking.answers import AnswerError, Tolerance, parse_answer

__all__ = ["AnswerError", "Tolerance", "parse_answer"]
