"""Compiled kernels are cached per version of the package source, so an edit never runs stale code."""
import os
import shutil

import numba

from sim import jit_cache


def test_numba_uses_this_source_versions_folder():
    assert numba.config.CACHE_DIR == os.environ["NUMBA_CACHE_DIR"]
    assert numba.config.CACHE_DIR.endswith(f"numba-{jit_cache.source_hash()}")


def test_any_source_edit_changes_the_folder(tmp_path, monkeypatch):
    copy = tmp_path / "sim"
    shutil.copytree(jit_cache.PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(jit_cache, "PACKAGE", copy)
    before = jit_cache.source_hash()
    assert jit_cache.source_hash() == before
    helper = copy / "rng.py"  # a file whose functions are inlined into kernels of another file
    helper.write_text(helper.read_text() + "\n# edited\n")
    assert jit_cache.source_hash() != before


def test_a_folder_the_user_chose_is_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "mine"))
    monkeypatch.setattr(numba.config, "CACHE_DIR", str(tmp_path / "mine"))
    jit_cache.configure()
    assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "mine")


def test_a_folder_inherited_from_another_version_is_replaced(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "mentorsim" / "numba-0000000000000000"))
    monkeypatch.setattr(numba.config, "CACHE_DIR", numba.config.CACHE_DIR)
    jit_cache.configure()
    expected = str(tmp_path / "mentorsim" / f"numba-{jit_cache.source_hash()}")
    assert os.environ["NUMBA_CACHE_DIR"] == expected == numba.config.CACHE_DIR
