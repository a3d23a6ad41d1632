"""The explorer's components, rendered without a browser (`solara.render`): controls and their
ranges, the CLI's one-line message beside an invalid control, a run that fills the results with
the same numbers as the paired-seed runner, and a watched run that ends where `sim.run` ends."""
from __future__ import annotations

import time

import ipyvuetify as v
import pytest
import solara

from sim import load_config, run
from sim.config.schema import ConfigError
from sim.present.explorer import app
from sim.present.explorer.design import RANGES, Design, check, from_preset, policies, presets
from sim.present.explorer.results import headline_rows
from sim.present.explorer.watch import Watch
from sim.studies.paired import PairedRunner, run_paired

SMALL = dict(org="small", seeds=2, horizon_years=2)


def widgets(root) -> list:
    """Every widget below `root` (the rendered tree, walked through `children`)."""
    found = [root]
    for child in getattr(root, "children", None) or []:
        if hasattr(child, "keys"):
            found += widgets(child)
    return found


@pytest.fixture
def page():
    app.design.set(from_preset("small", "default", seeds=2, horizon_years=2))
    app.results.set(None)
    app.pinned.set([])
    box, rc = solara.render(app.Page(), handle_error=False)
    rc.box = box
    yield rc
    rc.close()


def text_field(rc, label_start: str):
    return next(w for w in rc.find(v.TextField).widgets if w.label.startswith(label_start))


def test_controls_exist_with_their_ranges(page):
    labels = [w.label for w in page.find(v.TextField).widgets]
    for name, label in [("cadence_weeks", "Meeting cadence"), ("length_weeks", "Length"),
                        ("mentor_capacity", "Mentees per mentor"), ("seeds", "Paired seeds")]:
        low, high = RANGES[name]
        assert any(lbl.startswith(label) and lbl.endswith(f"{low}-{high}") for lbl in labels), (name, labels)
    selects = {w.label: w.items for w in page.find(v.Select).widgets}
    assert selects["Organization"] == presets("org") and "small" in selects["Organization"]
    assert selects["Program"] == presets("program") and "hipo_leadership" in selects["Program"]
    assert selects["Matching policy"] == policies() and "optimal" in selects["Matching policy"]
    switches = [w.label for w in page.find(v.Switch).widgets]
    assert {"Mentor training", "Goal setting", "Monitoring and rematching"} <= set(switches)


def test_an_invalid_value_shows_the_command_lines_message_beside_its_control(page):
    field = text_field(page, "Meeting cadence")
    field.v_model = "0"
    field.fire_event("focusout", None)  # the control commits when it loses focus, as in the browser
    with pytest.raises(ConfigError) as cli:
        load_config(Design(**{**app.design.value.__dict__, "cadence_weeks": 0}).overrides())
    shown = page.find(v.Alert, class_="error-cadence_weeks")
    shown.assert_single()
    assert str(cli.value) in str(shown.widget.children)
    assert page.find(v.Btn, children=["Run"]).widget.disabled


def test_a_preset_resets_the_controls_to_its_own_values(page):
    page.find(v.Select, label="Program").widget.v_model = "hipo_leadership"
    d = app.design.value
    cfg = load_config(["org=small", "program=hipo_leadership"])
    assert (d.cadence_weeks, d.length_weeks, d.mentor_capacity) == (
        cfg.program.cadence_weeks, cfg.program.length_weeks, cfg.program.mentor_capacity)
    assert d.matching == cfg.program.matching.policy and d.matching_in_program
    assert check(d) == (None, None)


def test_a_run_shows_the_paired_seed_figures(page, monkeypatch):
    monkeypatch.setattr(app, "RUNNER", PairedRunner(jobs=1))
    page.find(v.Btn, children=["Run"]).widget.click()
    deadline = time.time() + 600
    while (app.results.value is None or app.run_design.pending) and not app.run_design.error:
        assert time.time() < deadline, "the run did not finish"
        time.sleep(0.2)
    expected = headline_rows(run_paired(app.design.value.overrides(), seeds=2, jobs=1))
    assert not app.run_design.error, app.run_design.exception
    rendered = " ".join(str(getattr(w, "template", "") or "") for w in widgets(page.box))
    for row in expected:  # each figure's row, as the page's markdown table renders it
        assert all(f">{cell}<" in rendered for cell in (row["figure"], row["mean"], row["interval"])), (
            row, [line for line in rendered.splitlines() if "<td>" in line])
    images = [w for w in widgets(page.box) if type(w).__name__ == "Image"]
    assert len(images) == len(app.seed_run.value.charts) >= 4  # the chart pack of seed 0 is shown
    app.RUNNER.close()


def test_a_watched_run_ends_where_sim_run_ends():
    overrides = Design(**{**from_preset("small", "default").__dict__, "horizon_years": 1}).overrides()
    watched = Watch(overrides, seed=3)
    watched.step(200)
    assert watched.done and watched.frame()["week"].iloc[-1] == watched.model.horizon
    full = run(load_config([*overrides, "sim.seed=3", "sim.agent_views=auto"]))
    assert (watched.model.pop.headcount_by_level(6) == full.model.pop.headcount_by_level(6)).all()
    assert watched.model.metrics.flows.sum() == full.model.metrics.flows.sum()


def test_the_servers_drawings_take_turns(monkeypatch):
    """Charts, the comparison chart and the report draw holding one lock: matplotlib's settings are the
    process's, and two threads drawing at once could leave one's behind."""
    from pathlib import Path

    from sim.present.explorer import results

    held = []

    def drawing(*args, **kwargs):
        held.append(results.DRAWING.locked())
        raise RuntimeError("stop here")

    monkeypatch.setattr(results, "run", lambda cfg: None)
    for name in ("run_charts", "write_report", "figure"):
        monkeypatch.setattr(results, name, drawing)
    seed_run = results.SeedRun(["program=default"], result=type("R", (), {"save": lambda *a, **k: Path(".")})())
    for draw in (lambda: results.SeedRun.of([]), lambda: seed_run.report(), lambda: results.comparison_chart([])):
        with pytest.raises(RuntimeError, match="stop here"):
            draw()
    assert held == [True, True, True] and not results.DRAWING.locked()
