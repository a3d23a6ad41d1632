"""Compiled kernels are cached per version of the package source, so an edit never runs stale code;
idle OpenMP threads sleep rather than spin."""
import os
import shutil
import subprocess
import sys

import numba
import pytest

from sim.engine import numba_setup


def test_numba_uses_this_source_versions_folder():
    assert numba.config.CACHE_DIR == os.environ["NUMBA_CACHE_DIR"]
    if not numba.config.CACHE_DIR.startswith(str(numba_setup.cache_root())):
        pytest.skip("NUMBA_CACHE_DIR chosen in the environment: kept (test_a_folder_the_user_chose_is_kept)")
    assert numba.config.CACHE_DIR.endswith(f"numba-{numba_setup.source_hash()}")


def test_any_source_edit_changes_the_folder(tmp_path, monkeypatch):
    copy = tmp_path / "sim"
    shutil.copytree(numba_setup.PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(numba_setup, "PACKAGE", copy)
    before = numba_setup.source_hash()
    assert numba_setup.source_hash() == before
    helper = copy / "engine" / "rng.py"  # a file whose functions are inlined into kernels of another file
    helper.write_text(helper.read_text() + "\n# edited\n")
    assert numba_setup.source_hash() != before


def test_a_folder_the_user_chose_is_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "mine"))
    monkeypatch.setattr(numba.config, "CACHE_DIR", str(tmp_path / "mine"))
    numba_setup.configure_cache()
    assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "mine")


def test_a_folder_inherited_from_another_version_is_replaced(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "mentorsim" / "numba-0000000000000000"))
    monkeypatch.setattr(numba.config, "CACHE_DIR", numba.config.CACHE_DIR)
    numba_setup.configure_cache()
    expected = str(tmp_path / "mentorsim" / f"numba-{numba_setup.source_hash()}")
    assert os.environ["NUMBA_CACHE_DIR"] == expected == numba.config.CACHE_DIR


def test_idle_openmp_threads_sleep_unless_the_user_chose():
    # set before the OpenMP runtime loaded: at import of sim.engine, before any kernel is defined (`import sim`
    # alone loads no numba)
    assert os.environ["OMP_WAIT_POLICY"]
    env = dict(os.environ)
    env.pop("OMP_WAIT_POLICY")
    code = "import os, sim.engine; print(os.environ['OMP_WAIT_POLICY'])"
    assert subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True).stdout.strip() \
        == "PASSIVE"
    env["OMP_WAIT_POLICY"] = "ACTIVE"
    assert subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True).stdout.strip() \
        == "ACTIVE"


def test_folders_of_other_versions_unused_for_a_month_are_deleted(tmp_path):
    import time

    keep, recent, stale = (tmp_path / f"numba-{name}" for name in ("keep", "recent", "stale"))
    for folder in (keep, recent, stale):
        folder.mkdir()
        (folder / "index.nbi").write_text("x")
    month_ago = time.time() - (numba_setup.STALE_DAYS + 1) * 86400
    os.utime(stale, (month_ago, month_ago))
    os.utime(keep, (month_ago, month_ago))
    numba_setup.prune_stale(tmp_path, keep=keep)
    assert keep.exists() and recent.exists() and not stale.exists()


def test_tbb_library_is_loaded_in_this_environment_and_no_warning_is_due():
    """In a virtualenv the tbb wheel's library is off the loader's path; the preload must find it."""
    if not numba_setup.tbb_expected():
        pytest.skip("the tbb package (an x86-64 dependency) is not installed here")
    assert numba_setup.tbb_problem() is None
    assert numba_setup.threading_layer_warning() is None


def test_a_layer_that_cannot_load_is_said_in_one_line(monkeypatch):
    monkeypatch.setattr(numba_setup, "tbb_expected", lambda: True)
    monkeypatch.setattr(numba_setup, "tbb_problem", lambda: "ImportError: libtbb.so.12: cannot open shared object file")
    line = numba_setup.threading_layer_warning()
    assert "\n" not in line and "OpenMP" in line and "libtbb.so.12" in line
