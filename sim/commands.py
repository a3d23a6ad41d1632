"""`mentorsim collect | compare | report | sensitivity`, and the help that lists every command.

Every user mistake, and every folder these commands cannot use, is one line on stderr,
`mentorsim: error: <key, option or folder> = <value>: <what is allowed>`, and exit code 2;
a file is written whole (under a temporary name, renamed into place) or not at all.
"""
from __future__ import annotations

import argparse
import math
import sys
from datetime import datetime
from pathlib import Path

from .config.checks import ConfigError

PROG = "mentorsim"


def _fail(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line and exit 2, like every other user mistake
        if " = " in message:  # our own type checks already name the option and the value
            message = message.split(": ", 1)[1] if message.startswith("argument ") else message
            print(f"{PROG}: error: {message}", file=sys.stderr)
        else:
            print(f"{PROG}: error: {self.prog.split()[-1]}: {message}", file=sys.stderr)
        sys.exit(2)


def _number(option: str, allowed: str, ok):
    """An argparse type: a float that `ok` accepts, else a one-line message naming the option."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = None
        if value is None or not ok(value):
            raise argparse.ArgumentTypeError(f"{option} = {text!r}: {allowed}")
        return value
    return parse


def _sweep_dir(text: str) -> Path:
    path = Path(text)
    if not path.is_dir():
        raise ConfigError(f"SWEEP_DIR = {text!r}: not a folder")
    return path


def _write(path: Path, write) -> None:
    """Write a result file whole or not at all; a full disk or a read-only folder is one line."""
    from .runs.folder import _atomic_write

    try:
        _atomic_write(path, write)
    except OSError as err:
        raise ConfigError(f"{path.name} = {str(path)!r}: cannot be written ({err.strerror or err}); "
                          f"free space or choose a writable folder") from None


def _collected(sweep: Path):
    from .studies.collect import collect

    table = collect(sweep, write=False)
    if table.empty:
        raise ConfigError(f"SWEEP_DIR = {str(sweep)!r}: no run folders here (a sweep folder holds job "
                          f"folders with a status.json or .hydra/, or a multirun.yaml)")
    return table


def cmd_collect(args) -> int:
    from .studies.collect import RUNS_FILE, describe

    sweep = _sweep_dir(args.sweep_dir)
    table = _collected(sweep)
    _write(sweep / RUNS_FILE, lambda p: table.to_parquet(p, index=False))
    for line in describe(table):
        print(f"{PROG}: {line}")
    print(f"{PROG}: wrote {sweep / RUNS_FILE}")
    return 0


def cmd_compare(args) -> int:
    from .studies.collect import describe
    from .studies.compare import compare, format_table, metric_unit, output_name, parse_baseline

    sweep = _sweep_dir(args.sweep_dir)
    baseline = parse_baseline(args.baseline)
    table = _collected(sweep)
    if (table["status"] == "complete").sum() == 0:
        return _fail(f"SWEEP_DIR = {args.sweep_dir!r}: no complete runs; "
                     + "; ".join(line.strip() for line in describe(table)[:4]))
    result = compare(table, baseline, args.metric, confidence=args.confidence, precision=args.precision)
    for line in (line.strip() for line in describe(table)[1:]):
        print(f"{PROG}: {line}" if line.startswith("note:") else f"{PROG}: not compared: {line}")
    level = f"{100 * args.confidence:g}%"
    print(f"{PROG}: each scenario minus its baseline, run by run on the same seed: mean and {level} interval "
          f"(rates in percentage points)")
    print(format_table(result))
    for scenario in result.loc[result["n_pairs"] == 0, "scenario"].unique() if not result.empty else []:
        print(f"{PROG}: no pairs: {scenario}: no complete baseline run with the same seed and other overrides")
    if args.precision is not None:
        scale, unit = metric_unit(args.metric[0])
        print(f"{PROG}: seeds_needed: seeds for a {level} interval half-width of --precision {args.precision:g} "
              f"(in {args.metric[0]}: {args.precision * scale:g}{' ' + unit if unit else ''})")
    out = sweep / output_name(baseline)
    _write(out, lambda p: result.to_csv(p, index=False))
    print(f"{PROG}: wrote {out}")
    return 0


def cmd_sensitivity(args) -> int:
    from .config.load import config_dir
    from .studies.sensitivity import Spec, run_sensitivity

    spec_path = Path(args.spec) if args.spec else config_dir() / "sensitivity" / "default.yaml"
    options = {"jobs": args.jobs, "trajectories": args.trajectories, "seeds": args.seeds}
    spec = Spec.load(spec_path, args.overrides, options)  # the spec's rules apply to the options too
    out = Path(args.out or f"outputs/sensitivity/{datetime.now():%Y-%m-%d_%H-%M-%S}")
    table = run_sensitivity(spec, out, progress=sys.stderr.isatty(), out_key="--out")
    cols = [c for c in ("outcome", "parameter", "mu_star", "mu_star_conf", "sigma", "S1", "ST",
                        "above_noise_floor") if c in table]
    print(table[cols].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print(f"{PROG}: wrote {out}")
    return 0


def cmd_report(args) -> int:
    from .present.report import check_folder, write_report

    if args.compare is not None:
        from .present.compare_page import report_compare

        if check_folder(args.folder) != "sweep":  # a folder it cannot use is a ConfigError
            return _fail(f"--compare = {args.compare!r}: compares designs of a sweep; FOLDER = {args.folder!r} "
                         f"is a run or sensitivity folder")
        paths = report_compare(args.folder, args.compare)
        print(f"{PROG}: wrote {paths[0]}, {paths[1]} and {paths[2]}")
        return 0
    html_path, pdf_path = write_report(args.folder)  # a folder it cannot use is a ConfigError
    print(f"{PROG}: wrote {html_path} and {pdf_path}")
    return 0


COMMANDS = {
    "collect": "a sweep's job folders -> runs.parquet; lists failed, damaged, killed, unstarted jobs",
    "compare": "scenarios against a baseline (a swept value, or each run's twin), paired on seeds",
    "report": "HTML and PDF report of a run, sweep or sensitivity folder",
    "sensitivity": "Morris or Sobol sensitivity of outcomes to parameters (SALib)",
    "hris": "HR data: check an extract, or export a run as one",
    "calibrate": "fit an organization config to an HR extract",
    "explore": "interactive explorer: a local web app (127.0.0.1) to try program designs",
}

HELP = f"""usage: {PROG} [KEY=VALUE ...]          simulate one scenario (with its no-program twin), write a run folder
       {PROG} -m KEY=A,B ... [...]     a sweep (Hydra multirun): one run folder per job
       {PROG} COMMAND [ARGS]           a command on run, sweep or sensitivity folders

An agent-based simulator of an organization's talent pipeline and its mentoring programs.

commands:
{{commands}}

  {PROG} COMMAND --help        a command's arguments
  {PROG} --config-help         the config groups and their options (Hydra's help for this app)
  {PROG} --cfg job [KEY=VALUE]  print the composed configuration
  {PROG} --hydra-help          Hydra's own flags (--multirun, --cfg, --info, shell completion)

Overrides are Hydra's: org=small sim.horizon_years=5 program=onboarding matching=optimal ...
A mistake is one line on stderr and exit code 2. Documentation: README.md and docs/MODEL.md.
"""


def _calibrate_with_report(args) -> int:
    """`mentorsim calibrate`, with its fit report (drawn by sim.present, a layer above sim.hris)."""
    from .hris.cli import cmd_calibrate
    from .present.fit_report import write_fit_report

    return cmd_calibrate(args, report=write_fit_report)


def main_help() -> str:
    """`mentorsim --help`: every command with a line each, and where Hydra's own help is."""
    width = max(map(len, COMMANDS))
    lines = [f"  {'(none)':<{width}}  simulate, or sweep with -m (Hydra overrides)"]
    lines += [f"  {name:<{width}}  {text}" for name, text in COMMANDS.items()]
    return HELP.format(commands="\n".join(lines))


def cmd_explore(args) -> int:
    import os

    if not 1 <= args.port <= 65535:
        return _fail(f"--port = {args.port}: must be from 1 to 65535")
    if args.config_dir:
        folder = Path(args.config_dir)
        if not (folder / "config.yaml").is_file():
            return _fail(f"--config-dir = {args.config_dir!r}: not a config folder (it needs config.yaml)")
        os.environ["MENTORSIM_CONFIG_DIR"] = str(folder.resolve())
    from .present.explorer.server import serve

    try:
        serve(port=args.port, host=args.host)
    except KeyboardInterrupt:
        pass
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="mentorsim commands on run, sweep and sensitivity folders")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p = sub.add_parser("collect", help=COMMANDS["collect"],
                       description=COMMANDS["collect"] + ". Writes runs.parquet in the sweep folder.")
    p.add_argument("sweep_dir", help="the sweep folder (hydra.sweep.dir)")
    p.set_defaults(fn=cmd_collect)
    p = sub.add_parser("compare", help=COMMANDS["compare"],
                       description=COMMANDS["compare"] + ". Writes comparison_<baseline>.csv in the sweep folder "
                       "(raw metrics.json units); prints rates in percentage points.")
    p.add_argument("sweep_dir", help="the sweep folder (hydra.sweep.dir)")
    p.add_argument("--baseline", nargs="+", default=["twin"],
                   help="KEY=VALUE ... (the baseline scenario's overrides) or 'twin' (default)")
    p.add_argument("--metric", action="append", default=None, help="a metrics.json key (repeatable; default turnover_annual)")
    p.add_argument("--confidence", default=0.95, help="of the intervals, a fraction in (0, 1) (default 0.95)",
                   type=_number("--confidence", "must be a fraction in (0, 1), e.g. 0.95 for 95%",
                                lambda v: 0 < v < 1))
    p.add_argument("--precision", default=None,
                   help="target half-width of the interval, in the metric's own units (a fraction for rates: "
                        "0.002 = 0.2 points): adds the seeds needed",
                   type=_number("--precision", "must be a positive number, in the metric's own units",
                                lambda v: math.isfinite(v) and v > 0))
    p.set_defaults(fn=cmd_compare)
    p = sub.add_parser("sensitivity", help=COMMANDS["sensitivity"], description=COMMANDS["sensitivity"])
    p.add_argument("--spec", help="a YAML spec (default: configs/sensitivity/default.yaml)")
    p.add_argument("--out", help="output folder (default: outputs/sensitivity/<timestamp>)")
    p.add_argument("--jobs", type=int, help="worker processes (-1: every core)")
    p.add_argument("--trajectories", type=int, help="Morris trajectories")
    p.add_argument("--seeds", type=int, help="simulation seeds averaged per sample (default: the spec's seeds)")
    p.add_argument("overrides", nargs="*", help="Hydra overrides applied to every run")
    p.set_defaults(fn=cmd_sensitivity)
    p = sub.add_parser("report", help=COMMANDS["report"], description=COMMANDS["report"])
    p.add_argument("folder", help="a run folder, a sweep folder or a sensitivity folder")
    p.add_argument("--compare", metavar="KEY=A,B", default=None,
                   help="a sweep's designs side by side on one page (2 to 4 values of one swept key, paired "
                        "on seeds): compare_<key>-<values>.html, .pdf and .png in the sweep folder")
    p.set_defaults(fn=cmd_report)
    from .hris.cli import add_calibrate_parser, add_hris_parser

    add_hris_parser(sub)
    add_calibrate_parser(sub)
    sub.choices["calibrate"].set_defaults(fn=_calibrate_with_report)
    p = sub.add_parser("explore", help=COMMANDS["explore"],
                       description=COMMANDS["explore"])
    p.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1: only this machine can connect)")
    p.add_argument("--config-dir", help="a config folder (organizations calibrated from HR data, presets)")
    p.set_defaults(fn=cmd_explore)
    return parser


def dispatch(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "metric", "absent") is None:
        args.metric = ["turnover_annual"]
    try:
        return args.fn(args)
    except ConfigError as err:
        return _fail(str(err))
