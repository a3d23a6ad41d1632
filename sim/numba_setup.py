"""How numba is set up for this package: where compiled kernels are cached, how threads wait.

Cache: one folder per version of this package's source. numba checks a cached kernel against its own file only. A kernel that inlines a helper from
another file (every kernel draws from `sim.rng`) would be loaded stale after that file changed,
and silently compute the old model. Keying the folder by a hash of every source file of the
package makes any edit or upgrade start from a clean cache. Set NUMBA_CACHE_DIR to choose the
folder yourself (then clear it after changing the code).
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


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


configure_threads()
configure_cache()
