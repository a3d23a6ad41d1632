"""How Mesa is imported: its experimental subpackage runs at its first use, not with `import mesa`.

Mesa 3's `__init__` imports `mesa.experimental`, whose continuous space imports scipy.spatial and
scipy.sparse: about 0.2 s of every process that imports Mesa (the command, each of its workers,
each sweep worker), for code this package never runs (it uses Model, Agent and DataCollector).
So before Mesa is first imported, `mesa.experimental` is put in `sys.modules` as a module that has
its spec and path but has not run yet: `import mesa` binds it, and the first read of a name it
defines (`mesa.experimental.devs`, `from mesa.experimental import ...`) runs it as usual.
importlib's own `LazyLoader` cannot do this on Python 3.11: the import system reads the module's
`__spec__`, which already makes it run.
"""
from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path

DEFERRED = "mesa.experimental"


class _NotRunYet(types.ModuleType):
    """A package module whose code runs when a name it has not got yet is first asked for."""

    def __getattr__(self, name: str):
        spec = self.__spec__
        if name.startswith("__") or getattr(spec, "_running", False):
            raise AttributeError(name)  # while it runs, a missing name is just missing (its own imports)
        spec._running = True
        try:
            spec.loader.exec_module(self)
        finally:
            spec._running = False
            self.__class__ = types.ModuleType
        return getattr(self, name)


def defer_experimental() -> bool:
    """Put `mesa.experimental` in `sys.modules` not yet run; False where Mesa is already imported or
    laid out otherwise (then nothing changes)."""
    if "mesa" in sys.modules or DEFERRED in sys.modules:
        return False
    top = importlib.util.find_spec("mesa")  # a top-level package: found without running it
    if top is None or not top.submodule_search_locations:
        return False
    folder = Path(next(iter(top.submodule_search_locations))) / "experimental"
    if not (folder / "__init__.py").is_file():
        return False
    spec = importlib.util.spec_from_file_location(DEFERRED, folder / "__init__.py",
                                                  submodule_search_locations=[str(folder)])
    if spec is None or spec.loader is None:
        return False
    module = importlib.util.module_from_spec(spec)
    module.__class__ = _NotRunYet
    sys.modules[DEFERRED] = module
    return True
