"""Textual widgets for manual-gradient quizzes."""
