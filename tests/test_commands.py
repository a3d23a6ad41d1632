"""The help: `mentorsim --help` lists every command; each side command has its own --help."""
from __future__ import annotations

import pytest

from sim.cli import SUBCOMMANDS, main
from sim.commands import COMMANDS, dispatch
from tests.conftest import mentorsim


def _exit(capsys, call) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as stop:
        call()
    out, err = capsys.readouterr()
    return stop.value.code, out, err


@pytest.mark.parametrize("flag", [["--help"], ["-h"], ["help"], ["org=small", "--help"]])
def test_main_help_lists_every_command_with_a_line_each(capsys, flag):
    code, out, err = _exit(capsys, lambda: main(flag))
    assert code == 0 and err == ""
    assert set(COMMANDS) == set(SUBCOMMANDS)
    for name, text in COMMANDS.items():
        assert sum(1 for line in out.splitlines() if line.split()[:1] == [name]) == 1, name
        assert text in out
    for pointer in ("--hydra-help", "--config-help", "COMMAND --help", "-m KEY=A,B"):
        assert pointer in out, pointer


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_each_command_has_its_own_help(capsys, command):
    code, out, err = _exit(capsys, lambda: dispatch([command, "--help"]))
    assert code == 0 and err == ""
    assert out.startswith(f"usage: mentorsim {command} ")
    assert COMMANDS[command].split(" (")[0][:40] in " ".join(out.split())


def test_an_unknown_command_is_one_line(capsys):
    code, out, err = _exit(capsys, lambda: main(["colect", "outputs/sweeps/x"]))
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("mentorsim: error: command = 'colect': unknown; commands: ")
    assert all(name in lines[0] for name in SUBCOMMANDS)


def test_a_side_command_usage_mistake_is_one_line(capsys):
    code, out, err = _exit(capsys, lambda: dispatch(["compare"]))
    assert code == 2 and out == ""
    assert err.splitlines() == ["mentorsim: error: compare: the following arguments are required: sweep_dir"]


def test_hydra_keeps_its_own_help(tmp_path):
    """--config-help is Hydra's help for this app (config groups); --hydra-help its own flags."""
    groups = mentorsim("--config-help", cwd=tmp_path)
    assert groups.returncode == 0, groups.stderr
    assert "== Configuration groups ==" in groups.stdout and "matching: " in groups.stdout
    flags = mentorsim("--hydra-help", cwd=tmp_path)
    assert flags.returncode == 0, flags.stderr
    assert "--multirun" in flags.stdout and "collect" not in flags.stdout
