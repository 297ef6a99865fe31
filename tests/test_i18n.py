"""Bahasa Indonesia by default, English on request: the catalogs cover every message of the code."""

from __future__ import annotations

import ast
import gettext
import io
import re
import string
from datetime import date, timedelta
from pathlib import Path

import jinja2
import pytest

import siaran
from siaran import errors, i18n
from siaran.cli.catalogs import extract, msgids, read, untranslated


@pytest.fixture(scope="module")
def template():
    return extract()


def test_the_catalogs_hold_every_message_of_the_code(template):
    """Fails when code gained a message: run `python -m siaran.cli.catalogs`, then translate it."""
    for lang in i18n.LANGUAGES:
        assert msgids(read(lang)) == msgids(template), f"{lang}: .po is out of date with the code"


def test_every_message_has_an_indonesian_translation():
    assert untranslated(read("id")) == []


def _fields(text: str) -> set[str]:
    """The placeholders of a message: {name} in the code's, %(name)s in the page templates'."""
    if "%(" in text:
        return set(re.findall(r"%\((\w+)\)", text))
    return set() if "{%" in text else {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_translations_keep_the_placeholders():
    """A translation naming a placeholder the code does not pass would crash the message."""
    for m in read("id"):
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        wanted = set().union(*map(_fields, ids))
        for text in strings:
            assert _fields(text) <= wanted, m.id


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"SIARAN_LANG": "en"}, "en"),
        ({"SIARAN_LANG": "id"}, "id"),
        ({"LANG": "en_US.UTF-8"}, "id"),  # an office PC with English regional settings
        ({"LC_ALL": "en_GB.UTF-8", "LC_MESSAGES": "en_US"}, "id"),
        ({"LANG": "C.UTF-8"}, "id"),
        ({"SIARAN_LANG": "id", "LANG": "en_US.UTF-8"}, "id"),
    ],
)
def test_language_never_follows_the_os_locale(monkeypatch, env, expected):
    for var in ("SIARAN_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setattr("locale.getlocale", lambda *a: ("English_United States", "1252"))
    monkeypatch.setattr(i18n, "_project_language", None)
    assert i18n.language() == expected


def test_siaran_toml_chooses_english_and_siaran_lang_still_wins(run, project, monkeypatch):
    monkeypatch.delenv("SIARAN_LANG")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert "Periksa setiap" in run("check", "--help").output
    (project / "siaran.toml").write_text('[operator]\nlanguage = "en"\n', encoding="utf-8")
    assert "Validate every" in run("check", "--help").output
    monkeypatch.setenv("SIARAN_LANG", "id")
    assert "Periksa setiap" in run("check", "--help").output
    (project / "siaran.toml").write_text('[operator]\nlanguage = "fr"\n', encoding="utf-8")
    res = run("check")
    assert res.exit_code == 1 and "operator.language" in res.stderr
    monkeypatch.setattr(i18n, "_project_language", None)


def test_the_po_compiles_in_memory_when_no_mo_was_built():
    catalog = gettext.GNUTranslations(io.BytesIO(i18n.compile_po(i18n.catalog_path("id", ".po"))))
    assert catalog.gettext("file is empty") == "file kosong"


def test_errors_and_help_follow_the_language(run, project, monkeypatch):
    (project / "content" / "office.yaml").write_text("name: Kelurahan\n\tkind: kelurahan\n", encoding="utf-8")
    monkeypatch.setenv("SIARAN_LANG", "id")
    res = run("check")
    assert res.exit_code == 1
    assert "masalah ditemukan; tidak ada yang dikirim" in res.stderr
    assert "content/office.yaml:2:1: ada karakter tab: buat jarak masuk dengan spasi" in res.stderr
    assert "Kirim postingan NAMA sekarang" in run("send", "--help").output
    assert "Cara pakai:" in run("send", "--help").output
    monkeypatch.setenv("SIARAN_LANG", "en")
    res = run("check")
    assert "content/office.yaml:2:1: a tab character: indent with spaces" in res.stderr
    assert "Send post NAME now" in run("send", "--help").output


def test_dates_and_durations_follow_the_language(monkeypatch):
    from siaran.reasons import say
    from siaran.schedule import _human  # a duration kept in history (a reason's parameter)

    monkeypatch.setenv("SIARAN_LANG", "id")
    assert i18n.format_day(date(2026, 11, 23), "EEE") == "Sen"
    assert i18n.format_day(date(2026, 11, 23)) == "Senin, 23 November 2026"
    assert say(_human(timedelta(days=3, hours=1, minutes=5))) == "3 hari 1 jam"
    monkeypatch.setenv("SIARAN_LANG", "en")
    assert i18n.format_day(date(2026, 11, 23), "EEE") == "Mon"
    assert say(_human(timedelta(days=3, hours=1, minutes=5))) == "3 d 1 h"


def test_the_page_templates_reach_the_catalogs(template):
    """The operator page's texts are msgids of the templates (Jinja2's i18n extension), so the
    tests above hold them too: each has its Indonesian, with the same placeholders."""
    where = {m.id: {f for f, _line in m.locations} for m in template if m.id}
    assert "server/templates/base.html" in where["History"]
    plural = ("History of the last %(num)d day", "History of the last %(num)d days")
    assert "server/templates/riwayat.html" in where[plural]
    used = {Path(f).name for files in where.values() for f in files if f.startswith("server/templates/")}
    assert used == {p.name for p in (SRC / "server" / "templates").glob("*.html")}


PAGE_WORDS = {"siaran", "WhatsApp", "Instagram", "Instagram:", "check"}  # names, and code shown as code


def bare_template_texts(source: str) -> list[str]:
    """Words written in a template outside {{ _() }}: the page would show them in one language only."""
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"])
    data = "".join(value if kind == "data" else " " for _line, kind, value in env.lex(source))
    data = re.sub(r"<(script|style)\b.*?</\1>", " ", data, flags=re.DOTALL)
    said = re.findall(r'\b(?:alt|title|placeholder|aria-label)="([^"]*)"', data)
    text = re.sub(r"<[^>]*>|&\w+;", " ", data)
    return [w for w in " ".join([text, *said]).split() if any(c.isalpha() for c in w) and w not in PAGE_WORDS]


def test_page_templates_hold_no_bare_text():
    found = {}
    for path in sorted((SRC / "server" / "templates").glob("*.html")):
        if words := bare_template_texts(path.read_text(encoding="utf-8")):
            found[path.name] = words
    assert found == {}


def test_the_template_guard_sees_what_it_must():
    bad = '<h1>Riwayat {{ days }} hari</h1><img alt="gambar {{ n }}"><p>{% if x %}Tidak ada.{% endif %}</p>'
    good = '<h1>{{ _("History") }}</h1><img alt="{{ _("image") }}"><script>var a = "b";</script><code>siaran</code>'
    assert bare_template_texts(bad) == ["Riwayat", "hari", "Tidak", "ada.", "gambar"]
    assert bare_template_texts(good) == []


# ── every operator message goes through the catalogs ─────────────────────────

SRC = Path(siaran.__file__).resolve().parent
# Where operator text is shown: click's output and errors, and siaran's own errors (cli/base.py
# prints every SiaranError; a DeliveryError's reason is a code of siaran.reasons, worded where shown).
CLICK_CALLS = {"echo", "secho", "ClickException", "UsageError", "BadParameter"}
SIARAN_ERRORS = {
    name for name, obj in vars(errors).items() if isinstance(obj, type) and issubclass(obj, errors.SiaranError)
} | {"LimitReached", "TokenError"}  # channels.instagram_graph's own DeliveryErrors
# Genuine non-text with letters, passed as it is: (file, text).
ALLOWED: set[tuple[str, str]] = set()


def _has_letters(node: ast.AST) -> bool:
    """A literal (or f-string, concatenation, "...".format(), "..." % x) that holds words of its own."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and any(c.isalpha() for c in node.value)
    if isinstance(node, ast.JoinedStr):
        return any(_has_letters(v) for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp):
        return _has_letters(node.left) or _has_letters(node.right)
    if isinstance(node, ast.IfExp):
        return _has_letters(node.body) or _has_letters(node.orelse)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("format", "join"):
        return _has_letters(node.func.value)
    return False


def _name(func: ast.AST) -> str | None:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


def untranslated_literals(source: str, filename: str = "<source>") -> list[str]:
    """``file:line: call(text)`` for each operator message written as a bare literal."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        if name in CLICK_CALLS and (name not in ("echo", "secho") or _name(getattr(node.func, "value", None)) in
                                    ("click", None)):  # fmt: skip
            args = node.args[:1] + [k.value for k in node.keywords if k.arg in ("message", "hint")]
        elif name in ("ContentError", "TemplateError"):  # (path, message, ...)
            args = node.args[1:2] + [k.value for k in node.keywords if k.arg == "message"]
        elif name in SIARAN_ERRORS:
            args = node.args[:1] + [k.value for k in node.keywords if k.arg == "reason"]
        elif (name == "error" and isinstance(node.func, ast.Attribute) and len(node.args) == 2
              and _name(node.func.value) not in ("log", "logger", "logging")):  # fmt: skip
            args = node.args[1:]  # content.yamlfile.Fields.error(key, message): a ContentError for the operator
        else:
            continue
        for arg in args:
            if _has_letters(arg) and (filename, ast.literal_eval(arg) if isinstance(arg, ast.Constant) else "") \
                    not in ALLOWED:  # fmt: skip
                found.append(f"{filename}:{node.lineno}: {name}({ast.unparse(arg)[:80]})")
    return found


