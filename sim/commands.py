"""`mentorsim collect | compare | sensitivity`: argument parsing and one-line errors."""
from __future__ import annotations

import argparse
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
        print(f"{PROG}: error: {self.prog.split()[-1]}: {message}", file=sys.stderr)
        sys.exit(2)


def _sweep_dir(text: str) -> Path:
    path = Path(text)
    if not path.is_dir():
        raise ConfigError(f"SWEEP_DIR = {text!r}: not a folder")
    return path


def cmd_collect(args) -> int:
    from .studies.collect import RUNS_FILE, collect, describe

    table = collect(_sweep_dir(args.sweep_dir))
    for line in describe(table):
        print(f"{PROG}: {line}")
    if not table.empty:
        print(f"{PROG}: wrote {Path(args.sweep_dir) / RUNS_FILE}")
    return 0


def cmd_compare(args) -> int:
    from .runs.folder import _atomic_write
    from .studies.collect import collect, describe
    from .studies.compare import compare, format_table, parse_baseline

    sweep = _sweep_dir(args.sweep_dir)
    table = collect(sweep)
    if table.empty or (table["status"] == "complete").sum() == 0:
        return _fail(f"SWEEP_DIR = {args.sweep_dir!r}: no complete runs")
    try:
        baseline = parse_baseline(args.baseline)
        result = compare(table, baseline, args.metric, confidence=args.confidence, precision=args.precision)
    except (KeyError, ValueError) as err:
        return _fail(str(err).strip("'\""))
    for line in describe(table)[1:]:
        print(f"{PROG}: not compared: {line.strip()}")
    print(format_table(result))
    out = sweep / "comparison.csv"
    _atomic_write(out, lambda p: result.to_csv(p, index=False))
    print(f"{PROG}: wrote {out}")
    return 0


def cmd_sensitivity(args) -> int:
    from .config.load import config_dir
    from .studies.sensitivity import Spec, run_sensitivity

    spec_path = Path(args.spec) if args.spec else config_dir() / "sensitivity" / "default.yaml"
    spec = Spec.load(spec_path, args.overrides)
    if args.jobs is not None:
        spec.jobs = args.jobs
    if args.trajectories is not None:
        spec.trajectories = args.trajectories
    out = Path(args.out or f"outputs/sensitivity/{datetime.now():%Y-%m-%d_%H-%M-%S}")
    table = run_sensitivity(spec, out, progress=sys.stderr.isatty())
    cols = [c for c in ("outcome", "parameter", "mu_star", "mu_star_conf", "sigma", "S1", "ST") if c in table]
    print(table[cols].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print(f"{PROG}: wrote {out}")
    return 0


def cmd_report(args) -> int:
    from .present.report import write_report

    try:
        html_path, pdf_path = write_report(args.folder)
    except FileNotFoundError as err:
        return _fail(f"RUN_OR_SWEEP_DIR = {args.folder!r}: {err}")
    print(f"{PROG}: wrote {html_path} and {pdf_path}")
    return 0


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
    parser = _Parser(prog=PROG, description="mentorsim sweep tools")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p = sub.add_parser("collect", help="gather a sweep's run folders into runs.parquet")
    p.add_argument("sweep_dir")
    p.set_defaults(fn=cmd_collect)
    p = sub.add_parser("compare", help="scenarios vs a baseline on common random numbers")
    p.add_argument("sweep_dir")
    p.add_argument("--baseline", nargs="+", default=["twin"],
                   help="KEY=VALUE ... (the baseline scenario's overrides) or 'twin' (default)")
    p.add_argument("--metric", action="append", default=None, help="metrics.json key (repeatable)")
    p.add_argument("--confidence", type=float, default=0.95)
    p.add_argument("--precision", type=float, default=None, help="target CI half-width: seeds needed")
    p.set_defaults(fn=cmd_compare)
    p = sub.add_parser("sensitivity", help="Morris or Sobol sensitivity of outcomes to parameters (SALib)")
    p.add_argument("--spec", help="a YAML spec (default: configs/sensitivity/default.yaml)")
    p.add_argument("--out", help="output folder (default: outputs/sensitivity/<timestamp>)")
    p.add_argument("--jobs", type=int, help="worker processes")
    p.add_argument("--trajectories", type=int, help="Morris trajectories")
    p.add_argument("overrides", nargs="*", help="Hydra overrides applied to every run")
    p.set_defaults(fn=cmd_sensitivity)
    p = sub.add_parser("report", help="HTML and PDF report of a run, sweep or sensitivity folder")
    p.add_argument("folder")
    p.set_defaults(fn=cmd_report)
    p = sub.add_parser("explore", help="interactive explorer: a local web app to try program designs")
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
