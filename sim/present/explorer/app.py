"""The explorer's page (Solara): a design panel, results over paired seeds, pinned designs side by
side, and one run watched week by week. Served by `mentorsim explore` (see server.py).

Long work runs in a background thread (a Solara task) that hands the seeds to worker processes,
so the page stays responsive; Cancel drops the seeds not yet started.
"""
from __future__ import annotations

import dataclasses
import threading

import solara
import solara.lab

from ...studies.paired import PairedRunner, PairedRuns
from .design import RANGES, Design, check, from_preset, level_names, policies, presets
from .results import SeedRun, comparison_chart, comparison_frame, headline_markdown, markdown_table
from .watch import Watch

MAX_PINNED = 4
RUNNER = PairedRunner()  # worker processes shared by every session of this server, kept warm
RUN_LOCK = threading.Lock()

def _initial_design() -> Design:
    """The first organization preset (`default` when there is one) with the default program."""
    orgs = presets("org")
    return from_preset("default" if "default" in orgs else orgs[0], "default")


design = solara.reactive(_initial_design())
results = solara.reactive(None)  # PairedRuns of the design last run
seed_run = solara.reactive(None)  # SeedRun: seed 0 of that design (charts, report)
ran_design = solara.reactive(None)  # the Design those results belong to
status = solara.reactive("")
pinned = solara.reactive([])  # [(label, PairedRuns)]
watch = solara.reactive(None)
watch_week = solara.reactive(0)


def set_field(name: str, value) -> None:
    design.set(dataclasses.replace(design.value, **{name: value}))


def choose_preset(org: str, program: str) -> None:
    current = design.value
    design.set(from_preset(org, program, seeds=current.seeds, horizon_years=current.horizon_years))


class _Cancelled:
    """A cancel flag read from the running task: cancelled when the task is no longer current."""

    def __init__(self, task):
        self.task = task

    def is_set(self) -> bool:
        return not self.task.is_current()


@solara.lab.task
def run_design(chosen: Design) -> PairedRuns:
    overrides = chosen.overrides()
    with RUN_LOCK:  # one design at a time through the shared workers

        def progress(done: int, total: int) -> None:
            run_design.progress = 100.0 * done / (total + 1)  # the last step draws the charts

        runs = RUNNER.run(overrides, range(chosen.seeds), progress=progress, cancel=_Cancelled(run_design))
        if not runs.seeds:
            return runs
        seed_run.set(SeedRun.of(overrides, seed=runs.seeds[0]))
        results.set(runs)
        ran_design.set(chosen)
        status.set(f"{chosen.label()}: {len(runs.seeds)} seeds" + (" (cancelled)" if runs.cancelled else ""))
        return runs


@solara.component
def ControlError(name: str, problem: tuple[str | None, str | None]):
    control, message = problem
    if message and control == name:
        solara.Error(message, dense=True, classes=[f"error-{name}"])


@solara.component
def DesignPanel():
    d = design.value
    problem = solara.use_memo(lambda: check(d), dependencies=[d])
    solara.Markdown("### Design")
    solara.Markdown("Every control is checked as the command line checks it.")
    solara.Select("Organization", values=presets("org"), value=d.org, on_value=lambda v: choose_preset(v, d.program))
    solara.Select("Program", values=presets("program"), value=d.program, on_value=lambda v: choose_preset(d.org, v))
    if d.program != "none":
        solara.Select("Matching policy", values=policies(), value=d.matching, on_value=lambda v: set_field("matching", v))
        ControlError("matching", problem)
        for name, label in [("cadence_weeks", "Meeting cadence (weeks)"), ("length_weeks", "Length (weeks)"),
                            ("mentor_capacity", "Mentees per mentor")]:
            low, high = RANGES[name]
            solara.InputInt(f"{label}, {low}-{high}", value=getattr(d, name),
                            on_value=lambda v, n=name: set_field(n, int(v) if v is not None else 0),
                            classes=[f"control-{name}"])
            ControlError(name, problem)
        solara.SliderFloat("Share of the eligible who enroll", value=d.enroll_share, min=0.0, max=1.0, step=0.05,
                           on_value=lambda v: set_field("enroll_share", round(float(v), 2)))
        ControlError("enroll_share", problem)
        names = level_names(d.org)
        solara.SelectMultiple("Mentee levels", values=[names[i] for i in d.mentee_levels if i < len(names)],
                              all_values=names,
                              on_value=lambda v: set_field("mentee_levels", tuple(sorted(names.index(x) for x in v))))
        ControlError("mentee_levels", problem)
        solara.Switch(label="Mentor training", value=d.mentor_training, on_value=lambda v: set_field("mentor_training", v))
        solara.Switch(label="Goal setting", value=d.goal_setting, on_value=lambda v: set_field("goal_setting", v))
        solara.Switch(label="Monitoring and rematching", value=d.monitoring, on_value=lambda v: set_field("monitoring", v))
    low, high = RANGES["seeds"]
    solara.InputInt(f"Paired seeds, {low}-{high}", value=d.seeds, on_value=lambda v: set_field("seeds", int(v or 0)),
                    classes=["control-seeds"])
    ControlError("seeds", problem)
    control, message = problem
    if message and control is None:
        solara.Error(message, dense=True, classes=["error-design"])
    with solara.Row():
        solara.Button("Run", color="primary", disabled=bool(message) or run_design.pending,
                      on_click=lambda: run_design(design.value), classes=["run-button"])
        solara.Button("Cancel", disabled=not run_design.pending, on_click=run_design.cancel, classes=["cancel-button"])
    if run_design.pending:
        solara.ProgressLinear(run_design.progress or True)
        solara.Text(f"running {d.seeds} paired seeds (program and twin) in worker processes...")


