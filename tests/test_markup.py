"""One WhatsApp-markup grammar (siaran.render.markup): a tokenizer, then plain text or escaped HTML."""

from __future__ import annotations

from siaran.render.markup import Code, Link, Styled, parse, to_html, to_plain


def test_markers_hug_their_text_and_are_not_glued_to_words():
    (line,) = parse("Datang *Bu _Ani_* 2*3*4 snake_case_name ~lama~ * bukan* _x")[0].lines
    assert line == (
        "Datang ", Styled("*", ("Bu ", Styled("_", ("Ani",)))), " 2*3*4 snake_case_name ", Styled("~", ("lama",)),
        " * bukan* _x",
    )  # fmt: skip
    assert to_plain("*tebal\nbaris*") == "*tebal\nbaris*"  # emphasis never crosses a line


def test_nothing_inside_monospace_code_or_a_link_is_formatted():
    (line,) = parse("```x *y*``` `a_b_` https://desa.id/a_b_c.")[0].lines
    assert line == (Code("x *y*", block=True), " ", Code("a_b_"), " ", Link("https://desa.id/a_b_c"), ".")
    assert parse("```satu\n*dua*```")[0].lines == [(Code("satu\n*dua*", block=True),)]


def test_plain_text_for_posters_and_instagram():
    assert to_plain("Datang ke *Posyandu Melati*!\n_Gratis_ dan ~mahal~\n- satu\n* dua\n3. tiga\n> kata") == (
        "Datang ke Posyandu Melati!\nGratis dan mahal\n• satu\n• dua\n3. tiga\nkata"
    )


def test_html_is_built_from_the_tree_so_no_text_can_become_markup():
    html = to_html("Halo *Bu <b>Ani</b>* & `<i>`")
    assert html == "<p>Halo <strong>Bu &lt;b&gt;Ani&lt;/b&gt;</strong> &amp; <code>&lt;i&gt;</code></p>"
    # issue 23: a NUL, or text that looks like the old in-band placeholders, stays text
    assert to_html("a\x000\x00 *b* \x001\x00") == "<p>a\x000\x00 <strong>b</strong> \x001\x00</p>"
    assert to_html("www.desa.id/x?a=1&b='2'") == (
        "<p><a href='https://www.desa.id/x?a=1&amp;b=' rel='noopener noreferrer' target='_blank'>"
        "www.desa.id/x?a=1&amp;b=</a>&#39;2&#39;</p>"
    )
    assert to_html("satu\n\ndua\n- a\n- b\n> k") == "<p>satu<br><br>dua</p><ul><li>a</li><li>b</li></ul>" \
        "<blockquote>k</blockquote>"  # fmt: skip
