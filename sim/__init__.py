"""mentorsim: an agent-based simulator of a talent pipeline and its mentoring programs.

Layers, lowest first (each imports only from those before it; tests/test_architecture.py checks):
config -> engine -> mentoring -> charts -> runs -> studies -> present -> the front doors
(api, cli, commands). README "How it is built" has the picture.

The public names are imported on first use (PEP 562), so `mentorsim --help` or a config mistake
answers without loading numba, pandas, matplotlib or Mesa. The engine configures numba itself
(`sim.engine.numba_setup`, run by `sim.engine`'s own import) before any kernel is defined.
"""
from .version import __version__

__all__ = ["run", "load_config", "RunResult", "ConfigError", "__version__"]


def __getattr__(name: str):
    if name in ("run", "load_config", "RunResult", "ConfigError"):
        from . import api

        value = getattr(api, name)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
