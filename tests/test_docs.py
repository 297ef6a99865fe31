"""The docs document every command and setting, their tables match the code, and every `siaran …`
line they show is a real command whose options parse (like sqlite-utils' test_docs)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest

from siaran.cli import cli
from siaran.cli.base import COMMANDS
from siaran.config import SETTINGS, Setting

REPO = Path(__file__).parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")
REFERENCE = REPO / "docs" / "reference"
COMMANDS_DOC = (REFERENCE / "commands.md").read_text(encoding="utf-8")
SETTINGS_DOC = (REFERENCE / "settings.md").read_text(encoding="utf-8")
DOCS = [*sorted((REPO / "docs").rglob("*.md")), REPO / "README.md"]


def _commands(group: click.Group, prefix: str = ""):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", cmd


@pytest.mark.parametrize(("name", "cmd"), list(_commands(cli)), ids=lambda v: v if isinstance(v, str) else "")
def test_command_has_help_and_is_in_the_reference(name, cmd):
    assert cmd.help, f"siaran {name} has no help text"
    assert f"siaran {name}" in COMMANDS_DOC, f"docs/reference/commands.md does not mention `siaran {name}`"


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


def _default(s: Setting) -> str:
    if s.default == "" or s.default is None:
        return "(empty)"
    if isinstance(s.default, bool):
        return str(s.default).lower()
    return f"`{s.default}`" if isinstance(s.default, str) else str(s.default)


def settings_table() -> str:
    """The settings table of docs/reference/settings.md, from SETTINGS."""
    rows = ["| Environment variable | siaran.toml | Default | Meaning |", "|---|---|---|---|"]
    for s in SETTINGS:
        where = "— (secret: environment or .env only)" if s.secret else f"`[{s.section}] {s.key}`"
        rows.append(f"| `{s.env}` | {where} | {_default(s)} | {s.help} |")
    return "\n".join(rows)


def test_the_settings_table_is_generated_from_the_code():
    section = re.search(r"<!-- settings:start -->\n(.*?)\n<!-- settings:end -->", SETTINGS_DOC, re.DOTALL)
    assert section, "docs/reference/settings.md has no settings table"
    assert section[1] == settings_table(), "settings table is stale: paste tests/test_docs.py settings_table()"


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.env)
def test_setting_is_documented(setting):
    assert setting.env in SETTINGS_DOC, f"docs/reference/settings.md does not document {setting.env}"


def _shell_lines(text: str):
    """The lines of the shell code blocks (```sh, ```bat, ```console or bare) of a Markdown text."""
    fence = None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("```"):
            fence = None if fence is not None else stripped[3:].strip()
        elif fence in ("sh", "bat", "bash", "console", ""):
            yield stripped


def shown_commands() -> list[tuple[str, str]]:
    """Every `siaran …` command line inside a shell code block of the README and docs: (file, line)."""
    found = []
    for path in DOCS:
        for line in _shell_lines(path.read_text(encoding="utf-8")):
            for part in re.split(r"&&|;|\|", line.split(" #")[0]):
                words = part.strip().split()
                while words and ("=" in words[0] or words[0] == "$"):
                    words.pop(0)  # SIARAN_NOW=… prefixes, a prompt
                if words and words[0].endswith("siaran") and len(words) > 1:
                    found.append((str(path.relative_to(REPO)), " ".join(words)))
    return found


def resolve(args: list[str]) -> None:
    """Parse ``args`` as `siaran` would (options and arguments checked), without running anything."""
    try:
        ctx = cli.make_context("siaran", list(args))
        group, rest = cli, [*ctx._protected_args, *ctx.args]
        while rest:
            cmd = group.get_command(ctx, rest[0])
            assert cmd is not None, f"no command {rest[0]!r}"
            ctx = cmd.make_context(rest[0], rest[1:], parent=ctx)
            if not isinstance(cmd, click.Group):
                return
            group, rest = cmd, [*ctx._protected_args, *ctx.args]
    except click.exceptions.Exit as e:  # --version, --help
        assert e.exit_code == 0


@pytest.mark.parametrize(("where", "line"), shown_commands())
def test_every_command_shown_in_the_docs_exists_and_parses(where, line):
    args = shlex.split(line.replace("\\", "/"))[1:]
    args = [a for a in args if a not in (">", ">>")]
    resolve([a for a in args if not a.startswith("~/.config")])


def test_the_docs_show_commands_at_all():
    found = {where for where, _line in shown_commands()}
    assert "README.md" in found and any(w.startswith("docs/panduan/") for w in found)


def test_readme_is_a_newcomers_page_and_its_test_command_is_ci():
    assert len(README.encode("utf-8")) <= 20_000
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.DOTALL)
    assert len(blocks) == 2, "the README shows exactly two commands"
    assert blocks[1] in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()


def test_every_link_between_docs_resolves():
    for path in DOCS:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text(encoding="utf-8")):
            if "://" not in target:
                assert (path.parent / target).exists(), f"{path.relative_to(REPO)}: broken link {target}"


def test_the_readme_ringkas_steps_run_on_an_init_project(run, tmp_path):
    """The Ringkas steps, as a newcomer types them, on what `siaran init` writes."""
    steps = re.findall(r"`(siaran [^`]+)`", README.split("## Ringkas", 1)[1].split("\n## ", 1)[0])
    target = tmp_path / "kantor-saya"
    assert steps[0] == "siaran init kantor-saya"
    assert run("init", str(target)).exit_code == 0
    now = {"SIARAN_NOW": "2026-12-07T09:00:00+07:00"}
    for step in ("siaran check", "siaran preview announcements/pengumuman-contoh",
                 "siaran send announcements/pengumuman-contoh --now"):  # fmt: skip
        assert step in steps, step
        res = run(*shlex.split(step)[1:], root=target, env=now)
        assert res.exit_code == 0, (step, res.all)
