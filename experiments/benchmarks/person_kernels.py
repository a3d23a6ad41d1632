"""The per-person kernels of every week, alone: ns per person-week of develop and the exit draws.

    python experiments/benchmarks/person_kernels.py                    # 1k, 100k, 1M rows
    python experiments/benchmarks/person_kernels.py --sizes 100000 --calls 50
    NUMBA_NUM_THREADS=1 python experiments/benchmarks/person_kernels.py   # the parallel build on one thread

The state is a real one: the default organization (default program, twin off) scaled to each
size and run for --weeks weeks, so the shares of mentored people, of rows past retirement and of
noise branches are the model's. Each kernel is then called --calls times in a row, week after
week, on copies of that state (develop changes it), serial and parallel build alike; the table
gives the smallest of --repeats such sweeps per call, wall and CPU (every thread of the process),
per live row. Other load only ever adds time, so the minimum is the figure to compare, and CPU
time says what two threads cost together.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def state_at(employees: int, weeks: int):
    """An OrgModel of the default organization scaled to `employees`, `weeks` weeks in."""
    from scale import scaled_config

    from sim.engine.model import OrgModel
    from sim.mentoring.program import Program

    cfg = scaled_config(employees, 1, "default")
    model = OrgModel(cfg, [Program(p, i) for i, p in enumerate(cfg.programs())])
    for _ in range(weeks):
        model.step()
    return model


def develop_call(model, build):
    """A closure that runs the develop kernel (`build`: serial or parallel) on a copy of the state."""
    p, o, dyn = model.pop, model.org, model.dynamics
    arrays = {name: getattr(p, name).copy() for name in
              ("competency", "confidence", "engagement", "belonging", "readiness", "unmentored_competency")}
    market = dyn.market_competency.copy()
    s = model.streams

    def call(week):
        build(p.active, p.count, p.draw_key, p.level, p.talent, p.talent_own, arrays["competency"],
              arrays["confidence"], arrays["engagement"], arrays["belonging"], arrays["readiness"], p.mentored,
              arrays["unmentored_competency"], market, o.profile, o.target, o.next_level, dyn._dev_args,
              s["development"], s["state_noise"], week)

    return call


def exits_call(model, build):
    """The same for the exit draw (voluntary exits on, whatever the config's attrition mode)."""
    p, o, dyn = model.pop, model.org, model.dynamics
    code = dyn.exit_code.copy()

    def call(week):
        build(p.active, p.count, p.draw_key, p.level, p.hire_week, p.retire_week, dyn.market_competency,
              p.confidence, p.engagement, p.belonging, p.passed_over, p.participation, p.hazard_shift, p.frailty,
              o.profile, o.demand, o.base_hazard_week, dyn.participation_effect, dyn._hazard_args,
              model.streams["attrition"], week, True, code)

    return call


def score_call(model, build):
    p, o, dyn, cfg = model.pop, model.org, model.dynamics, model.cfg
    performance = p.performance.copy()

    def call(week):
        build(p.active, p.count, p.draw_key, p.level, p.group, p.competency, o.profile, o.n_levels,
              cfg.performance.skill_signal, dyn.group_bias, dyn.group_shift, model.streams["performance"], week,
              performance)

    return call


def hipo_call(model, _build):
    from sim.engine import review_kernels

    p, o, cfg = model.pop, model.org, model.cfg
    hipo = p.hipo.copy()

    def call(week):
        review_kernels.flag_high_potentials(p.active, p.count, p.level, p.performance, o.n_levels,
                                            cfg.review.hipo_share, hipo)

    return call


def time_calls(call, start_week: int, calls: int, repeats: int) -> tuple[float, float]:
    """Smallest (wall, CPU) seconds per call over `repeats` sweeps of `calls` calls."""
    call(start_week)  # compiled / loaded before timing
    wall = cpu = float("inf")
    for _ in range(repeats):
        c0, w0 = time.process_time(), time.perf_counter()
        for j in range(calls):
            call(start_week + 1 + j)
        wall = min(wall, (time.perf_counter() - w0) / calls)
        cpu = min(cpu, (time.process_time() - c0) / calls)
    return wall, cpu


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000, 1_000_000])
    parser.add_argument("--weeks", type=int, default=30, help="weeks run before timing (realistic state)")
    parser.add_argument("--calls", type=int, default=0, help="calls a sweep (0: about 2e7 person-weeks' worth)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--kernels", nargs="+", default=["develop", "exits"],
                        choices=["develop", "exits", "score", "hipo"])
    args = parser.parse_args(argv)

    import numba

    from sim.engine import exit_kernels, kernels, review_kernels

    makers = {"develop": (develop_call, kernels.develop), "exits": (exits_call, exit_kernels.draw_exits),
              "score": (score_call, review_kernels.score_performance), "hipo": (hipo_call, None)}
    print(f"numba threads: {numba.get_num_threads()}; smallest of {args.repeats} sweeps; ns per live row a call")
    print(f"{'kernel':<8} {'rows':>9} {'build':<9} {'wall ns':>8} {'cpu ns':>8} {'wall us/call':>13}")
    for size in args.sizes:
        model = state_at(size, args.weeks)
        live = int(model.pop.active[: model.pop.count].sum())
        calls = args.calls or max(3, min(200, 20_000_000 // max(live, 1)))
        for name in args.kernels:
            make, dual = makers[name]
            builds = [("serial", dual.serial), ("parallel", dual.parallel)] if dual is not None else [("serial", None)]
            for label, build in builds:
                wall, cpu = time_calls(make(model, build), model.week, calls, args.repeats)
                print(f"{name:<8} {live:>9,} {label:<9} {1e9 * wall / live:>8.2f} {1e9 * cpu / live:>8.2f} "
                      f"{1e6 * wall:>13.1f}", flush=True)


if __name__ == "__main__":
    main()
