"""Sweeps at research scale: progress, collect, compare on common random numbers, sensitivity."""
