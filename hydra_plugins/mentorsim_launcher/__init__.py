"""mentorsim's Hydra plugins: its sweep launcher and sweeper (see sim/studies/launch.py)."""
