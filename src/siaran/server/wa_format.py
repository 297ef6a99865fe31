"""WhatsApp text → HTML, as the phone shows it: *bold*, _italic_, ~strike~, ```mono```, `code`,
> quotes, - and 1. lists, and links. The text is HTML-escaped first, then formatted, so nothing an
operator (or a recipient's name) writes can become markup.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

# A URL, then trailing punctuation that ends the sentence rather than the link.
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<]+", re.IGNORECASE)
_URL_TAIL = ".,;:!?)"
# WhatsApp's rule: the marker hugs the text (no space inside) and is not glued to a word outside.
_STYLES = (
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])"), "strong"),
    (re.compile(r"(?<![\w_])_(?=\S)([^_\n]*?\S)_(?![\w_])"), "em"),
    (re.compile(r"(?<![\w~])~(?=\S)([^~\n]*?\S)~(?![\w~])"), "s"),
)
_BLOCK = re.compile(r"```(.+?)```", re.DOTALL)
_INLINE_CODE = re.compile(r"(?<![\w`])`(?=\S)([^`\n]*?\S)`(?![\w`])")
_BULLET = re.compile(r"^[-*•] (.*)$")
_NUMBERED = re.compile(r"^(\d{1,3})\. (.*)$")
_QUOTE = re.compile(r"^&gt; ?(.*)$")
_HOLD = "\x00{}\x00"
_HELD = re.compile(r"\x00(\d+)\x00")


def to_html(text: str) -> Markup:
    """The message as the phone shows it, as safe HTML."""
    held: list[str] = []

    def hold(html: str) -> str:
        held.append(html)
        return _HOLD.format(len(held) - 1)

    out = str(escape(text))
    # Monospace and links first: nothing inside them is formatted.
    out = _BLOCK.sub(lambda m: hold(f"<code class='mono'>{m.group(1)}</code>"), out)
    out = _INLINE_CODE.sub(lambda m: hold(f"<code>{m.group(1)}</code>"), out)
    out = _URL.sub(lambda m: hold(_link(m.group(0))), out)
    for pattern, tag in _STYLES:
        out = pattern.sub(rf"<{tag}>\1</{tag}>", out)
    html = _blocks(out.split("\n"))
    while _HELD.search(html):  # a held link may sit inside held code: unfold until none is left
        html = _HELD.sub(lambda m: held[int(m.group(1))], html)
    return Markup(html)


def _link(url: str) -> str:
    tail = ""
    while url and url[-1] in _URL_TAIL:
        url, tail = url[:-1], url[-1] + tail
    href = url if "://" in url else "https://" + url
    return f"<a href='{href}' rel='noopener noreferrer' target='_blank'>{url}</a>{tail}"


def _blocks(lines: list[str]) -> str:
    """Lines → paragraphs with line breaks, list runs → <ul>/<ol>, quote runs → <blockquote>."""
    parts: list[str] = []
    run_kind, run_items, text_lines = "", [], []

    def flush_text() -> None:
        if text_lines:  # block elements break the line themselves; a blank line stays a blank line
            parts.append("<p>" + "<br>".join(text_lines) + "</p>")
            text_lines.clear()

    def flush_run() -> None:
        nonlocal run_kind
        if run_kind == "quote":
            parts.append("<blockquote>" + "<br>".join(run_items) + "</blockquote>")
        elif run_kind:
            parts.append(f"<{run_kind}>" + "".join(run_items) + f"</{run_kind}>")
        run_kind = ""
        run_items.clear()

    for line in lines:
        kind, item = "", line
        if m := _BULLET.match(line):
            kind, item = "ul", f"<li>{m.group(1)}</li>"
        elif m := _NUMBERED.match(line):  # WhatsApp shows the operator's own numbers
            kind, item = "ol", f"<li value='{m.group(1)}'>{m.group(2)}</li>"
        elif m := _QUOTE.match(line):
            kind, item = "quote", m.group(1)
        if kind:
            flush_text()
            if kind != run_kind:
                flush_run()
            run_kind = kind
            run_items.append(item)
            continue
        flush_run()
        text_lines.append(line)
    flush_run()
    flush_text()
    return "".join(parts)
