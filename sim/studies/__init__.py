"""Many runs: sweep progress, collecting job folders into one table, paired comparisons on common
random numbers, sensitivity analysis, and the design search's check of its winner on fresh seeds.

Imports `runs` and the layers below it.
"""
