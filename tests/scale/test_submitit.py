"""SLURM through Hydra's submitit launcher, tested with its local executor (`submitit_local`): each
job a separate process, as on a cluster; every job's results must equal the local launcher's."""
from __future__ import annotations

import pytest

from ._sweeps import metrics_of, mentorsim, ok

pytest.importorskip("hydra_plugins.hydra_submitit_launcher")
pytestmark = pytest.mark.slow

ARGS = ["org=small", "sim.horizon_years=0.25", "output.charts=false", "matching=optimal", "sim.seed=0,1"]


def test_a_sweep_through_submitit_equals_the_local_launcher(tmp_path):
    submitit = ok(mentorsim("-m", "hydra/launcher=submitit_local", "hydra.launcher.cpus_per_task=1",
                            "hydra.launcher.timeout_min=10", *ARGS, f"hydra.sweep.dir={tmp_path / 'submitit'}",
                            cwd=tmp_path, timeout=600))
    assert "submitit" in submitit.stdout + submitit.stderr
    assert (tmp_path / "submitit" / ".submitit").is_dir()  # the jobs really went through submitit
    ok(mentorsim("-m", "hydra.launcher.n_jobs=1", *ARGS, f"hydra.sweep.dir={tmp_path / 'local'}", cwd=tmp_path))
    expected = metrics_of(tmp_path / "local")
    assert len(expected) == 2 and metrics_of(tmp_path / "submitit") == expected
