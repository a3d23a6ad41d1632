"""`mentorsim hris check | export` and `mentorsim calibrate`: argument parsing and what they print.

The parsers are added to the front door's (`sim.commands`); every user mistake is an `HRDataError`
(a ConfigError), printed there as one line with exit code 2.
"""
from __future__ import annotations

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
    hris = sub.add_parser("hris", help="HR data: check an extract, or export a run as one")
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