def test_operator_messages_are_never_bare_literals():
    """Fails when a message shown to the operator skips the catalogs: wrap it in _() (or ngettext;
    a reason code for a DeliveryError), with .format() for values."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        found += untranslated_literals(path.read_text(encoding="utf-8"), path.relative_to(SRC).as_posix())
    assert found == []


def test_no_catalog_call_hides_inside_an_f_string():
    """Babel reads no code inside an f-string (Python < 3.12): a _() there never reaches the catalogs."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                found += [
                    f"{path.relative_to(SRC).as_posix()}:{call.lineno}: {ast.unparse(call)[:60]}"
                    for call in ast.walk(node)
                    if isinstance(call, ast.Call) and _name(call.func) in ("_", "ngettext", "N_")
                    and call.args and isinstance(call.args[0], ast.Constant)
                ]  # fmt: skip
    assert found == []


def test_the_literal_guard_sees_what_it_must():
    bad = """
import click
click.echo("Riwayat baru dimulai")
click.secho(f"sent {n}", fg="red")
raise ConfigError("{path}: not a regular file".format(path=p))
raise click.UsageError("add --yes: " + why)
raise ContentError(rel, f"cannot read: {e}", line=1)
raise PermanentError(f"WAHA refused the message ({said})", code=422)
f.error("grace", f"{value!r} is too long")
"""
    good = """
import click
click.echo(_("A new history starts in {name}.").format(name=n))
click.echo("")
click.echo(f"  {say(reason)}")
click.echo(json.dumps(rows))
click.secho("  " + ngettext("{n} problem", "{n} problems", n).format(n=n), fg="red")
raise ConfigError(_("{path}: not a regular file").format(path=p))
raise ContentError(rel, _("cannot read: {error}").format(error=e), line=1)
raise PermanentError(reason("waha.refused", detail=said), code=422)
log.warning("logs stay English: %s", "for support")
log.error("the office file has problems: %s", e)
f.error("grace", _("{value!r} is too long").format(value=v))
"""
    assert len(untranslated_literals(bad)) == 7
    assert untranslated_literals(good) == []


