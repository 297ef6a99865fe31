"""Rendered SOP posters and cards: format, QR codes, layout containment, caching, checks."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import zxingcpp
from PIL import Image

from siaran.checks import load_project
from siaran.errors import ContentError
from siaran.render import images as images_mod
from siaran.render.cards import announcement_slides
from siaran.render.fonts import FontSet, office_fonts
from siaran.render.greeting import greeting_slides
from siaran.render.images import post_images
from siaran.render.layout import HEIGHT, MARGIN, WIDTH, Slide, wrap
from siaran.render.markup import to_plain as strip_markup
from siaran.render.poster import qr_target, sop_slides

TODAY = date(2026, 11, 23)


def load(root: Path):
    return load_project(root, TODAY)


def qr_texts(path: Path) -> list[str]:
    with Image.open(path) as img:
        return [r.text for r in zxingcpp.read_barcodes(img)]


def assert_inside(slide: Slide, fonts: FontSet) -> None:
    """Every text box and content shape within the safe margins, every line within its box."""
    for t in slide.texts:
        assert t.x >= MARGIN and t.x + t.w <= WIDTH - MARGIN, t
        assert t.y >= MARGIN and t.bottom <= HEIGHT - MARGIN, t
        assert t.h >= len(t.lines) * t.leading
        font = fonts.get(t.size, t.bold)
        ascent = font.getmetrics()[0]
        for line in t.lines:
            assert fonts.width(line, t.size, t.bold) <= t.w + 0.5, (line, t)
            # the inked glyphs stay inside the line's slot (ascender to descender); emoji sit on
            # the text's baseline
            for run, emoji in fonts.runs(line, t.bold):
                if emoji:
                    _left, top, _right, bottom = fonts.get_emoji(t.size, t.bold).getbbox(run, anchor="ls")
                    top, bottom = top + ascent, bottom + ascent
                else:
                    assert font.getlength(run) == pytest.approx(fonts.width(run, t.size, t.bold))
                    _left, top, _right, bottom = font.getbbox(run, anchor="la")
                assert top >= 0 and bottom <= t.leading, (line, t.size)
    for s in slide.contained:
        assert s.x >= MARGIN and s.x + s.w <= WIDTH - MARGIN, s
        assert s.y >= MARGIN and s.bottom <= HEIGHT - MARGIN, s
    # nothing overlaps: no two text boxes, no text on the QR code or logo, no body text on a band
    for a, b in itertools.combinations([*slide.texts, *slide.contained], 2):
        assert not overlap(a, b), (a, b)
    bands = [s for s in slide.shapes if s.kind == "rect" and s.w == WIDTH]
    for t in slide.texts:
        if t.role in BODY_ROLES:
            assert not any(overlap(t, band) for band in bands), t


BODY_ROLES = {"heading", "check", "step", "note", "para", "info", "label", "number", "hint"}


def overlap(a, b) -> bool:
    return a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.bottom and b.y < a.bottom


def body_words(slides: list[Slide]) -> list[str]:
    return [
        w for s in slides for t in s.texts if t.role in ("check", "step", "note") for w in " ".join(t.lines).split()
    ]


def random_sop(sop, rnd, vocabulary: list[str]):
    """``sop`` with random requirements, steps and notes drawn from ``vocabulary`` (now and then a long
    link), and the sentence maker, for more random text."""

    def sentence(lo: int, hi: int) -> str:
        words = [rnd.choice(vocabulary) for _ in range(rnd.randint(lo, hi))]
        if rnd.random() < 0.1:
            words.append("https://contoh.desa.id/" + "panjang" * rnd.randint(5, 40))
        return " ".join(words)

    made = dataclasses.replace(
        sop,
        requirements=tuple(sentence(1, 30) for _ in range(rnd.randint(1, 25))),
        steps=tuple(sentence(1, 40) for _ in range(rnd.randint(1, 20))),
        notes=tuple(sentence(3, 20) for _ in range(rnd.randint(0, 3))),
    )
    return made, sentence


def test_sop_poster_is_an_instagram_jpeg_whose_qr_opens_the_form(project: Path, tmp_path: Path):
    proj = load(project)
    post = proj.posts["sop/kartu-keluarga"]
    paths = post_images(proj, post, tmp_path / "media")
    assert len(paths) == 1
    assert paths[0].parent == tmp_path / "media"
    assert paths[0].name.startswith("sop-kartu-keluarga-") and paths[0].suffix == ".jpg"
    with Image.open(paths[0]) as img:
        assert img.format == "JPEG"
        assert img.size == (1080, 1350)
    assert qr_texts(paths[0]) == ["https://sungairapakindah.balikpapan.example.id/layanan/kk"]
    assert paths[0].stat().st_size < 300_000


def test_whatsapp_qr_opens_a_chat_with_the_prefilled_text(project: Path, tmp_path: Path):
    proj = load(project)
    post = proj.posts["sop/surat-keterangan-domisili"]
    (path,) = post_images(proj, post, tmp_path)
    (link,) = qr_texts(path)
    assert link == qr_target(proj.office, post.sop)
    url = urlsplit(link)
    assert (url.scheme, url.netloc, url.path) == ("https", "wa.me", "/6281154002727")
    assert " " not in link
    assert parse_qs(url.query)["text"] == ["Halo, saya ingin mengurus Surat Keterangan Domisili."]


def test_every_sample_sop_renders_one_readable_poster(project: Path, tmp_path: Path):
    proj = load(project)
    fonts = office_fonts(proj.office)
    sops = [p for p in proj.posts.values() if p.kind == "sop"]
    assert len(sops) == 5
    for post in sops:
        for slide in sop_slides(proj.office, post, fonts):
            assert_inside(slide, fonts)
        (path,) = post_images(proj, post, tmp_path)
        assert qr_texts(path) == [qr_target(proj.office, post.sop)]


def test_a_four_times_longer_sop_continues_on_numbered_slides_inside_the_margins(project: Path, tmp_path: Path):
    proj = load(project)
    post = proj.posts["sop/kartu-keluarga"]
    sop = post.sop
    long_sop = dataclasses.replace(
        sop,
        requirements=tuple(f"{r} (rangkap {i})" for i in range(4) for r in sop.requirements),
        steps=tuple(f"{s}, lalu tunggu panggilan petugas di ruang tunggu" for _ in range(4) for s in sop.steps),
        notes=(*sop.notes, "https://sungairapakindah.balikpapan.example.id/" + "x" * 120),
    )
    long_post = dataclasses.replace(post, sop=long_sop, name="sop/kk-panjang")
    fonts = office_fonts(proj.office)
    slides = sop_slides(proj.office, long_post, fonts)
    assert len(slides) >= 2
    for n, slide in enumerate(slides, 1):
        assert (slide.index, slide.count) == (n, len(slides))
        pills = [t.lines for t in slide.texts if t.role == "pill"]
        assert pills == [(f"{n}/{len(slides)}",)]
        assert any(t.role == "hint" for t in slide.texts) == (n < len(slides))
        assert_inside(slide, fonts)
        # every slide keeps its QR code and the duration/cost chips
        assert [s.data for s in slide.contained if s.kind == "qr"] == [sop.form]
        assert any("Lama proses" in " ".join(t.lines) for t in slide.texts)
        assert min(t.size for t in slide.texts if t.role in ("check", "step")) >= 24
    # nothing lost: every word of every item appears, in order (long words broken, not cut)
    source = [w for text in (*long_sop.requirements, *long_sop.steps, *long_sop.notes) for w in text.split()]
    assert "".join(body_words(slides)) == "".join(source)
    # a section cut by a slide break carries its heading onto the next slide
    later_heads = [t.lines[0] for s in slides[1:] for t in s.texts if t.role == "heading"]
    assert any(h.endswith("(lanjutan)") for h in later_heads)
    paths = post_images(proj, long_post, tmp_path)
    assert [p.name.rsplit("-", 1)[-1] for p in paths] == [f"{i}of{len(slides)}.jpg" for i in range(1, len(slides) + 1)]
    for p in paths:
        with Image.open(p) as img:
            assert img.size == (1080, 1350)
        assert qr_texts(p) == [sop.form]


def test_long_words_are_broken_to_fit(project: Path):
    fonts = office_fonts(load(project).office)
    text = "Tautan: https://example.id/" + "formulir-permohonan-" * 12 + " selesai"
    lines = wrap(text, fonts, 30, False, 400)
    assert len(lines) > 3
    assert all(fonts.get(30).getlength(line) <= 400 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_greeting_and_announcement_cards_render_inside_the_margins(project: Path, tmp_path: Path):
    proj = load(project)
    fonts = office_fonts(proj.office)
    for name in ("greetings/idul-fitri", "greetings/natal", "announcements/posyandu", "announcements/kerja-bakti"):
        post = proj.posts[name]
        (path,) = post_images(proj, post, tmp_path)
        with Image.open(path) as img:
            assert (img.format, img.size) == ("JPEG", (1080, 1350))
        text = images_mod.card_text(proj, post)
        make = greeting_slides if post.kind == "greeting" else announcement_slides
        for slide in make(proj.office, post, text, fonts):
            assert_inside(slide, fonts)
            shown = " ".join(line for t in slide.texts for line in t.lines)
            assert post.title.split()[0] in shown
            assert "*" not in shown and "_" not in shown.replace("@kel.", "")
    posyandu = proj.posts["announcements/posyandu"]
    shown = [
        line
        for s in announcement_slides(proj.office, posyandu, images_mod.card_text(proj, posyandu), fonts)
        for t in s.texts
        for line in t.lines
    ]
    assert "Sabtu, 5 Desember 2026" in shown
    assert "08.00-11.00 WITA" in shown


def test_greeting_card_takes_its_theme_colour(project: Path):
    proj = load(project)
    fonts = office_fonts(proj.office)
    natal = proj.posts["greetings/natal"]
    assert natal.theme == "resmi #B71C1C"  # the "resmi" layout: a light card with a band in the theme colour
    (slide,) = greeting_slides(proj.office, natal, "Selamat Natal.", fonts)
    assert slide.background.upper() == proj.office.brand.background.upper()
    assert any(s.fill.upper() == "#B71C1C" and s.w == 1080 for s in slide.shapes)
    classic = dataclasses.replace(natal, theme="#B71C1C")
    (slide,) = greeting_slides(proj.office, classic, "Selamat Natal.", fonts)
    assert slide.background.upper() == "#B71C1C"
    plain = dataclasses.replace(natal, theme="")
    (slide,) = greeting_slides(proj.office, plain, "Selamat Natal.", fonts)
    assert slide.background.upper() == proj.office.brand.primary.upper()


def test_rendering_is_deterministic_and_reuses_files(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    proj = load(project)
    post = proj.posts["sop/ktp-el"]
    first = post_images(proj, post, tmp_path / "a")
    second = post_images(proj, post, tmp_path / "b")
    assert [p.name for p in first] == [p.name for p in second]
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]

    def no_painting(*args, **kwargs):
        raise AssertionError("painted again although the file exists")

    monkeypatch.setattr("siaran.render.paint.paint", no_painting)  # imported when a card is drawn
    assert post_images(proj, post, tmp_path / "a") == first
    # changed content: a new file name, so it is rendered anew
    changed = dataclasses.replace(post, sop=dataclasses.replace(post.sop, duration="5 hari kerja"))
    with pytest.raises(AssertionError, match="painted again"):
        post_images(proj, changed, tmp_path / "a")
    assert not list((tmp_path / "a").glob(".*.tmp"))


def test_operator_images_come_after_the_rendered_card(project: Path, tmp_path: Path):
    proj = load(project)
    own = project / "content" / "foto.jpg"
    Image.new("RGB", (10, 10), "red").save(own)
    post = dataclasses.replace(proj.posts["announcements/posyandu"], images=(own,))
    paths = post_images(proj, post, tmp_path)
    assert len(paths) == 2 and paths[1] == own
    greeting = dataclasses.replace(proj.posts["greetings/natal"], images=(own,))
    assert post_images(proj, greeting, tmp_path) == (own,)  # the operator's own image replaces the card
    plain = dataclasses.replace(proj.posts["announcements/posyandu"], card=False)
    assert post_images(proj, plain, tmp_path) == ()


def test_card_cannot_show_per_recipient_text_without_a_summary(project: Path, tmp_path: Path):
    proj = load(project)
    post = dataclasses.replace(
        proj.posts["announcements/kerja-bakti"],
        summary="",
        body="Halo {{ recipient.name }}!",
        name="announcements/pribadi",
    )
    with pytest.raises(ContentError) as e:
        post_images(proj, post, tmp_path)
    assert e.value.field == "summary"


def test_markup_is_stripped_for_cards():
    assert strip_markup("Datang ke *Posyandu Melati*!\n_Gratis_ dan ~mahal~\n- satu\n- dua") == (
        "Datang ke Posyandu Melati!\nGratis dan mahal\n• satu\n• dua"
    )
    assert strip_markup("a*b*c 2*3 = 6") == "a*b*c 2*3 = 6"


def test_indonesian_punctuation_has_real_glyphs(project: Path):
    fonts = office_fonts(load(project).office)
    for bold in (False, True):
        font = fonts.get(40, bold)
        tofu = bytes(font.getmask("\U000f0000"))
        assert bytes(font.getmask("\U000f0001")) == tofu  # both missing: the same .notdef box
        for ch in "–“”éÉ›·•":
            assert bytes(font.getmask(ch)) != tofu, ch


def test_office_logo_and_font_are_used(project: Path, tmp_path: Path):
    logo = project / "content" / "logo.png"
    Image.new("RGBA", (300, 200), (200, 30, 30, 255)).save(logo)
    bundled = office_fonts(load(project).office)
    (project / "content" / "huruf.ttf").write_bytes(bundled.bold.read_bytes())
    office_yaml = project / "content" / "office.yaml"
    office_yaml.write_text(office_yaml.read_text() + "logo: logo.png\nfont: huruf.ttf\n")
    proj = load(project)
    fonts = office_fonts(proj.office)
    assert fonts.regular == fonts.bold == project / "content" / "huruf.ttf"
    post = proj.posts["sop/kartu-keluarga"]
    (slide,) = sop_slides(proj.office, post, fonts)
    assert [s.kind for s in slide.contained] == ["logo", "qr"]
    assert_inside(slide, fonts)
    (path,) = post_images(proj, post, tmp_path)
    with Image.open(path) as img:
        logo_box = next(s for s in slide.contained if s.kind == "logo")
        r, g, b = img.getpixel((logo_box.x + logo_box.w // 2, logo_box.y + logo_box.h // 2))
        assert r > 150 and g < 90 and b < 90  # the red logo is painted where the layout put it


def test_preview_writes_the_images(run, tmp_path: Path):
    out = tmp_path / "pratinjau"
    res = run("preview", "sop/kartu-keluarga", "--out", str(out))
    assert res.exit_code == 0, res.all
    jpgs = list(out.glob("sop-kartu-keluarga-*.jpg"))
    assert len(jpgs) == 1
    assert str(jpgs[0]) in res.output
    with Image.open(jpgs[0]) as img:
        assert img.size == (1080, 1350)


def test_check_reports_a_whatsapp_qr_without_an_office_number(run, project: Path):
    office_yaml = project / "content" / "office.yaml"
    office_yaml.write_text(
        "\n".join(line for line in office_yaml.read_text().splitlines() if not line.startswith("whatsapp:"))
    )
    for tpl in (project / "content" / "templates").rglob("*.j2"):  # the sample footer names the number
        tpl.write_text(tpl.read_text().replace("{{ office.whatsapp_display }}", "-"))
    for md in (project / "content").rglob("*.md"):
        md.write_text(md.read_text().replace("{{ office.whatsapp_display }}", "-"))
    res = run("check")
    assert res.exit_code != 0
    assert "content/sop/surat-keterangan-domisili.yaml: [qr]" in res.all
    assert "WhatsApp number" in res.all
    assert "kartu-keluarga" not in res.all


def test_check_reports_a_form_qr_that_is_not_a_link(run, project: Path):
    sop = project / "content" / "sop" / "ktp-el.yaml"
    sop.write_text(sop.read_text().replace("form: https://", "form: www."))
    res = run("check")
    assert res.exit_code != 0
    assert "content/sop/ktp-el.yaml" in res.all and "[form]" in res.all and "not a link" in res.all
    sop.write_text("\n".join(line for line in sop.read_text().splitlines() if not line.startswith("form:")))
    res = run("check")
    assert res.exit_code != 0
    assert "[form]" in res.all and "QR code" in res.all


@pytest.mark.parametrize("seed", range(12))
def test_random_sops_never_leave_the_margins_or_lose_words(project: Path, seed: int):
    """Seeded random SOPs (short and long items, huge words, long titles): every slide stays
    inside the margins and every word of the content appears once, in order."""
    import random

    rnd = random.Random(seed)
    vocabulary = [
        "surat",
        "pengantar",
        "RT/RW",
        "fotokopi",
        "KTP-el",
        "Kartu",
        "Keluarga",
        "akta",
        "kelahiran",
        "petugas",
        "loket",
        "“asli”",
        "–",
        "é",
    ]

    proj = load(project)
    post = proj.posts["sop/kartu-keluarga"]
    sop, sentence = random_sop(post.sop, rnd, vocabulary)
    sop = dataclasses.replace(sop, duration=sentence(1, 8), cost=sentence(1, 6))
    title = sentence(2, 60 if seed % 4 == 0 else 8)
    random_post = dataclasses.replace(post, sop=sop, title=title, name=f"sop/acak-{seed}")
    fonts = office_fonts(proj.office)
    slides = sop_slides(proj.office, random_post, fonts)
    for slide in slides:
        assert_inside(slide, fonts)
    shown = [
        w
        for s in slides
        for t in s.texts
        if t.role in ("check", "step", "note") or (t.role == "para" and s.index == 1)
        for w in " ".join(t.lines).split()
    ]
    source = [w for text in (*sop.requirements, *sop.steps, *sop.notes) for w in text.split()]
    title_lines = [line for t in slides[0].texts if t.role == "title" for line in t.lines]
    overflow = [w for t in slides[0].texts if t.role == "para" for w in " ".join(t.lines).split()]
    assert "".join(shown) == "".join(overflow + source)
    assert "".join([*title_lines, *overflow]).replace(" ", "") == title.replace(" ", "")


@pytest.mark.parametrize("kind", ["greeting", "announcement"])
def test_long_card_text_continues_on_further_slides(project: Path, kind: str):
    proj = load(project)
    fonts = office_fonts(proj.office)
    post = proj.posts["greetings/idul-fitri" if kind == "greeting" else "announcements/posyandu"]
    text = "\n\n".join(f"Paragraf {i}: " + "mohon maaf lahir dan batin, " * 12 for i in range(8))
    make = greeting_slides if kind == "greeting" else announcement_slides
    slides = make(proj.office, post, text, fonts)
    assert len(slides) >= 2
    for slide in slides:
        assert_inside(slide, fonts)
    shown = [w for s in slides for t in s.texts if t.role == "para" for w in " ".join(t.lines).split()]
    assert shown == text.split()


def test_check_reports_a_card_whose_body_is_personal(run, project: Path):
    post = project / "content" / "announcements" / "kerja-bakti.md"
    post.write_text(
        post.read_text().replace("summary: Membersihkan parit dan saluran air agar tidak banjir.\n", "")
        + "\nSalam untuk {{ recipient.name }}.\n"
    )
    res = run("check")
    assert res.exit_code != 0
    assert "content/announcements/kerja-bakti.md: [summary]" in res.all


def test_fit_pages_prefers_one_page_then_the_largest_size_for_the_fewest_pages():
    from siaran.render.flow import Page, fit_pages

    def pages(n: int) -> list[Page]:
        return [Page() for _ in range(n)]

    need = {1.0: 3, 0.95: 2, 0.9: 2, 0.85: 1, 0.8: 1}
    assert fit_pages(lambda s: pages(need[s]))[0] == 0.85
    need = {1.0: 4, 0.95: 3, 0.9: 3, 0.85: 2, 0.8: 2}
    scale, result = fit_pages(lambda s: pages(need[s]))
    assert (scale, len(result)) == (0.85, 2)
