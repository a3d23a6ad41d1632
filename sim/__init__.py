"""mentorsim: an agent-based simulator of a talent pipeline and its mentoring programs.

Layers, lowest first (each imports only from those before it; tests/test_architecture.py checks):
config -> engine -> mentoring -> charts -> runs -> studies -> present -> the front doors
(api, cli, commands). README "How it is built" has the picture.
"""
from .version import __version__
from .engine import numba_setup  # noqa: F401  (before any kernel is defined)
from .api import ConfigError, RunResult, load_config, run

__all__ = ["run", "load_config", "RunResult", "ConfigError", "__version__"]
