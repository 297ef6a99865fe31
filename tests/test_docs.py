"""The README documents every command and every setting (like sqlite-utils' test_docs)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from siaran.cli import cli
from siaran.config import SETTINGS

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = ""):
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", cmd


@pytest.mark.parametrize(("name", "cmd"), list(_commands(cli)), ids=lambda v: v if isinstance(v, str) else "")
def test_command_has_help_and_is_in_readme(name, cmd):
    assert cmd.help, f"siaran {name} has no help text"
    assert f"siaran {name}" in README, f"README does not mention `siaran {name}`"


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.env)
def test_setting_is_documented(setting):
    assert setting.env in README, f"README does not document {setting.env}"
