"""The chart pack: one style, titles that state the finding, labelled units, uncertainty shown.

`run_charts(result, folder)` draws every chart one run supports (program-vs-twin charts
when the run has a twin); `sim.charts.sweep` holds the charts of sweeps and sensitivity.
Imported only when charts are drawn, so runs without charts never load matplotlib.
"""
from .run import RUN_CHARTS, run_charts

__all__ = ["RUN_CHARTS", "run_charts"]
