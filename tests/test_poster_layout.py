"""Poster pagination as a reader sees it: every item whole on one slide, no heading left alone at
the bottom of a slide, one title size, notes under a heading, a QR code big enough for print, and
no glyph missing; over the sample SOPs, seeded random ones and a long real one."""

from __future__ import annotations

import dataclasses
import random
import shutil
from datetime import date
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from siaran.checks import load_project
from siaran.render import qr
from siaran.render.fonts import FontSet, office_fonts
from siaran.render.images import post_images
from siaran.render.layout import Slide, wrap, wrap_balanced
from siaran.render.poster import NOTES, qr_target, sop_slides
from test_images import assert_inside, random_sop

TODAY = date(2026, 11, 23)
LONG = Path(__file__).parent / "data" / "sop" / "kartu-keluarga-lengkap.yaml"
ITEM_ROLES = ("check", "step", "note")
SIGNATURE = "signature:\n  title: Lurah Sungai Rapak Indah\n  name: Muhammad Rizal Fahmi, S.STP\n"


def load(root: Path):
    return load_project(root, TODAY)


def with_long_sop(project: Path):
    shutil.copy(LONG, project / "content" / "sop" / LONG.name)
    return load(project)


def assert_reads_well(slides: list[Slide], items: list[str], fonts: FontSet) -> None:
    """Inside the margins; every item on one slide in one box, in order (only an item taller than
    a slide goes on, and then its later part says "(lanjutan)"); no slide ends with a heading;
    titles one size; every character has a glyph."""
    pending = ""  # the part of an item taller than a slide shown so far
    pos = 0
    for slide in slides:
        assert_inside(slide, fonts)
        texts = sorted(slide.texts, key=lambda t: (t.y, t.x))
        body = [t for t in texts if t.role in (*ITEM_ROLES, "heading", "continued")]
        for i, t in enumerate(body):
            if t.role not in ITEM_ROLES:
                continue
            shown = "".join(t.lines).replace(" ", "")
            whole = items[pos].replace(" ", "")
            continued = i > 0 and body[i - 1].role == "continued"
            assert continued == bool(pending), (shown, pending)
            pending += shown
            assert whole.startswith(pending), (whole, pending)
            if pending == whole:
                pending, pos = "", pos + 1
            else:  # cut only because it cannot fit: it fills the slide to the bottom
                assert t is [b for b in body if b.role in ITEM_ROLES][-1]
        # a heading always has an item after it on the same slide
        for i, t in enumerate(body):
            if t.role == "heading":
                assert any(b.role in ITEM_ROLES for b in body[i + 1 :]), (t.lines, slide.index)
        for t in slide.texts:
            for line in t.lines:
                assert fonts.missing(line, t.bold) == "", (line, t.role)
    assert pos == len(items) and not pending
    titles = {(t.size, t.lines) for s in slides for t in s.texts if t.role == "title"}
    assert len(titles) == 1, titles


def sop_items(sop) -> list[str]:
    return [*sop.requirements, *map(str, sop.steps), *sop.notes]


def test_sample_sops_read_well_on_one_poster_each(project: Path):
    proj = load(project)
    fonts = office_fonts(proj.office)
    for post in (p for p in proj.posts.values() if p.kind == "sop"):
        slides = sop_slides(proj.office, post, fonts)
        assert len(slides) == 1, post.name
        assert_reads_well(slides, sop_items(post.sop), fonts)
        # short content grows: no sample poster is set at the 24 px minimum when it has room
        sizes = {t.size for t in slides[0].texts if t.role in ("check", "step")}
        assert len(sizes) == 1
        if len(sop_items(post.sop)) <= 8:
            assert sizes.pop() >= 30, post.name


def test_notes_have_a_heading(project: Path):
    proj = load(project)
    fonts = office_fonts(proj.office)
    (slide,) = sop_slides(proj.office, proj.posts["sop/kartu-keluarga"], fonts)
    heads = [t for t in slide.texts if t.role == "heading"]
    note = next(t for t in slide.texts if t.role == "note")
    assert heads[-1].lines == (NOTES,) and heads[-1].y < note.y


