"""Lists and opt-outs as offices keep them: Excel's CSV (; BOM CRLF, code page) and .xlsx."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from siaran.content.rows import read_rows


def _xlsx(path: Path, rows: list[list]) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_excel_csv_with_semicolons_bom_and_crlf(run, project):
    lists = project / "content/lists"
    (lists / "warga-rt01.csv").write_bytes("\ufeffNama;No. HP;RT\r\nBudi, S.Pd;0812-3456-7801;01\r\n".encode())
    res = run("preview", "announcements/posyandu", "--channel", "whatsapp")
    assert res.exit_code == 0, res.all
    assert "Yth. Bapak/Ibu Budi, S.Pd," in res.output


def test_a_windows_code_page_csv_is_read(tmp_path):
    path = tmp_path / "l.csv"
    path.write_bytes("nama;nomor\r\nJosé;081234567801\r\n".encode("cp1252"))
    assert read_rows(path) == [(1, ("nama", "nomor")), (2, ("José", "081234567801"))]


def test_xlsx_list_with_numbers_stored_as_numbers(run, project):
    lists = project / "content/lists"
    (lists / "warga-rt01.csv").unlink()
    _xlsx(lists / "warga-rt01.xlsx", [["nama", "nomor", "rt"], ["Budi", 81234567801, 1], [None, None, None],
                                       ["Rusak", "0812", 2], ["Siti", 6281355501122.0, 3]])  # fmt: skip
    res = run("check")
    assert res.exit_code == 1
    assert "content/lists/warga-rt01.xlsx:4: [nomor] invalid phone number '0812'" in res.stderr
    _xlsx(lists / "warga-rt01.xlsx", [["nama", "nomor", "rt"], ["Budi", 81234567801, 1], ["Siti", 6281355501122.0, 3]])
    res = run("send", "announcements/posyandu", "--now", "--list", "warga-rt01", "--channel", "whatsapp")
    assert res.exit_code == 0, res.all
    assert "sent 2" in res.output
    names = {p.name for p in (project / "outbox").rglob("*.txt")}
    assert names == {"6281234567801.txt", "6281355501122.txt"}


def test_excel_scientific_notation_is_explained(run, project):
    (project / "content/lists/warga-rt01.csv").write_text("nama,nomor\nBudi,8.12346E+10\n", encoding="utf-8")
    res = run("check")
    assert "content/lists/warga-rt01.csv:2: [nomor] invalid phone number '8.12346E+10'" in res.stderr
    assert "format the column as Text" in res.stderr


def test_optout_import_reads_excel_csv_and_xlsx(run, project):
    csv_file = project / "stop.csv"
    csv_file.write_bytes("\ufeffnama;nomor\r\nBudi;0812-3456-7801\r\nSalah;12\r\n".encode())
    res = run("optout", "import", str(csv_file))
    assert "1 added" in res.output
    assert "stop.csv:3: '12'" in res.stderr
    assert "stop.csv:1" not in res.stderr  # the header is a header, not a bad number
    xlsx = _xlsx(project / "stop.xlsx", [["No HP"], [81355501122]])
    assert "1 added" in run("optout", "import", str(xlsx)).output
    assert "+6281355501122" in run("optout", "list").output


def test_two_files_for_one_list_is_an_error(run, project):
    _xlsx(project / "content/lists/warga-rt01.xlsx", [["nama", "nomor"], ["Budi", 81234567801]])
    res = run("check")
    assert "a second file for list 'warga-rt01'" in res.stderr
