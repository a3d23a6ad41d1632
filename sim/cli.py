"""Command line: `mentorsim [hydra overrides]` runs one scenario (or a sweep with -m).

A user mistake (bad override, bad value, inconsistent org) prints one line,
`mentorsim: error: <key> = <value>: <what is allowed>`, and exits with code 2.
"""
from __future__ import annotations

import sys

from .schema import ConfigError

EXIT_USAGE = 2
PROG = "mentorsim"


def fail(message: str, code: int = EXIT_USAGE):
    print(f"{PROG}: error: {message}", file=sys.stderr)
    sys.exit(code)


def _is_multirun(argv: list[str]) -> bool:
    return "-m" in argv or "--multirun" in argv


def _hydra_flags(argv: list[str]) -> bool:
    return any(a.startswith("-") for a in argv)


def precheck(argv: list[str]) -> None:
    """Compose and validate before Hydra starts, so mistakes are one line and exit 2."""
    from .config import load_config

    overrides = [a for a in argv if not a.startswith(("hydra.", "hydra/", "+hydra", "~hydra"))]
    try:
        load_config(overrides)
    except ConfigError as err:
        fail(str(err))


def _progress_printer(horizon_weeks: int):
    """A tqdm bar on an interactive terminal; silent otherwise."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bar = tqdm(total=horizon_weeks, unit="wk", desc="simulating", leave=False)

    def progress(week: int, horizon: int) -> None:
        bar.update(week - bar.n)
        if week >= horizon:
            bar.close()

    return progress


def task(cfg) -> float:
    """One Hydra job: validate, simulate, write the run folder, print the headline."""
    import logging

    from hydra.core.hydra_config import HydraConfig

    from . import api
    from .config import build, to_container

    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    try:
        config = build(to_container(cfg))
    except ConfigError as err:
        fail(str(err))
    folder = config.output.dir or HydraConfig.get().runtime.output_dir
    result = api.run(config, progress=_progress_printer(config.sim.horizon_weeks))
    try:
        result.save(folder)
    except OSError as err:
        fail(f"output.dir = {folder!r}: cannot write the run folder ({err.strerror})", code=1)
    m = result.metrics
    print(f"{PROG}: {config.org.name} org, {m['years']:.0f} years, seed {config.sim.seed}: "
          f"turnover {m['turnover_annual']:.1%}/yr, internal leadership fill "
          f"{m['internal_fill_rate_leadership']:.0%}, bench {m['bench_strength_end']:.2f} "
          f"({result.wall_seconds:.2f} s)")
    if result.twin is not None:
        names = ", ".join(p.name for p in config.programs())
        naive = m.get("naive.turnover_annual.mentee_minus_none", float("nan"))
        print(f"{PROG}: program {names} vs its twin (same seed, no program): turnover "
              f"{100 * m['effect.turnover_annual']:+.2f} pts/yr, promotions {m['effect.promotions_total']:+d}, "
              f"internal leadership fill {100 * m['effect.internal_fill_rate_leadership']:+.1f} pts; "
              f"naive mentees-vs-others turnover gap {100 * naive:+.2f} pts; cost {m['cost.total']:,.0f}, "
              f"ROI {m['roi']:+.2f}")
    print(f"{PROG}: wrote {folder}")
    return float(m["turnover_annual"])


def run_hydra(argv: list[str]) -> None:
    import hydra

    from .config import CONFIG_NAME, config_dir

    main = hydra.main(config_path=str(config_dir()), config_name=CONFIG_NAME, version_base="1.3")(task)
    sys.argv = [PROG, *argv]
    main()


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not _is_multirun(argv) and not _hydra_flags(argv):
        precheck(argv)
    run_hydra(argv)


if __name__ == "__main__":
    main()
