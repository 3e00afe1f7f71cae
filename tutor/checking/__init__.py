"""Checking what a learner enters: typed answers, quizzes and code exercises."""
