"""The simulated organization, one week at a time: the population table, seats and vacancies,
staffing and vacancy chains, exits and development, the clock, counter-based random streams,
the event log and metric accumulation. `OrgModel` (model.py) owns the order of a week.

Imports only `sim.config`. numba is configured (cache folder, threads) before any kernel exists.
"""
from . import numba_setup  # noqa: F401  (first: sets the kernel cache before kernels compile)
from .mesa_setup import defer_experimental

defer_experimental()  # before anything imports Mesa
