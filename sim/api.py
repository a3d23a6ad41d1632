"""The Python API: build a config in code, run it, get DataFrames back.

    from sim import load_config, run
    result = run(load_config(["org=small", "sim.horizon_years=5"]))
    result.metrics["turnover_annual"], result.timeseries.head()
    result.save("outputs/my-run")

A front door: it only names what the layers below provide (`sim.config`, `sim.runs`).
"""
from .config.load import load_config
from .config.schema import Config, ConfigError
from .runs.result import RunResult, run

__all__ = ["Config", "ConfigError", "RunResult", "load_config", "run"]
