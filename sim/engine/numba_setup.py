"""How numba is set up for this package: where compiled kernels are cached, how threads wait.

Cache: one folder per version of this package's source. numba checks a cached kernel against its own file only. A kernel that inlines a helper from
another file (every kernel draws from `sim.engine.rng`) would be loaded stale after that file changed,
and silently compute the old model. Keying the folder by a hash of every source file of the
package makes any edit or upgrade start from a clean cache. Set NUMBA_CACHE_DIR to choose the
folder yourself (then clear it after changing the code).
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]  # the whole `sim` package, every layer


def source_hash() -> str:
    digest = hashlib.sha1()
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_root() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mentorsim"


def configure_threads() -> None:
    """Let idle OpenMP threads sleep instead of spinning, unless the user chose otherwise.

    numba prefers its TBB threading layer (the `tbb` package, a dependency on x86-64): its
    threads wait briefly and then sleep, which measured as fast as spinning threads on free
    cores and as robust as sleeping ones under load. Where TBB is missing numba uses OpenMP,
    whose default is to spin: a numba thread that finished a parallel loop keeps a core busy
    for a while, and when another process holds the other cores the Python work between two
    parallel loops waits for it (a week of many short parallel loops, the pair scores of each
    matching block, ran up to 8 times slower). So OpenMP threads are told to sleep; this must
    happen before the OpenMP runtime loads (the first parallel kernel).
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


TBB_SONAME = "libtbb.so.12"


def preload_tbb() -> str | None:
    """Load the `tbb` wheel's libtbb.so.12 so that numba's TBB threading layer can start.

    In a virtualenv the wheel installs the library in `<venv>/lib`, which the dynamic loader
    does not search, so numba's `tbbpool` extension fails to load and numba silently falls back
    to OpenMP. Loading the library by its full path first makes the loader reuse that copy when
    numba imports `tbbpool` (at the first parallel kernel, so this must run before one does).
    Returns the path loaded, or None (not Linux, already loaded, or no `tbb` package).
    """
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return None
    try:  # a TBB already in the process (system library, another package): never load a second
        ctypes.CDLL(TBB_SONAME, mode=os.RTLD_NOLOAD | os.RTLD_GLOBAL)
        return None
    except OSError:
        pass
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        files = distribution("tbb").files or []
    except PackageNotFoundError:
        return None
    candidates = [Path(f.locate()) for f in files if f.name == TBB_SONAME] + [Path(sys.prefix) / "lib" / TBB_SONAME]
    for path in candidates:
        try:
            ctypes.CDLL(str(path.resolve()), mode=os.RTLD_GLOBAL)
            return str(path.resolve())
        except OSError:
            continue
    return None


def tbb_problem() -> str | None:
    """Why numba's TBB layer cannot run here, or None when it can (nothing is compiled: < 1 ms)."""
    try:
        from numba.np.ufunc import parallel

        parallel._check_tbb_version_compatible()  # numba's own check (private; hence the broad except)
        from numba.np.ufunc import tbbpool  # noqa: F401  (what numba imports at the first parallel kernel)
    except Exception as err:  # ImportError, or numba's version warning raised as an error
        return f"{type(err).__name__}: {err}"
    return None


def tbb_expected() -> bool:
    """Whether the TBB layer is intended here: the `tbb` package is installed (x86-64 dependency)
    and the user did not choose another layer with NUMBA_THREADING_LAYER."""
    from importlib.metadata import PackageNotFoundError, distribution

    import numba

    if numba.config.THREADING_LAYER not in ("default", "tbb"):
        return False
    try:
        distribution("tbb")
    except PackageNotFoundError:
        return False
    return True


def threading_layer_warning() -> str | None:
    """One line for the log when the intended TBB layer will not run, else None."""
    if not tbb_expected():
        return None
    problem = tbb_problem()
    if problem is None:
        return None
    return (f"numba's TBB threading layer cannot load ({problem}); parallel kernels use OpenMP "
            f"(slower when other processes hold the cores; results are identical)")


STALE_DAYS = 30


def prune_stale(root: Path, keep: Path, days: float = STALE_DAYS) -> None:
    """Delete the folders of other source versions not used for `days` days (best effort).

    Runs when a new version's folder is made; each import touches its own version's folder."""
    import shutil
    import time

    cutoff = time.time() - days * 86400
    for old in root.glob("numba-*"):
        try:
            if old != keep and old.is_dir() and old.stat().st_mtime < cutoff:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            continue


def configure_cache() -> None:
    """Point numba at this source version's folder, unless the user chose one (or none can be made).

    Set in the environment too, so numba re-reading it keeps the folder and worker processes
    share it; a folder inherited from another version of the package is replaced.
    """
    chosen = os.environ.get("NUMBA_CACHE_DIR")
    root = cache_root()
    if chosen and not chosen.startswith(str(root)):
        return
    folder = root / f"numba-{source_hash()}"
    try:
        created = not folder.exists()
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return  # numba falls back to its own locations
    if created:
        prune_stale(root, keep=folder)
    else:
        try:
            os.utime(folder)  # the folder's time says when this version was last used
        except OSError:
            pass
    os.environ["NUMBA_CACHE_DIR"] = str(folder)
    import numba

    numba.config.CACHE_DIR = str(folder)


def kernels_cached() -> bool | None:
    """Whether the cache folder holds compiled kernels (False: the next run compiles them first);
    None when numba caches beside the sources (no folder chosen) and nobody knows cheaply."""
    folder = os.environ.get("NUMBA_CACHE_DIR")
    if not folder:
        return None
    try:
        return any(Path(folder).rglob("*.nbi"))
    except OSError:
        return None


configure_threads()
configure_cache()
TBB_LIBRARY = preload_tbb()
