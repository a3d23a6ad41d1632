"""Many runs: sweep progress, collecting job folders into one table, paired comparisons on common
random numbers, and sensitivity analysis.

Imports `runs` and the layers below it.
"""