@solara.component
def Results():
    runs, seed = results.value, seed_run.value
    if run_design.error:
        solara.Error(f"The run failed: {run_design.exception}")
    if runs is None:
        solara.Info("Choose a design and press Run: the program and its twin run over several paired seeds.")
        return
    solara.Markdown(f"**{status.value}**")
    solara.Markdown(headline_markdown(runs), style={"font-size": "15px"})
    with solara.Row():
        solara.Button(f"Pin this design ({len(pinned.value)}/{MAX_PINNED})", classes=["pin-button"],
                      disabled=len(pinned.value) >= MAX_PINNED,
                      on_click=lambda: pinned.set([*pinned.value, (ran_design.value.label(), runs)]))
        if seed is not None:
            solara.FileDownload(lambda: seed.report("pdf"), filename="mentorsim-report.pdf", label="Download report (PDF)")
            solara.FileDownload(lambda: seed.report("html"), filename="mentorsim-report.html",
                                label="Download report (HTML)")
    if seed is not None:
        solara.Markdown("Charts of one seed (seed 0 of the design); the figures above are over every seed.")
        with solara.GridFixed(columns=2):
            for name, png in seed.charts.items():
                solara.Image(png, width="100%", classes=[f"chart-{name}"])


@solara.component
def Compare():
    rows = pinned.value
    if not rows:
        solara.Info("Pin up to four designs from the Results tab to compare them here.")
        return
    frame = comparison_frame(rows)
    solara.Markdown(markdown_table(frame))
    solara.Image(comparison_chart(rows), width="80%")
    solara.Button("Clear pinned designs", on_click=lambda: pinned.set([]))


@solara.component
def WatchRun():
    w = watch.value
    with solara.Row():
        solara.Button("Start a run of this design (seed 0)", classes=["watch-start"],
                      on_click=lambda: (watch.set(Watch(design.value.overrides())), watch_week.set(0)))
        if w is not None:
            for weeks in (1, 13, 52):
                solara.Button(f"+{weeks} week{'s' if weeks > 1 else ''}", disabled=w.done,
                              on_click=lambda n=weeks: (w.step(n), watch_week.set(w.model.week)))
    if w is None:
        return
    frame = w.frame()
    last = frame.iloc[-1]
    solara.Markdown(f"**Week {int(last['week'])} of {w.model.horizon}**: {int(last['live_pairs'])} live mentoring "
                    f"pairs, {int(last['open_seats'])} open seats.")
    levels = [c for c in frame.columns if c.startswith("headcount.")]
    recent = frame[["week", "live_pairs", "open_seats", *levels]].tail(8)
    solara.Markdown(markdown_table(recent.rename(columns=lambda c: c.replace("headcount.", ""))))
    solara.Markdown("Employees (Mesa agents, first 200):")
    solara.DataFrame(w.agents(), items_per_page=10)


@solara.component
def Page():
    solara.Title("mentorsim explorer")
    solara.Markdown("## mentorsim explorer: try a mentoring program before rolling it out")
    with solara.Columns([1, 3]):
        with solara.Card(margin=0):
            DesignPanel()
        with solara.lab.Tabs():
            with solara.lab.Tab("Results"):
                Results()
            with solara.lab.Tab("Compare"):
                Compare()
            with solara.lab.Tab("Watch one run"):
                WatchRun()
