"""Lists read without guessing and in linear time: names of a shared number merged once each,
duplicate or ambiguous headers refused, `optout import` reporting progress on big files."""

from __future__ import annotations

from pathlib import Path

import pytest

from siaran.content.lists import header_problem, load_list
from siaran.content.rows import Row
from siaran.errors import ContentError


def rows_of(*lines: str) -> list[Row]:
    return [(i, tuple(line.split(","))) for i, line in enumerate(lines, 1)]


def test_a_household_sharing_a_number_is_greeted_by_every_name_once():
    rows = rows_of("nama,nomor", "Budi,0812-3456-7801", "Siti,0812 3456 7801", "Budi,+62812-3456-7801", ",081234567801",
                   "Ani,081234567801", "Joko,081234567802")  # fmt: skip
    blist = load_list(Path("content/lists/rt.csv"), "content/lists/rt.csv", rows=rows)
    assert [(r.phone, r.name, r.line) for r in blist.recipients] == [
        ("+6281234567801", "Budi dan Siti dan Ani", 2),
        ("+6281234567802", "Joko", 7),
    ]


def test_twenty_thousand_rows_sharing_one_number_make_one_recipient():
    rows = rows_of("nama,nomor", *(f"Warga {i},081234567801" for i in range(20_000)))
    [only] = load_list(Path("content/lists/rt.csv"), "content/lists/rt.csv", rows=rows).recipients
    names = only.name.split(" dan ")
    assert len(names) == 20_000 and names[:2] == ["Warga 0", "Warga 1"] and names[-1] == "Warga 19999"


HEADERS = [
    ("nama,nomor,rt", ""),
    ("nama,nomor,nomor", "columns 'nomor' and 'nomor' have the same name: rename or remove one"),
    ("Nama,No. HP,no_hp", "columns 'No. HP' and 'no_hp' have the same name: rename or remove one"),
    ("nama,nomor,whatsapp", "columns 'nomor' and 'whatsapp' both could be the one to use: rename or remove one"),
    ("nama,name,nomor", "columns 'nama' and 'name' both could be the one to use: rename or remove one"),
    ("nama,nomor,,", ""),  # empty headings (trailing separators Excel leaves) are not names
]


@pytest.mark.parametrize(("header", "problem"), HEADERS)
def test_headers_that_would_need_a_guess(header, problem):
    assert header_problem(header.split(",")) == problem


def test_a_list_with_a_doubled_header_is_refused_naming_the_line():
    with pytest.raises(ContentError) as refused:
        load_list(Path("l.csv"), "content/lists/l.csv", rows=rows_of("nama,nomor,nomor", "Budi,0812,0813"))
    assert str(refused.value).startswith("content/lists/l.csv:1: [header] columns 'nomor' and 'nomor'")


def test_optout_import_reports_progress(run, project, monkeypatch):
    from siaran.delivery import optouts

    monkeypatch.setattr(optouts, "PROGRESS_EVERY", 2)
    numbers = project / "keluar.csv"
    numbers.write_text("nomor\n" + "".join(f"0812345678{i:02d}\n" for i in range(5)))
    res = run("optout", "import", str(numbers))
    assert res.exit_code == 0, res.all
    assert "2 of 5 numbers read…" in res.stderr and "4 of 5 numbers read…" in res.stderr
    assert "Opted out: 5 added, 0 already on the list." in res.output