def test_a_long_real_sop_keeps_items_whole_and_balances_its_slides(project: Path, tmp_path: Path):
    proj = with_long_sop(project)
    post = proj.posts["sop/kartu-keluarga-lengkap"]
    fonts = office_fonts(proj.office)
    slides = sop_slides(proj.office, post, fonts)
    assert 2 <= len(slides) <= 4
    assert_reads_well(slides, sop_items(post.sop), fonts)
    assert not any(t.role == "continued" for s in slides for t in s.texts)  # every item fits a slide
    # balanced: the fullest slide is not more than a third fuller than the emptiest
    used = []
    for s in slides:
        body = [t for t in s.texts if t.role in ITEM_ROLES]
        used.append(max(t.bottom for t in body) - min(t.y for t in s.texts if t.role in (*ITEM_ROLES, "heading")))
    assert min(used) >= 0.66 * max(used), used
    # readable type even on a long SOP
    assert min(t.size for s in slides for t in s.texts if t.role in ("check", "step")) >= 24
    paths = post_images(proj, post, tmp_path)
    for path in paths:
        with Image.open(path) as img:
            assert [r.text for r in zxingcpp.read_barcodes(img)] == [post.sop.form]


def test_an_item_taller_than_a_slide_goes_on_marked_lanjutan(project: Path):
    proj = load(project)
    post = proj.posts["sop/kartu-keluarga"]
    huge = " ".join(["Petugas memeriksa berkas permohonan dengan teliti"] * 60)
    sop = dataclasses.replace(post.sop, steps=(*post.sop.steps[:2], huge, *post.sop.steps[2:]))
    fonts = office_fonts(proj.office)
    slides = sop_slides(proj.office, dataclasses.replace(post, sop=sop), fonts)
    assert_reads_well(slides, sop_items(sop), fonts)
    marks = [s.index for s in slides for t in s.texts if t.role == "continued"]
    assert marks and all(t.lines == ("(lanjutan)",) for s in slides for t in s.texts if t.role == "continued")


@pytest.mark.parametrize("seed", range(12))
def test_random_sops_read_well(project: Path, seed: int):
    rnd = random.Random(seed)
    words = ["surat", "pengantar", "RT/RW", "fotokopi", "KTP-el", "Kartu", "Keluarga", "akta", "petugas", "“asli”"]

    proj = load(project)
    post = proj.posts["sop/kartu-keluarga"]
    sop, sentence = random_sop(post.sop, rnd, words)
    fonts = office_fonts(proj.office)
    random_post = dataclasses.replace(post, sop=sop, title=sentence(2, 12))
    assert_reads_well(sop_slides(proj.office, random_post, fonts), sop_items(sop), fonts)


