"""Built-in templates, overrides, the variables the README promises, and line breaks as written."""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path

from siaran.checks import load_project
from siaran.clock import zone
from siaran.render.variables import markdown, template_variables

REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=zone("Asia/Makassar"))


def test_readme_lists_every_template_variable():
    doc = (REPO / "docs" / "reference" / "content.md").read_text(encoding="utf-8")
    section = re.search(r"<!-- templates:start -->\n(.*?)\n<!-- templates:end -->", doc, re.DOTALL)
    assert section, "README has no templates section"
    expected = markdown(template_variables(load_project(REPO, NOW)))
    assert section[1] == expected, "README template variables are stale: run `siaran templates --markdown`"


def test_a_project_without_templates_uses_the_built_in_ones(run, project):
    shutil.rmtree(project / "content" / "templates")
    assert run("check").exit_code == 0
    text = run("preview", "sop/kartu-keluarga", "--channel", "whatsapp").output
    assert "*Persyaratan:*" in text and "Yth. Bapak/Ibu" not in text


def test_an_override_uses_post_date_and_any_csv_column(run, project):
    (project / "content/templates/whatsapp/announcement.j2").write_text(
        "{{ post.title }} {{ post.date | tanggal }} untuk {{ recipient.nama }} RT {{ recipient.rt }}\n"
        "{{ post.body }}\n",
        encoding="utf-8",
    )
    res = run("preview", "announcements/posyandu", "--channel", "whatsapp")
    assert res.exit_code == 0, res.all
    assert "Posyandu Balita Bulan Desember Sabtu, 5 Desember 2026 untuk Budi Santoso RT 01" in res.output


def test_if_blocks_keep_the_line_breaks_as_written(run, project):
    post = project / "content/announcements/posyandu.md"
    head, _, _body = post.read_text(encoding="utf-8").partition("\n---\n")
    post.write_text(
        head + "\n---\n{% if recipient %}Halo {{ recipient.nama }}!{% endif %}\nParagraf kedua.\n\n"
        "{% if recipient %}\nBaris sendiri.\n{% endif %}\nAkhir.\n",
        encoding="utf-8",
    )
    text = run("preview", "announcements/posyandu", "--channel", "whatsapp").output
    assert "Halo Budi Santoso!\nParagraf kedua.\n\nBaris sendiri.\nAkhir." in text
    caption = run("preview", "announcements/posyandu", "--channel", "instagram").output
    assert "Paragraf kedua.\n\nAkhir." in caption


def test_an_honorific_in_the_name_is_not_doubled(run, project):
    (project / "content/lists/warga-rt01.csv").write_text("nama,nomor\nPak Slamet,081234567801\n", encoding="utf-8")
    text = run("preview", "announcements/posyandu", "--channel", "whatsapp").output
    assert "Yth. Pak Slamet," in text and "Bapak/Ibu Pak" not in text
