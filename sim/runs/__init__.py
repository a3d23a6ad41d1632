"""One run, end to end: simulate a config (with its programs and their twin), summarize it into
flat metrics, write its self-describing folder, and run it as a resumable job.

Imports `config`, `engine`, `mentoring` and `charts`.
"""
