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


def precheck(argv: list[str]) -> None:
    """Compose and validate before Hydra starts, so mistakes are one line and exit 2.

    In a sweep, every value of every swept key is checked once (the others at
    their first value), so a misspelt option fails before any job starts.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    from .config import load_config

    overrides = [a for a in argv if not a.startswith(("-", "hydra.", "hydra/", "+hydra", "~hydra"))]
    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
    except HydraException as err:
        fail(f"cannot parse the overrides: {err}".splitlines()[0])
    fixed, swept = [], []
    for text, override in zip(overrides, parsed):
        if override.is_sweep_override():
            if override.is_discrete_sweep():  # choices and ranges; intervals belong to optimizing sweepers
                key = override.get_key_element()
                swept.append([f"{key}={v}" for v in override.sweep_string_iterator()])
        else:
            fixed.append(text)
    combos = [[]] if not swept else []
    for i, values in enumerate(swept):
        others = [v[0] for j, v in enumerate(swept) if j != i]
        combos.extend([value, *others] for value in values)
    try:
        for combo in combos:
            load_config(fixed + combo)
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
    fill = m["internal_fill_rate_leadership"]
    print(f"{PROG}: {config.org.name} org, {m['years']:g} years, seed {config.sim.seed}: "
          f"turnover {m['turnover_annual']:.1%}/yr, internal leadership fill "
          f"{'n/a' if fill != fill else format(fill, '.0%')}, bench {m['bench_strength_end']:.2f} "
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
    if not any(a.startswith("--") for a in argv):  # --help, --cfg ... are Hydra's own
        precheck(argv)
    run_hydra(argv)


if __name__ == "__main__":
    main()
