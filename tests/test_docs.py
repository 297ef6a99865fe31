"""The README documents every command and every setting (like sqlite-utils' test_docs)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest

from siaran.cli import cli
from siaran.cli.base import COMMANDS
from siaran.config import SETTINGS

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = ""):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", cmd


@pytest.mark.parametrize(("name", "cmd"), list(_commands(cli)), ids=lambda v: v if isinstance(v, str) else "")
def test_command_has_help_and_is_in_readme(name, cmd):
    assert cmd.help, f"siaran {name} has no help text"
    assert f"siaran {name}" in README, f"README does not mention `siaran {name}`"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_lazy_command_help_matches_the_command(name):
    """`siaran --help` shows each command's help from COMMANDS without importing it: it must be the
    command's own first sentence, and the command must be where COMMANDS says."""
    cmd = cli.get_command(click.Context(cli), name)
    assert cmd is not None and cmd.name == name
    assert cmd.get_short_help_str(limit=500) == COMMANDS[name][1]


def test_help_lists_every_command_without_importing_them():
    code = (
        "import sys; from siaran.cli import cli; from click.testing import CliRunner; "
        "out = CliRunner().invoke(cli, ['--help']).output; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('httpx', 'sqlite_utils', 'PIL', "
        "'apscheduler', 'holidays', 'jinja2') or m.startswith('siaran.cli.') "
        "and m not in ('siaran.cli.base', 'siaran.cli.translate'))); "
        "print(out)"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    imported, _, help_text = res.stdout.partition("\n")
    assert imported == "[]"
    for name in COMMANDS:
        assert f"  {name} " in help_text


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.env)
def test_setting_is_documented(setting):
    assert setting.env in README, f"README does not document {setting.env}"