# ── messages that were English-only now follow the language ──────────────────


def test_a_settings_error_and_the_run_summary_come_out_in_indonesian(run, project, monkeypatch):
    monkeypatch.setenv("SIARAN_LANG", "id")
    res = run("check", env={"SIARAN_WHATSAPP_MPS": "-5"})
    assert res.exit_code == 1
    assert "SIARAN_WHATSAPP_MPS: whatsapp.mps harus angka 0 atau lebih, bukan '-5'" in res.stderr
    done = run("run", "--once", env={"SIARAN_NOW": "2026-11-23T07:31:00+08:00"})
    assert done.exit_code == 0, done.all
    assert "selesai " in done.output and "terkirim " in done.output and "gagal 0" in done.output
    assert "sent " not in done.output
    monkeypatch.setenv("SIARAN_LANG", "en")
    again = run("schedule", "--past", "1", "--days", "1", env={"SIARAN_NOW": "2026-11-23T07:40:00+08:00"})
    assert "done  (sent " in again.output  # history keeps the reason as data; English readers see English


def test_status_choices_are_typed_in_either_language_and_shown_in_indonesian(run, monkeypatch):
    monkeypatch.setenv("SIARAN_LANG", "id")
    assert run("history", "--status", "gagal").exit_code == 0
    assert run("history", "--status", "belum pasti").exit_code == 0
    assert run("history", "--status", "failed").exit_code == 0
    assert run("instagram", "queue", "--status", "gagal").exit_code == 0
    assert "[antre|sedang-dikirim|terkirim|" in run("history", "--help").output
    res = run("history", "--status", "rusak")
    assert res.exit_code == 2 and "'gagal'" in res.stderr and "'failed'" not in res.stderr


