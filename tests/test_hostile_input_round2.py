"""Hostile input, round two (issue 23): templates that would build huge texts, control characters
in content, lists and workbooks past their bounds or damaged, opt-out imports of things that are
not files. One row each, run like round one (test_hostile_input.py): in one child process under a
1 GiB address-space limit and an alarm, each asserting the exact words, exit code and unchanged
history."""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from test_hostile_input import (
    HOSTILE,
    Case,
    assert_refused,
    edit,
    fifo,
    make_sent_project,
    post,
    run_cases,
    with_file,
    write,
)

LONG = "{% set a = 'x' * 60000 %}"  # the longest text one '*' may make is 65,536 characters
LIST = "content/lists/warga-rt01.csv"
XLSX = "content/lists/warga-rt01.xlsx"
OPTOUT = ("optout", "import", "{root}/keluar.csv")
HOURS = "hours: Senin–Kamis 08.00–15.30, Jumat 08.00–11.00 WITA"


def front(title_yaml: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        text = f"---\ntitle: {title_yaml}\nchannels: [whatsapp]\n---\nHalo\n"
        (root / HOSTILE).write_text(text, encoding="utf-8")

    return apply


def list_rows(*lines: str) -> Callable[[Path], None]:
    return write(LIST, "\n".join(lines) + "\n")


def workbook(sheet: bytes | None = None, flip: bool = False) -> bytes:
    """A real .xlsx (openpyxl) of one list, its sheet XML replaced by ``sheet`` when given."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["nama", "nomor"])
    book.active.append(["Budi", "081234567801"])
    buf = io.BytesIO()
    book.save(buf)
    if sheet is None and not flip:
        return buf.getvalue()
    source, out = zipfile.ZipFile(buf), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml" and sheet is not None:
                data = sheet
            target.writestr(item.filename, data)
    data = bytearray(out.getvalue())
    if flip:  # one byte inside the compressed sheet: its checksum no longer matches
        at = bytes(data).index(b"xl/worksheets/sheet1.xml") + 60
        data[at] ^= 0xFF
    return bytes(data)


def xlsx(data: bytes) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        (root / LIST).unlink()
        (root / XLSX).write_bytes(data)

    return apply


NS = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
ROW = b'<row r="1"><c r="A1" t="inlineStr"><is><t>nama</t></is></c><c r="B1" t="inlineStr"><is><t>nomor</t></is></c>'
ROW += b"</row>"
BAD_TAG = NS + b"<sheetData>" + ROW + b"<row r='2'><c></row></sheetData></worksheet>"
ENTITIES = (
    b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(b'<!ENTITY %c "%s">' % (c, (b"&%c;" % p) * 10) for p, c in zip(b"abcdefgh", b"bcdefghi", strict=True))
    + b"]>"
    + NS
    + b"<sheetData><row r='1'><c r='A1' t='inlineStr'><is><t>&i;</t></is></c></row></sheetData></worksheet>"
)
UNPACKED_BOMB = NS + b"<sheetData>" + ROW + b" " * 101_000_000 + b"</sheetData></worksheet>"
ROW2 = b'<row r="2"><c r="A2" t="inlineStr"><is><t>Bu%sdi</t></is></c><c r="B2"><v>81234567801</v></c></row>'
BELL_NAME = NS + b"<sheetData>" + ROW + ROW2 % b"\x07" + b"</sheetData></worksheet>"  # XML forbids it
DEL_NAME = NS + b"<sheetData>" + ROW + ROW2 % b"\x7f" + b"</sheetData></worksheet>"  # XML allows it


def sparse(size: int) -> Callable[[Path, Path], None]:
    def make(root: Path, path: Path) -> None:
        with path.open("wb") as f:
            f.truncate(size)

    return make


U0000 = "holds a control character (U+0000) that cannot be shown or sent: remove it"
REFUSED = "would make a text longer than 65,536 characters"
UNREADABLE = "not a readable Excel file (.xlsx)"

CASES = [
    # 1. Every way of making text is refused before the text is built.
    Case("tpl-tilde-doubling", post(LONG + "{% for i in range(12) %}{% set a = a ~ a %}{% endfor %}{{ a }}"),
         [f"{HOSTILE}:6", f"'~' {REFUSED}"]),
    Case("tpl-plus", post(LONG + "{% set a = a + a %}{{ a }}"), [f"{HOSTILE}:6", f"'+' {REFUSED}"], check=False),
    Case("tpl-block-set", post(LONG + "{% set a %}{{ a }}{{ a }}{% endset %}{{ a }}"),
         [f"{HOSTILE}:6", f"a block (set, macro, call or filter) {REFUSED}"]),
    Case("tpl-macro-output", post(LONG + "{% macro f() %}" + "{{ a }}" * 40 + "{% endmacro %}{{ f() }}"),
         [f"{HOSTILE}:6", f"a block (set, macro, call or filter) {REFUSED}"], check=False),
    Case("tpl-expandtabs", post("{% set t = '\\t' * 60000 %}{{ t.expandtabs(9999) }}"),
         [f"{HOSTILE}:6", f"'expandtabs' {REFUSED}"]),
    Case("tpl-indent", post("{% set t = '\\n' * 60000 %}{{ t|indent(9999) }}"),
         [f"{HOSTILE}:6", f"'indent' {REFUSED}"]),
    Case("tpl-wordwrap", post("{% set t = 'x ' * 30000 %}{{ t|wordwrap(1, wrapstring='y' * 999) }}"),
         [f"{HOSTILE}:6", f"'wordwrap' {REFUSED}"]),
    Case("tpl-replace", post(LONG + "{{ a|replace('x', 'yy') }}"), [f"{HOSTILE}:6", f"'replace' {REFUSED}"]),
    Case("tpl-join", post("{{ range(10000)|join('y' * 999) }}"), [f"{HOSTILE}:6", f"'join' {REFUSED}"]),
    Case("tpl-str-format-repeat", post("{% set f = '{0}' * 2000 %}{{ f.format('y' * 999) }}"),
         [f"{HOSTILE}:6", f"'format' {REFUSED}"], check=False),
    Case("tpl-percent-repeat", post(LONG + "{{ '%s%s%s' % (a, a, a) }}"), [f"{HOSTILE}:6", f"'%' {REFUSED}"],
         check=False),
    Case("tpl-list-of-long-texts", post(LONG + "{% set l = [a] * 60000 %}{{ l|length }}"),
         [f"{HOSTILE}:6", "'*' would make a text or list longer"]),
    Case("tpl-list-literal-shown", post(LONG + "{{ [a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a] }}"),
         [f"{HOSTILE}:6", "the message is longer than 65,536 characters"]),
    # 2. Control characters are refused where they enter, naming the file and line (or row and column).
    Case("ctl-body-nul-escape", post('{{ "\\x000\\x00" }}'), [HOSTILE, f"the message {U0000}"]),
    Case("ctl-body-raw-escape", post("awas \x1b[2J layar"),
         [f"{HOSTILE}:6", "holds a control character (U+001B)"]),
    Case("ctl-yaml-title-nul", front('"Uji\\0"'), [f"{HOSTILE}:2", U0000]),
    Case("ctl-office-yaml", edit("content/office.yaml", "name: Kelurahan Sungai Rapak Indah",
                                 'name: "Kelurahan\\x01Sungai"'),
         ["content/office.yaml:3", "holds a control character (U+0001)"]),
    Case("ctl-csv-name", list_rows("nama,nomor,rt,rw", "Bu\x00di,0812-3456-7801,01,03"), [f"{LIST}:2", U0000]),
    Case("ctl-xlsx-bell", xlsx(workbook(BELL_NAME)), [XLSX, UNREADABLE, "not well-formed"]),
    Case("ctl-xlsx-del", xlsx(workbook(DEL_NAME)), [f"{XLSX}:2:1", "holds a control character (U+007F)"]),
    # 3. Lists: headers that would need a guess, sizes past the bounds, damaged workbooks.
    Case("list-duplicate-header", list_rows("nama,nomor,nomor", "Budi,0812-3456-7801,0812-3456-7802"),
         [f"{LIST}:1", "columns 'nomor' and 'nomor' have the same name"], check=False),
    Case("list-same-name-spelled-twice", list_rows("nama,No. HP,no_hp", "Budi,0812-3456-7801,0812-3456-7802"),
         [f"{LIST}:1", "columns 'No. HP' and 'no_hp' have the same name"], check=False),
    Case("list-two-phone-columns", list_rows("nama,nomor,whatsapp", "Budi,0812-3456-7801,0812-3456-7802"),
         [f"{LIST}:1", "columns 'nomor' and 'whatsapp' both could be the one to use"], check=False),
    Case("xlsx-bad-tag", xlsx(workbook(BAD_TAG)), [XLSX, UNREADABLE, "open it in Excel and save it again"],
         check=False),
    Case("xlsx-dtd-entities", xlsx(workbook(ENTITIES)), [XLSX, UNREADABLE], check=False),
    Case("xlsx-flipped-byte", xlsx(workbook(flip=True)), [XLSX, UNREADABLE], check=False),
    Case("xlsx-unpacked-bomb", xlsx(workbook(UNPACKED_BOMB)), [XLSX, "the workbook unpacks to more than 100 MB"],
         check=False),
    Case("xlsx-not-a-zip", with_file(XLSX, lambda r, p: p.write_bytes(b"PK\x03\x04 not really"),
                                     lambda r: (r / LIST).unlink()), [XLSX, UNREADABLE], check=False),
    # 4. Settings are checked when they are loaded, before anything is sent.
    Case("settings-delay-nan", write("siaran.toml", '[whatsapp]\ndelay = "nan"\n'),
         ["siaran.toml: whatsapp.delay = 'nan': use seconds like 5 or a range like 3-10, at most 3600"]),
    Case("settings-delay-inf", lambda r: None, ["SIARAN_WHATSAPP_DELAY: whatsapp.delay = 'inf': use seconds"],
         env={"SIARAN_WHATSAPP_PROVIDER": "fonnte", "SIARAN_WHATSAPP_DELAY": "inf"}, check=False),
    Case("settings-delay-0-nan", write("siaran.toml", '[whatsapp]\ndelay = "0-nan"\n'),
         ["whatsapp.delay = '0-nan': use seconds"], check=False),
    Case("settings-log-in-content", write("siaran.toml", '[daemon]\nlog_file = "content/office.yaml"\n'),
         ["daemon.log_file = 'content/office.yaml': must not be inside content/"]),
    Case("settings-log-outside", write("siaran.toml", '[daemon]\nlog_file = "../siaran.log"\n'),
         ["daemon.log_file = '../siaran.log': must be inside the project folder"], check=False),
    Case("settings-outbox-in-schedules", write("siaran.toml", '[outbox]\npath = "schedules/keluar"\n'),
         ["outbox.path = 'schedules/keluar': must not be inside schedules/"], check=False),
    Case("settings-concurrency-true", write("siaran.toml", "[whatsapp]\nconcurrency = true\n"),
         ["siaran.toml: whatsapp.concurrency must be a whole number, not True"]),
    Case("settings-concurrency-fraction", write("siaran.toml", "[whatsapp]\nconcurrency = 1.5\n"),
         ["siaran.toml: whatsapp.concurrency must be a whole number, not 1.5"], check=False),
    Case("settings-port-99999", write("siaran.toml", "[server]\nwebhook_port = 99999\n"),
         ["siaran.toml: server.webhook_port must be at most 65535, not 99999"]),
    Case("settings-operator-not-a-number", write("siaran.toml", '[whatsapp]\noperator = "bukan nomor"\n'),
         ["siaran.toml: whatsapp.operator = 'bukan nomor': not a valid WhatsApp number"]),
    # 5. YAML keys are compared as the program uses them; SIARAN_NOW stays within the calendar's years.
    Case("yaml-day-names-by-case", edit("content/office.yaml", HOURS,
                                        'hours:\n  senin: "08.00-15.30"\n  Senin: "08.00-12.00"'),
         ["content/office.yaml:9", "[hours.Senin]", "senin is given twice, under 'senin' and 'Senin': keep one"]),
    Case("yaml-day-in-a-range-twice", edit("content/office.yaml", HOURS,
                                           'hours:\n  senin-kamis: "08.00-15.30"\n  rabu: tutup'),
         ["content/office.yaml:9", "rabu is given twice, under 'senin-kamis' and 'rabu'"], check=False),
    Case("yaml-number-and-text-key", edit("content/office.yaml", "  layanan: https://",
                                          '  1: https://a.example.id\n  "1": https://b.example.id\n  layanan: https://'),
         ["content/office.yaml:14", "duplicate key '1' (also on line 13)"]),
    Case("siaran-now-9999", lambda r: None, ["SIARAN_NOW='9999-01-01T08:00:00+08:00': the year must be between 1946"],
         env={"SIARAN_NOW": "9999-01-01T08:00:00+08:00"}),
    Case("siaran-now-0001", lambda r: None, ["SIARAN_NOW='0001-01-01T08:00:00+08:00': the year must be between"],
         env={"SIARAN_NOW": "0001-01-01T08:00:00+08:00"}, check=False),
    Case("siaran-now-2101", lambda r: None, ["SIARAN_NOW='2101-01-01T08:00:00+08:00': the year must be between"],
         env={"SIARAN_NOW": "2101-01-01T08:00:00+08:00"}, check=False),
    # 6. History faults name the file and the fix.
    Case("history-marker-a-list", write("siaran-rehearsal.db.marker", "[1]\n"),
         ["siaran-rehearsal.db.marker is damaged", "delete siaran-rehearsal.db.marker: the next send writes it again"],
         check=False),
    # 7. `init` never writes through a link.
    Case("init-through-a-content-link", with_file("baru/content", lambda r, p: p.symlink_to(r / "content")),
         ["baru/content is a symbolic link; nothing was written"], command=("init", "{root}/baru"), check=False),
    Case("init-through-a-dangling-link", with_file("baru/content/office.yaml", lambda r, p: p.symlink_to("/tmp/x")),
         ["baru/content/office.yaml is a symbolic link; nothing was written"], command=("init", "{root}/baru"),
         check=False),
    # 8. `optout import` reads only regular files of bounded size.
    Case("optout-dev-zero", lambda r: None, ["/dev/zero: is not a regular file"],
         command=("optout", "import", "/dev/zero"), check=False),
    Case("optout-fifo", with_file("keluar.csv", fifo), ["keluar.csv: is not a regular file"], command=OPTOUT,
         check=False),
    Case("optout-too-large", with_file("keluar.csv", sparse(60_000_000)), ["keluar.csv: is larger than 50 MB"],
         command=OPTOUT, check=False),
    Case("optout-duplicate-header", write("keluar.csv", "nomor,nomor\n0812-3456-7801,0812-3456-7802\n"),
         ["keluar.csv:1", "columns 'nomor' and 'nomor' have the same name"], command=OPTOUT, check=False),
]  # fmt: skip


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return run_cases(CASES, make_sent_project(tmp_path_factory), tmp_path_factory.mktemp("round2"))


@pytest.mark.skipif(sys.platform == "win32", reason="alarm and address-space limit are POSIX")
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input_round2(case: Case, outcomes: dict) -> None:
    assert_refused(case, outcomes[case.id])


def test_cases_are_distinct():
    assert len({c.id for c in CASES}) == len(CASES)


def test_a_list_past_its_rows_is_refused_naming_the_row(tmp_path, monkeypatch):
    """The row bound (200,000 in use; 3 here, so the test stays fast) for CSV and Excel alike."""
    import openpyxl

    from siaran.content import rows
    from siaran.errors import ContentError

    monkeypatch.setattr(rows, "MAX_ROWS", 3)
    table = [["nama", "nomor"]] + [[f"Warga {i}", f"0812{i:08d}"] for i in range(5)]
    csv_path = tmp_path / "l.csv"
    csv_path.write_text("".join(",".join(r) + "\n" for r in table))
    book = openpyxl.Workbook()
    for r in table:
        book.active.append(r)
    book.save(tmp_path / "l.xlsx")
    for path in (csv_path, tmp_path / "l.xlsx"):
        with pytest.raises(ContentError) as refused:
            rows.read_rows(path, path.name)
        assert str(refused.value) == f"{path.name}:4: more than 3 rows: split the list into several files"
