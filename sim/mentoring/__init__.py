"""Mentoring programs: relationships, matching policies, the program intervention, evaluation."""
