"""Hostile and broken input, one row each: the command fails with a message naming the file (and
line), exits non-zero, sends nothing, leaves history byte-identical, and stays within a time and
memory bound. Each case's send and check run in a child process under an alarm and an
address-space limit, so a hang or a memory bomb fails its test instead of the machine."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from siaran.cli import cli
from siaran.history import backups

NOW = {"SIARAN_NOW": "2026-11-23T10:00:00+08:00"}
MEMORY = 1024 * 2**20  # bytes of address space the child may map: 1 GiB, as an office PC spares
MAX_RSS_MB = 400  # the sample project needs ~70 MB
HOSTILE = "content/announcements/hostile.md"


@dataclass
class Case:
    id: str
    change: Callable[[Path], None]
    expected: list[str]
    command: tuple[str, ...] = ("send", "announcements/kerja-bakti", "--now")
    check: bool = True  # `siaran check` must give the same message
    env: dict[str, str] = field(default_factory=dict)
    absent: tuple[str, ...] = ()  # must not appear in any output (secrets)


def post(body: str, front: str = "") -> Callable[[Path], None]:
    """A hostile announcement: front matter lines 1-4 (+ extra), body from the line after."""

    def apply(root: Path) -> None:
        text = f"---\ntitle: Uji\nchannels: [whatsapp]\n{front}---\nHalo\n{body}\n"
        (root / HOSTILE).write_text(text, encoding="utf-8")

    return apply


def template(name: str, text: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        (root / "content/templates" / name).write_text(text, encoding="utf-8")

    return apply


def jpeg(path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (40, 30), "red").save(path, "JPEG")


def secret(root: Path) -> Path:
    """A real image outside content/ (beside siaran.db and .env)."""
    jpeg(root / "secret.jpg")
    (root / ".env").write_text("SIARAN_WHATSAPP_TOKEN=EAAG-rahasia\n")
    return root / "secret.jpg"


def with_file(rel: str, make: Callable[[Path, Path], None], then: Callable[[Path], None] | None = None):
    """Create ``rel`` with ``make(root, path)`` (a symlink, a FIFO, bytes...), then apply ``then``."""

    def apply(root: Path) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() or path.is_symlink():
            path.unlink()
        make(root, path)
        if then:
            then(root)

    return apply


def link_to_secret(root: Path, path: Path) -> None:
    path.symlink_to(secret(root))


def link_to(target: str) -> Callable[[Path, Path], None]:
    return lambda root, path: path.symlink_to(target)


def fifo(root: Path, path: Path) -> None:
    os.mkfifo(path)


def raw(data: bytes) -> Callable[[Path, Path], None]:
    return lambda root, path: path.write_bytes(data)


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims width x height pixels: Pillow's decompression-bomb guard reads only this."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def truncated_png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (200, 200), "blue").save(buf, "PNG")
    return buf.getvalue()[:-40]


def office_line(line: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        with (root / "content/office.yaml").open("a", encoding="utf-8") as f:
            f.write(line)

    return apply


def image_post(name: str) -> Callable[[Path], None]:
    return post("", front=f"image: {name}\n")


def edit(rel: str, old: str, new: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture drift: {old!r} not in {rel}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return apply


def copy(rel: str, to: str) -> Callable[[Path], None]:
    return lambda root: shutil.copyfile(root / rel, root / to)


LAUGHS = "".join(f"{a}: &{a} [{', '.join([f'*{b}'] * 9)}]\n" for a, b in zip("bcdefghi", "abcdefgh", strict=True))
BOMB = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + LAUGHS


def write(rel: str, text: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")

    return apply


def many_images(count: int) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        (root / "content/images").mkdir(parents=True, exist_ok=True)
        for i in range(count):
            jpeg(root / f"content/images/foto{i}.jpg")
        post("", front=f"image: [{', '.join(f'images/foto{i}.jpg' for i in range(count))}]\n")(root)

    return apply


LONG_SOP = (
    "service: Layanan Panjang\nrequirements: [KTP]\nsteps:\n"
    + "".join(f"  - Langkah nomor {i} yang harus dilakukan warga di loket pelayanan\n" for i in range(400))
    + "duration: 1 hari\nform: https://contoh.id/form\n"
)
CLOUD = {"SIARAN_WHATSAPP_PROVIDER": "cloud", "SIARAN_WHATSAPP_PHONE_NUMBER_ID": "1"}
TOKEN = "EAAGrahasia123"


def damage_history(how: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        db = root / "siaran-rehearsal.db"
        backups.take(db, date(2026, 11, 23), keep=7)  # the daemon's daily backup
        for extra in ("siaran-rehearsal.db-wal", "siaran-rehearsal.db-shm"):
            (root / extra).unlink(missing_ok=True)
        data = db.read_bytes()
        if how == "garbage":
            db.write_bytes(bytes(range(256)) * 64)
        elif how == "truncated":
            db.write_bytes(data[: len(data) // 3])
        elif how == "header":
            db.write_bytes(b"SQLite format 2\x00" + data[16:])
        else:
            db.write_bytes(b"")

    return apply


DAMAGED = ["siaran-rehearsal.db is damaged", "nothing was changed", "siaran-rehearsal.db.bak/2026-11-23.db"]


CASES = [
    # 1. Templates see plain data only; rendering is bounded.
    Case("tpl-path-leak", post("{{ post.path.parent.parent.joinpath('.env').read_text() }}"),
         [f"{HOSTILE}:6", "no attribute 'path'"]),
    Case("tpl-office-logo-path", post("{{ office.logo.read_bytes() }}"), [f"{HOSTILE}:6", "no attribute 'logo'"]),
    Case("tpl-dunder", post("{{ office.__class__.__mro__ }}"), [f"{HOSTILE}:6", "unsafe"]),
    Case("tpl-mutate", post("{{ office.links.clear() }}"), [f"{HOSTILE}:6", "unsafe"]),
    Case("tpl-string-bomb", post("{{ 'x' * 1000000000 }}"), [f"{HOSTILE}:6", "'*' would make a text"]),
    Case("tpl-power-bomb", post("{{ 9**(9**9) }}"), [f"{HOSTILE}:6", "'**'"]),
    Case("tpl-center-bomb", post("{{ 'x'|center(1000000000) }}"), [f"{HOSTILE}:6", "too large for a template"]),
    Case("tpl-format-width", post("{{ '%099999999d' % 1 }}"), [f"{HOSTILE}:6", "width of thousands"]),
    Case("tpl-str-format-width", post("{{ '{:>99999999}'.format(1) }}"), [f"{HOSTILE}:6", "width of thousands"]),
    Case("tpl-range-bomb", post("{% for i in range(10**8) %}x{% endfor %}"), [f"{HOSTILE}:6", "range()"]),
    Case("tpl-slow-loop", post("{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}"),
         [f"{HOSTILE}:6", "longer than 2 s"]),
    Case("tpl-doubling", post("{% set ns = namespace(s='xx') %}{% for i in range(40) %}"
                              "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}"), [f"{HOSTILE}:6", "longer than"]),
    Case("tpl-huge-output", post("{% for i in range(10000) %}{{ 'abcdefghij' }}{% endfor %}"),
         [f"{HOSTILE}:6", "longer than 65,536 characters"]),
    Case("tpl-recursive-macro", post("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}"),
         [f"{HOSTILE}:6", "nested too deeply"]),
    Case("tpl-fork-macro", post("{% macro f(n) %}{{ f(n) }}{{ f(n) }}{% endmacro %}{{ f(1) }}"),
         [f"{HOSTILE}:6", "nested too deeply"]),
    Case("tpl-division-by-zero", post("{{ 1 / 0 }}"), [f"{HOSTILE}:6", "ZeroDivisionError"]),
    Case("tpl-deep-parens", post("{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}"), [HOSTILE, "nested too deeply"]),
    Case("tpl-recursive-include", template("whatsapp/_footer.j2", 'x\n{% include "whatsapp/_footer.j2" %}'),
         ["content/templates/whatsapp/_footer.j2:2", "nested too deeply"]),
    # 2. Every path stays inside content/ and is a regular file; images are checked with Pillow.
    Case("image-dotdot", lambda r: (secret(r), image_post("../secret.jpg")(r)),
         [f"{HOSTILE}:4", "[image]", "lies outside content/"]),
    Case("image-absolute", lambda r: image_post(str(secret(r)))(r), [f"{HOSTILE}:4", "lies outside content/"]),
    Case("image-symlink-out", with_file("content/images/foto.jpg", link_to_secret, image_post("images/foto.jpg")),
         [f"{HOSTILE}:4", "content/images/foto.jpg: lies outside content/"]),
    Case("image-fifo", with_file("content/images/foto.jpg", fifo, image_post("images/foto.jpg")),
         [f"{HOSTILE}:4", "not a regular file"]),
    Case("image-not-image", with_file("content/images/foto.jpg", raw(b"<html>hello</html>"),
                                      image_post("images/foto.jpg")), [f"{HOSTILE}:4", "not an image file"]),
    Case("image-decompression-bomb", with_file("content/images/bom.png", raw(png_header(100_000, 100_000)),
                                               image_post("images/bom.png")), [f"{HOSTILE}:4", "too large in pixels"]),
    Case("image-truncated", with_file("content/images/rusak.png", raw(truncated_png()),
                                      image_post("images/rusak.png")), [f"{HOSTILE}:4", "damaged"]),
    Case("logo-outside", lambda r: (secret(r), office_line("logo: ../secret.jpg\n")(r)),
         ["content/office.yaml:19", "[logo]", "lies outside content/"]),
    Case("font-etc-passwd", office_line("font: /etc/passwd\n"), ["content/office.yaml:19", "[font]", "lies outside"]),
    Case("font-not-a-font", with_file("content/fonts/x.ttf", raw(b"not a font"), office_line("font: fonts/x.ttf\n")),
         ["content/office.yaml:19", "[font]", "not a font file"]),
    Case("template-symlink-passwd", with_file("content/templates/whatsapp/announcement.j2", link_to("/etc/passwd")),
         ["content/templates/whatsapp/announcement.j2", "lies outside content/"]),
    Case("include-symlink-out", with_file("content/templates/whatsapp/_footer.j2", link_to_secret),
         ["content/templates/whatsapp/_footer.j2", "lies outside content/"]),
    Case("template-binary", with_file("content/templates/whatsapp/sop.j2", raw(b"\x00\x01\xff\xfe\x00garbage")),
         ["content/templates/whatsapp/sop.j2", "not UTF-8 text"]),
    Case("template-utf16", with_file("content/templates/whatsapp/sop.j2", raw("Halo".encode("utf-16"))),
         ["content/templates/whatsapp/sop.j2:1", "UTF-16"]),
    Case("list-fifo", with_file("content/lists/antrian.csv", fifo),
         ["content/lists/antrian.csv", "not a regular file"]),
    Case("schedule-fifo", with_file("schedules/pipa.yaml", fifo), ["schedules/pipa.yaml", "not a regular file"]),
    Case("office-fifo", with_file("content/office.yaml", fifo), ["content/office.yaml", "not a regular file"]),
    Case("post-fifo", with_file("content/announcements/pipa.md", fifo),
         ["content/announcements/pipa.md", "not a regular file"]),
    Case("post-utf16", with_file(HOSTILE, raw("---\ntitle: x\n---\nHalo\n".encode("utf-16"))),
         [f"{HOSTILE}:1", "UTF-16"]),
    # 3. YAML: safe and bounded, duplicate keys refused, one file per name.
    Case("yaml-alias-bomb-front-matter", post("", front="x:\n" + "".join(f"  {line}\n" for line in BOMB.splitlines())),
         [HOSTILE, "more than 100,000 values"]),
    Case("yaml-alias-bomb-office", office_line(BOMB), ["content/office.yaml:", "more than 100,000 values"]),
    Case("yaml-deep-nesting", office_line("x: " + "[" * 5000 + "]" * 5000 + "\n"),
         ["content/office.yaml:19", "nested more than 30 levels"]),
    Case("yaml-duplicate-key", post("", front="title: Dua\n"),
         [f"{HOSTILE}:4", "duplicate key 'title' (also on line 2)"]),
    Case("yaml-duplicate-key-schedule", edit("schedules/pengumuman-mingguan.yaml", "grace: 1 hari",
                                             "grace: 1 hari\npost: announcements/posyandu"),
         ["schedules/pengumuman-mingguan.yaml:8", "duplicate key 'post'"]),
    Case("yml-beside-yaml-schedule", copy("schedules/pengumuman-mingguan.yaml", "schedules/pengumuman-mingguan.yml"),
         ["schedules/pengumuman-mingguan.yml:1", "pengumuman-mingguan.yaml exists too"]),
    Case("yml-beside-yaml-sop", copy("content/sop/ktp-el.yaml", "content/sop/ktp-el.yml"),
         ["content/sop/ktp-el.yml:1", "ktp-el.yaml exists too"]),
    Case("yaml-python-tag", office_line("x: !!python/object/apply:os.system ['touch /tmp/pwned']\n"),
         ["content/office.yaml:19", "could not determine a constructor"]),
    Case("yaml-impossible-date-front-matter", post("", front="date: 2026-02-30\n"),
         [f"{HOSTILE}:4", "[date] there is no 30 February 2026; February 2026 ends on day 28"]),
    Case("yaml-impossible-date-calendar", edit("content/calendar.yaml", "date: 2023-06-29", "date: 2026-13-45"),
         ["content/calendar.yaml:8", "month 13 does not exist in '2026-13-45'"]),
    # 4. Values validated where they enter.
    Case("time-25-99", post("", front="time: 25.99\n"), [f"{HOSTILE}:4", "[time]", "00.00 to 23.59"]),
    Case("date-month-13", post("", front="date: 2026-13-45\n"),
         [f"{HOSTILE}:4", "month 13 does not exist in '2026-13-45'"]),
    Case("grace-huge", edit("schedules/pengumuman-mingguan.yaml", "grace: 1 hari", "grace: 999999999999 hari"),
         ["schedules/pengumuman-mingguan.yaml:7", "[grace]", "too long"]),
    Case("cron-never-fires", write("schedules/februari.yaml", 'cron: "0 8 30 2 *"\npost: announcements/posyandu\n'),
         ["schedules/februari.yaml:1", "[cron]", "never fires"]),
    Case("once-year-9999", write("schedules/natal.yaml", "once: 9999-12-25 07:00\npost: greetings/natal\n"),
         ["schedules/natal.yaml:1", "[once]", "9999 is outside the years"]),
    Case("calendar-year-9999", edit("content/calendar.yaml", "date: 2023-06-29", "date: 9999-06-29"),
         ["content/calendar.yaml:8", "9999 is outside the years"]),
    Case("eleven-images", many_images(11), [f"{HOSTILE}:4", "at most 10 images"]),
    Case("sop-400-steps", write("content/sop/panjang.yaml", LONG_SOP),
         ["content/sop/panjang.yaml:3", "[steps]", "at most 10 fit one post"]),
    Case("slug-collision", copy("content/announcements/kerja-bakti.md", "content/announcements/Kerja Bakti.md"),
         ["content/announcements/kerja-bakti.md", "would overwrite those of 'announcements/Kerja Bakti'"]),
    Case("token-typographic-quotes", lambda r: None, ["SIARAN_WHATSAPP_TOKEN", "typographic quote"],
         env={**CLOUD, "SIARAN_WHATSAPP_TOKEN": f"\u201c{TOKEN}\u201d"}, absent=(TOKEN,)),
    Case("token-trailing-cr", lambda r: None, ["SIARAN_WHATSAPP_TOKEN", "a line break"],
         env={**CLOUD, "SIARAN_WHATSAPP_TOKEN": f"{TOKEN}\r"}, absent=(TOKEN,)),
    Case("token-in-dotenv-with-space", write(".env", f"SIARAN_WHATSAPP_TOKEN='{TOKEN} x'\n"),
         ["SIARAN_WHATSAPP_TOKEN", "a space"], env=CLOUD, absent=(TOKEN,)),
    Case("mps-negative", lambda r: None, ["SIARAN_WHATSAPP_MPS", "must be a number 0 or more"],
         env={"SIARAN_WHATSAPP_MPS": "-5"}),
    Case("mps-nan", lambda r: None, ["SIARAN_WHATSAPP_MPS", "'nan'"], env={"SIARAN_WHATSAPP_MPS": "nan"}),
    Case("mps-inf", write("siaran.toml", "[whatsapp]\nmps = inf\n"), ["siaran.toml", "whatsapp.mps", "inf"]),
    Case("timeout-negative", lambda r: None, ["SIARAN_WHATSAPP_TIMEOUT", "must be a number above 0"],
         env={"SIARAN_WHATSAPP_TIMEOUT": "-1"}),
    Case("concurrency-zero", write("siaran.toml", "[whatsapp]\nconcurrency = 0\n"),
         ["whatsapp.concurrency must be a number above 0"]),
    Case("toml-utf16", with_file("siaran.toml", raw("[whatsapp]\nmps = 5\n".encode("utf-16"))),
         ["siaran.toml: not UTF-8 text (it is UTF-16"]),
    Case("dotenv-binary", with_file(".env", raw(b"\x00\x01\x02SIARAN\xff")), [".env: not UTF-8 text"]),
    Case("dotenv-fifo", with_file(".env", fifo), [".env: not a regular file"]),
    # 5. A damaged history: one sentence naming the backup, nothing changed.
    Case("db-garbage", damage_history("garbage"), DAMAGED, check=False),
    Case("db-truncated", damage_history("truncated"), DAMAGED, check=False),
    Case("db-bad-header", damage_history("header"), DAMAGED, check=False),
    # Emptied after sending: the marker shows it is a lost history (history.guard), nothing is sent.
    Case("db-emptied", damage_history("empty"), ["missing, empty or replaced", "siaran history reset --yes"],
         check=False),
    Case("db-history-command", damage_history("garbage"), DAMAGED, command=("history",), check=False),
]  # fmt: skip


def checkpoint(db: Path) -> None:
    """Fold the write-ahead log into the file, so equal history means equal bytes."""
    if db.exists():
        try:
            with sqlite3.connect(db) as conn:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.close()
        except sqlite3.DatabaseError:
            pass  # a broken history is compared as it is


def state(root: Path) -> tuple[bytes, list[str]]:
    db = root / "siaran-rehearsal.db"
    checkpoint(db)
    outbox = root / "outbox-rehearsal"
    files = sorted(p.relative_to(root).as_posix() for p in outbox.rglob("*")) if outbox.exists() else []
    return (db.read_bytes() if db.is_file() else b""), files


@pytest.fixture(scope="module")
def sent_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_sent_project(tmp_path_factory)


def make_sent_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample project after one real send to the outbox: a history with rows to protect."""
    from click.testing import CliRunner

    from conftest import REPO

    root = tmp_path_factory.mktemp("hostile") / "kelurahan"
    root.mkdir()
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "schedules", root / "schedules")
    env = {k: None for k in os.environ if k.startswith("SIARAN_")} | NOW
    res = CliRunner().invoke(
        cli, ["--project", str(root), "send", "announcements/posyandu", "--now", "--channel", "whatsapp"], env=env
    )
    assert res.exit_code == 0, res.output
    checkpoint(root / "siaran-rehearsal.db")
    return root