def test_click_placeholders_and_the_version_line_are_indonesian(run, monkeypatch):
    monkeypatch.setenv("SIARAN_LANG", "id")
    assert "Cara pakai: cli [OPSI] PERINTAH [ARGUMEN]..." in run("--help").output  # CliRunner names it cli
    shown = run("send", "--help").output + run("report", "--help").output + run("init", "--help").output
    for english in ("OPTIONS", "COMMAND", "NAME", "INTEGER RANGE", "DIRECTORY", "FILE "):
        assert english not in shown, english
    assert "[OPSI] NAMA" in shown and "--weeks BILANGAN" in shown
    assert "'NAMA'" in run("send").stderr
    assert run("--version").output.startswith("siaran versi ")
    monkeypatch.setenv("SIARAN_LANG", "en")
    assert run("--version").output.startswith("siaran version ")
    assert "[OPTIONS] NAME" in run("send", "--help").output


def test_an_impossible_date_is_one_plain_error_and_the_files_other_problems_still_show(run, project, monkeypatch):
    monkeypatch.setenv("SIARAN_LANG", "id")
    post = project / "content/announcements/posyandu.md"
    text = post.read_text(encoding="utf-8")
    post.write_text(re.sub(r"(?m)^date: .*$", "date: 2026-02-30", re.sub(r"(?m)^time: .*$", "time: '25.00'", text)),
                    encoding="utf-8")  # fmt: skip
    (project / "schedules/sekali.yaml").write_text("once: '2027-02-29 07:00'\npost: announcements/posyandu\n",
                                                   encoding="utf-8")  # fmt: skip
    res = run("check")
    assert res.exit_code == 1
    lines = [line.strip() for line in res.stderr.splitlines()[1:]]
    assert "content/announcements/posyandu.md:3: [date] tanggal 30 Februari 2026 tidak ada; Februari 2026 sampai " \
           "tanggal 28" in lines  # fmt: skip
    assert any(line.startswith("content/announcements/posyandu.md:4: [time]") for line in lines)
    assert any("[once] tanggal 29 Februari 2027 tidak ada; Februari 2027 sampai tanggal 28" in line for line in lines)
    assert len(lines) == 3 and "YAML" not in res.stderr and "tidak ada postingan bernama" not in res.stderr


def test_holidays_and_templates_speak_indonesian(run, monkeypatch):
    monkeypatch.setenv("SIARAN_LANG", "id")
    days = run("holidays", "2026", env={"SIARAN_NOW": "2026-11-23T09:00:00+08:00"}).output
    assert "2026-01-01  Kam  libur nasional  Tahun Baru Masehi" in days and "hari daerah" in days
    assert "national" not in days and "local" not in days
    shown = run("templates", env={"SIARAN_NOW": "2026-11-23T09:00:00+08:00"}).output
    assert re.search(r"(?m)^post\.urgent +tidak$", shown) and "(hanya pengumuman)" in shown
    assert "None" not in shown and "False" not in shown and "[announcement]" not in shown
