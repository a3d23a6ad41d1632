"""mentorsim: an agent-based simulator of a talent pipeline and its mentoring programs."""
__version__ = "0.1.0"

from . import numba_setup  # noqa: E402,F401  (before any kernel is defined)

from .api import RunResult, run  # noqa: E402
from .config import load_config  # noqa: E402
from .schema import ConfigError  # noqa: E402

__all__ = ["run", "load_config", "RunResult", "ConfigError", "__version__"]
