"""`mentorsim hris check | export` and `mentorsim calibrate`: argument parsing and what they print.

The parsers are added to the front door's (`sim.commands`); every user mistake is an `HRDataError`
(a ConfigError), printed there as one line with exit code 2.
"""
from __future__ import annotations

import sys
from pathlib import Path

PROG = "mentorsim"


def cmd_hris_check(args) -> int:
    from .load import load_hr_data

    data = load_hr_data(args.data_dir, args.columns)
    emp = data.employees
    print(f"{PROG}: {args.data_dir}: valid: {len(emp):,} employees ({emp['exit_date'].isna().sum():,} employed "
          f"on {data.as_of:%Y-%m-%d}), {len(data.job_history):,} job spells, {len(data.levels)} levels")
    return 0


def cmd_hris_export(args) -> int:
    from .export import export_run

    out = export_run(args.run_dir, args.out_dir, start=args.start, salt=args.salt)
    print(f"{PROG}: wrote {out}")
    return 0


def add_hris_parser(sub) -> None:
    """`mentorsim hris check DATA_DIR` and `mentorsim hris export RUN_DIR OUT_DIR`."""
    hris = sub.add_parser("hris", help="HR data: check an extract, or export a run as one",
                          description="HR data: check an extract, or export a run as one")
    hsub = hris.add_subparsers(dest="hris_command", required=True, parser_class=type(hris))
    p = hsub.add_parser("check", help="read and validate an HR extract (nothing is written)")
    p.add_argument("data_dir")
    p.add_argument("--columns", help="YAML column map: {table: {our column: the file's column}}")
    p.set_defaults(fn=cmd_hris_check)
    p = hsub.add_parser("export", help="write a run's history as an HR extract (CSV files)")
    p.add_argument("run_dir")
    p.add_argument("out_dir")
    p.add_argument("--start", default="2020-01-01", help="the date of week 0 (default 2020-01-01)")
    p.add_argument("--salt", help="salt of the pseudonymized employee ids (default: a random one)")
    p.set_defaults(fn=cmd_hris_export)


def cmd_calibrate(args, report=None) -> int:
    """Fit, write, print; `report(fit, data, config, out_dir, name, min_cell)` (from a higher layer)
    writes the fit report unless --no-report."""
    from .calibrate import calibrate
    from .report import fit_table

    def progress(done, total):
        print(f"{PROG}: backtest run {done} of {total}", file=sys.stderr, flush=True)

    path, fit = calibrate(args.data_dir, args.out, args.name, columns=args.columns, cut=args.cut,
                          min_cell=args.min_cell, backtest_seeds=args.backtest_seeds, end=args.end,
                          progress=progress, adjust_rounds=args.adjust_rounds)
    print(fit_table(fit, min_cell=args.min_cell).to_string())
    print(f"{PROG}: fitted {fit.since:%Y-%m-%d} to {fit.until:%Y-%m-%d}; wrote {path}, "
          f"{path.parent.parent / 'experiment' / path.name} and the snapshot "
          f"{path.parent.parent / 'snapshots' / path.with_suffix('.parquet').name}")
    bt = fit.backtest
    if bt is not None:
        by = bt.table.groupby("measure", sort=False)["covered"].mean()
        print(f"{PROG}: backtest {bt.cut:%Y-%m-%d} to {bt.end:%Y-%m-%d}, {bt.seeds} seeds: {bt.coverage:.0%} of "
              f"{bt.cells} cells (year x level x measure) inside the simulated 90% band ("
              + ", ".join(f"{m} {v:.0%}" for m, v in by.items())
              + f"); table in {path.parent.parent / 'reports' / args.name / 'backtest.csv'}")
    if report is not None and not args.no_report:
        from ..config.load import load_config

        config = load_config([f"hydra.searchpath=[file://{Path(args.out).resolve()}]", f"experiment={args.name}",
                              "program=none"])
        print(f"{PROG}: wrote the fit report {report(fit, fit.data, config, Path(args.out), args.name, args.min_cell)}"
              " (and report.pdf)")
    print(f"{PROG}: run it with: mentorsim --config-dir {args.out} experiment={args.name}")
    return 0


def add_calibrate_parser(sub) -> None:
    p = sub.add_parser("calibrate", help="fit an organization config to an HR extract",
                       description="fit an organization config to an HR extract")
    p.add_argument("data_dir")
    p.add_argument("--out", required=True, help="config folder to write org/NAME.yaml and experiment/NAME.yaml in")
    p.add_argument("--name", required=True, help="the organization's config name")
    p.add_argument("--columns", help="YAML column map: {table: {our column: the file's column}}")
    p.add_argument("--cut", help="fit only on data before this date (YYYY-MM-DD), e.g. for a backtest")
    p.add_argument("--backtest-seeds", type=int, help="with --cut: simulate from the cut to the end of the data "
                   "over this many seeds and report the 90%% band coverage (default 20; 0: no backtest)")
    p.add_argument("--end", help="with --cut: the end of observation for the backtest (default: the last date in "
                   "the data)")
    p.add_argument("--adjust-rounds", type=int, default=3, help="rounds of simulation that adjust the base rates "
                   "so that the model, state effects on, reproduces the data's voluntary turnover (default 3; 0: "
                   "keep the realized hazards)")
    p.add_argument("--no-report", action="store_true", help="do not write the fit report (HTML and PDF)")
    p.add_argument("--min-cell", type=int, default=5, help="suppress table cells of fewer people (default 5)")
    p.set_defaults(fn=cmd_calibrate)