def test_qr_codes_have_five_pixel_modules_and_a_quiet_zone(project: Path, tmp_path: Path):
    proj = with_long_sop(project)
    fonts = office_fonts(proj.office)
    for post in (p for p in proj.posts.values() if p.kind == "sop"):
        link = qr_target(proj.office, post.sop)
        fit = qr.fit(link)
        assert fit.module_px >= 5
        for slide in sop_slides(proj.office, post, fonts):
            (code,) = [s for s in slide.contained if s.kind == "qr"]
            assert code.w == code.h == (fit.modules + 2 * qr.QUIET) * fit.module_px
        # in the painted image: the dark modules start 4 modules in from the white card's edge
        path = post_images(proj, post, tmp_path)[0]
        with Image.open(path) as img:
            crop = img.convert("L").crop((code.x, code.y, code.x + code.w, code.y + code.h))
        dark = [x for x in range(code.w) if crop.getpixel((x, code.h // 2)) < 128]
        assert min(dark) >= qr.QUIET * fit.module_px - 2 and max(dark) <= code.w - qr.QUIET * fit.module_px + 1
    # a long prefilled WhatsApp text still gets 5 px modules, in a bigger card
    long_link = "https://wa.me/6281154002727?text=" + "Halo%2C%20saya%20ingin%20mengurus%20surat" * 3
    assert qr.fit(long_link).module_px >= 5 and not qr.too_long(long_link)
    assert qr.fit(long_link).card > qr.fit(link).card


def test_check_refuses_a_link_too_long_for_a_readable_qr(run, project: Path):
    sop = project / "content" / "sop" / "surat-keterangan-domisili.yaml"
    text = sop.read_text()
    assert "whatsapp_text:" in text
    lines = [
        'whatsapp_text: "' + "Halo, saya ingin mengurus Surat Keterangan Domisili untuk keluarga saya. " * 6 + '"'
        if line.startswith("whatsapp_text:")
        else line
        for line in text.splitlines()
    ]
    sop.write_text("\n".join(lines) + "\n")
    res = run("check")
    assert res.exit_code != 0
    assert "content/sop/surat-keterangan-domisili.yaml" in res.all and "[whatsapp_text]" in res.all
    assert "too long for a QR code" in res.all


def test_titles_avoid_a_single_word_last_line(project: Path):
    fonts = office_fonts(load(project).office)
    title = "Cara Mengurus Surat Keterangan Domisili"
    for width in range(560, 968, 8):
        greedy = wrap(title, fonts, 58, True, width)
        balanced = wrap_balanced(title, fonts, 58, True, width)
        assert len(balanced) == len(greedy) and " ".join(balanced) == " ".join(greedy)
        if len(greedy) > 1 and len(balanced[-1].split()) == 1:
            # only when no wrap with as many lines ends on two words
            for narrower in range(width // 2, width):
                lines = wrap(title, fonts, 58, True, narrower)
                assert len(lines) > len(greedy) or len(lines[-1].split()) == 1
    proj = load(project)
    post = dataclasses.replace(proj.posts["sop/kartu-keluarga"], title="Cara Mengurus Kartu Keluarga untuk Pendatang")
    slide = sop_slides(proj.office, post, fonts)[0]
    (box,) = [t for t in slide.texts if t.role == "title"]
    assert len(wrap(post.title, fonts, box.size, True, box.w)[-1].split()) == 1  # greedy: "Pendatang" alone
    assert len(box.lines) > 1 and len(box.lines[-1].split()) > 1


def test_emoji_are_drawn_as_emoji_not_boxes(project: Path, tmp_path: Path):
    proj = load(project)
    fonts = office_fonts(proj.office)
    post = proj.posts["sop/surat-keterangan-domisili"]
    sop = dataclasses.replace(post.sop, requirements=("Fotokopi KTP-el ✅", *post.sop.requirements[1:]))
    titled = dataclasses.replace(post, title="Urus Domisili 🎉 🇮🇩", sop=sop, name="sop/emoji")
    (slide,) = sop_slides(proj.office, titled, fonts)
    assert_reads_well([slide], sop_items(sop), fonts)
    assert fonts.missing("🎉 ✅ 🇮🇩 👨‍👩‍👧 ❤️") == ""
    assert fonts.runs("Urus 🇮🇩", True) == [("Urus ", False), ("🇮🇩", True)]
    # the flag is shaped into one glyph, not two regional letters
    assert fonts.width("🇮🇩", 40) == pytest.approx(fonts.width("🎉", 40), abs=1)
    (path,) = post_images(proj, titled, tmp_path)
    (box,) = [t for t in slide.texts if t.role == "title"]
    line = next(i for i, text in enumerate(box.lines) if "🎉" in text)
    with Image.open(path) as img:
        x0 = box.x + fonts.width(box.lines[line].split("🎉")[0], box.size, True)
        y0 = box.y + line * box.leading
        cell = img.convert("L").crop((round(x0), y0, round(x0 + fonts.width("🎉", box.size, True)), y0 + box.leading))
    # an emoji inks a real shape: far more than the thin outline of a .notdef box
    inked = sum(1 for v in cell.tobytes() if v > 160)  # light ink on the dark header band
    assert inked > 0.12 * cell.width * cell.height


def test_check_names_file_line_and_character_without_a_glyph(run, project: Path):
    sop = project / "content" / "sop" / "ktp-el.yaml"
    text = sop.read_text().splitlines()
    n = next(i for i, line in enumerate(text) if line.strip().startswith("- "))
    text[n] = text[n] + " 中"
    sop.write_text("\n".join(text) + "\n")
    res = run("check")
    assert res.exit_code != 0
    assert f"content/sop/ktp-el.yaml:{n + 1}" in res.all
    assert "U+4E2D" in res.all and "glyph" in res.all
    # emoji are fine
    text[n] = text[n].replace(" 中", " ✅")
    sop.write_text("\n".join(text) + "\n")
    res = run("check")
    assert "glyph" not in res.all, res.all


def _cover(slide: Slide, t) -> str:
    """The colour under a text box: the last filled shape holding its centre, else the background."""
    cx, cy = t.x + t.w / 2, t.y + t.h / 2
    under = [
        s
        for s in slide.shapes
        if s.kind in ("rect", "ellipse") and s.x <= cx <= s.x + s.w and s.y <= cy <= s.bottom and s.fill
    ]
    return under[-1].fill if under else slide.background


@pytest.mark.parametrize("layout", ["klasik", "bingkai", "resmi"])
def test_greeting_cards_are_official_in_every_layout(project: Path, tmp_path: Path, layout: str):
    from siaran.render.greeting import greeting_slides
    from siaran.render.palette import contrast

    photo = project / "content" / "lurah.png"
    Image.new("RGB", (200, 260), (30, 90, 200)).save(photo)
    logo = project / "content" / "logo.png"
    Image.new("RGBA", (300, 300), (200, 30, 30, 255)).save(logo)
    office_yaml = project / "content" / "office.yaml"
    office_yaml.write_text(office_yaml.read_text() + SIGNATURE + "  photo: lurah.png\nlogo: logo.png\n")
    proj = load(project)
    fonts = office_fonts(proj.office)
    for name in ("greetings/idul-fitri", "greetings/natal", "greetings/kemerdekaan", "greetings/waisak"):
        post = proj.posts[name]
        when = date(2026, 3, 21) if name.endswith("fitri") else date(2026, 12, 25)
        (slide,) = greeting_slides(proj.office, post, "Selamat hari raya 🎉", fonts, when, layout)
        assert_inside(slide, fonts)
        shown = [line for t in slide.texts for line in t.lines]
        assert [s.kind for s in slide.contained] == ["logo", "logo"]  # the office logo and the photo
        assert "Lurah Sungai Rapak Indah" in shown and "Muhammad Rizal Fahmi, S.STP" in shown
        dateline = next(t for t in slide.texts if t.role == "date")
        if name.endswith("fitri"):
            assert dateline.lines == ("Sabtu, 21 Maret 2026 · 1 Syawal 1447 H",)
        else:
            assert "1447 H" not in " ".join(dateline.lines) and "25 Desember 2026" in " ".join(dateline.lines)
        for t in slide.texts:  # every text readable on what is under it (WCAG AA large text: 3)
            assert contrast(t.colour, _cover(slide, t)) >= (4.5 if t.size < 24 else 3), (layout, name, t)


def test_greeting_card_names_the_holiday_date_from_the_calendar(project: Path, tmp_path: Path):
    from siaran.render.greeting import hijri_date
    from siaran.render.images import greeting_day

    proj = load(project)
    assert greeting_day(proj, proj.posts["greetings/natal"]) == date(2026, 12, 25)
    assert hijri_date("Hari Raya Idul Adha", date(2026, 5, 27)) == "10 Zulhijah 1447 H"
    assert hijri_date("Tahun Baru Islam", date(2026, 6, 16)) == "1 Muharam 1448 H"
    assert hijri_date("Hari Raya Natal", date(2026, 12, 25)) == ""
    (path,) = post_images(proj, proj.posts["greetings/natal"], tmp_path)
    with Image.open(path) as img:
        assert img.size == (1080, 1350)


def test_check_names_a_missing_signature_photo(run, project: Path):
    office_yaml = project / "content" / "office.yaml"
    office_yaml.write_text(office_yaml.read_text() + SIGNATURE + "  photo: tidak-ada.jpg\n")
    res = run("check")
    assert res.exit_code != 0
    assert "content/office.yaml:22: [signature.photo] file not found: content/tidak-ada.jpg" in res.all
