"""What a person reads: the HTML and PDF reports of a run, a sweep or a sensitivity analysis.

The top layer below the front doors (`api`, `cli`, `commands`).
"""