# The child runs every case in turn (one interpreter start for all), each command under an alarm,
# and reports per case: [(exit code, output)], seconds, peak memory so far.
CHILD = """
import contextlib, io, json, os, resource, signal, sys, time
try:
    resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
except (ValueError, OSError):
    pass
from siaran.cli import cli

def alarm(signum, frame):
    raise TimeoutError("no answer within {per_case} s")

signal.signal(signal.SIGALRM, alarm)
report = {{}}
for case_id, root, commands, env in json.loads(sys.stdin.read()):
    saved = dict(os.environ)
    os.environ.update(env)
    results, started = [], time.monotonic()
    for args in commands:
        out, code = io.StringIO(), 0
        signal.alarm({per_case})
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                cli.main(["--project", root, *args], prog_name="siaran")
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
        except BaseException as e:  # a hang (alarm) or a crash: the test shows it
            code, _ = 99, out.write("Traceback: %r" % e)
        finally:
            signal.alarm(0)
        results.append((code, out.getvalue()))
    os.environ.clear()
    os.environ.update(saved)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    report[case_id] = (results, time.monotonic() - started, rss)
print(json.dumps(report))
"""
PER_CASE = 20  # seconds per command: a hang guard on a shared machine, not a speed target


def run_child(jobs: list[tuple[str, Path, list[tuple[str, ...]], dict[str, str]]]) -> dict:
    """Every job (case id, project, commands, environment) in one child process."""
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("SIARAN_") or k == "SIARAN_LANG"} | NOW
    payload = json.dumps([(case_id, str(root), commands, env) for case_id, root, commands, env in jobs])
    proc = subprocess.run(
        [sys.executable, "-c", CHILD.format(limit=MEMORY, per_case=PER_CASE)],
        input=payload,
        capture_output=True,
        text=True,
        timeout=PER_CASE * 2 * len(jobs) + 60,
        env=child_env,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def outcomes(sent_project: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    return run_cases(CASES, sent_project, tmp_path_factory.mktemp("cases"))


def run_cases(cases: list[Case], sent_project: Path, base: Path) -> dict:
    """Every case applied to its own copy of the project and run; states before and after."""
    jobs, before = [], {}
    for case in cases:
        root = base / case.id
        shutil.copytree(sent_project, root)
        case.change(root)
        before[case.id] = state(root)
        command = tuple(arg.replace("{root}", str(root)) for arg in case.command)
        commands = [command, ("check",)] if case.check else [command]
        jobs.append((case.id, root, commands, case.env))
    report = run_child(jobs)
    return {c.id: (report[c.id], before[c.id], state(base / c.id)) for c in cases}


@pytest.mark.skipif(sys.platform == "win32", reason="alarm and address-space limit are POSIX")
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(case: Case, outcomes: dict) -> None:
    assert_refused(case, outcomes[case.id])


def assert_refused(case: Case, outcome: tuple) -> None:
    """Each command failed with the expected words and no traceback, in time and memory; nothing changed."""
    (results, seconds, rss_mb), before, after = outcome
    for code, out in results:
        assert code != 0, out
        assert "Traceback" not in out, out
        for fragment in case.expected:
            assert fragment in out, f"{fragment!r} not in:\n{out}"
        for secret_text in case.absent:
            assert secret_text not in out
    assert seconds < PER_CASE * len(results)  # each command has its own guard (the alarm)
    assert rss_mb < MAX_RSS_MB, f"{rss_mb} MB"
    assert after == before


def test_byte_order_mark_is_accepted_everywhere(run, project):
    for rel in ("content/office.yaml", "content/announcements/posyandu.md", "content/sop/ktp-el.yaml",
                "content/templates/whatsapp/greeting.j2", "content/lists/warga-rt01.csv",
                "schedules/pengumuman-mingguan.yaml", "content/calendar.yaml"):  # fmt: skip
        path = project / rel
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    res = run("check", env=NOW)
    assert res.exit_code == 0, res.all
    shown = run("preview", "announcements/posyandu", "--channel", "whatsapp", env=NOW)
    assert shown.exit_code == 0 and "\ufeff" not in shown.output


def test_forty_cases_or_more():
    assert len({c.id for c in CASES}) == len(CASES)
    assert len(CASES) >= 40


def test_read_only_and_full_history_are_one_sentence_each(tmp_path):
    from siaran.history.safety import explain

    db = tmp_path / "siaran.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (x TEXT)")
    conn.close()

    ro = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    with pytest.raises(sqlite3.Error) as readonly:
        ro.execute("INSERT INTO t VALUES ('x')")
    ro.close()
    assert str(explain(readonly.value, db)) == (
        f"The history file {db} cannot be written (read-only file or folder?); nothing was changed:"
        " check its permissions."
    )

    full = sqlite3.connect(db)
    full.execute("PRAGMA max_page_count = 3")  # what a full disk looks like to SQLite
    with pytest.raises(sqlite3.Error) as disk_full:
        full.execute("INSERT INTO t SELECT hex(randomblob(4000)) FROM (SELECT 1 UNION SELECT 2 UNION SELECT 3)")
    full.close()
    assert "is full; nothing more was recorded: free some space" in str(explain(disk_full.value, db))


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="POSIX permissions; root ignores them")
def test_read_only_history_changes_nothing(sent_project, tmp_path):
    root = tmp_path / "p"
    shutil.copytree(sent_project, root)
    (root / "siaran-rehearsal.db").chmod(0o400)
    before = state(root)
    report = run_child([("ro", root, [("send", "announcements/kerja-bakti", "--now")], {})])
    [(code, out)] = report["ro"][0]
    assert code == 1 and "Traceback" not in out
    assert "cannot be written" in out
    assert state(root) == before


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_history_backups_outbox_and_log_are_owner_only(run, project):
    from siaran import logs

    assert run("send", "announcements/posyandu", "--now", "--channel", "whatsapp", env=NOW).exit_code == 0
    assert run("history", "backup", env=NOW).exit_code == 0
    mode = lambda p: p.stat().st_mode & 0o777  # noqa: E731
    assert mode(project / "siaran-rehearsal.db") == 0o600
    backups = project / "siaran-rehearsal.db.bak"
    assert mode(backups) == 0o700 and [mode(p) for p in backups.iterdir()] == [0o600]
    outbox = project / "outbox-rehearsal"
    assert mode(outbox) == 0o700
    assert {mode(p) for p in outbox.rglob("*.txt")} == {0o600}
    log_file = project / "siaran.log"
    logs.setup([], log_file=log_file)
    try:
        assert mode(log_file) == 0o600
    finally:
        logs.setup([])
