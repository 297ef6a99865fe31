"""WhatsApp's text formatting, read once by one tokenizer and written out as plain text or HTML.

The grammar (as the phone shows it): *bold*, _italic_, ~strike~, ```monospace``` (may span lines),
`inline code`, lines starting "- ", "* " or "• " (a bulleted list), "1. " (a numbered list, the
writer's own numbers) and "> " (a quote), and links (http://, https://, www.). A marker only counts
when it hugs its text (no space just inside) and is not glued to a word outside: ``2*3*4`` and
``snake_case`` stay as they are. Nothing inside monospace, code or a link is formatted.

``parse`` turns text into a small tree of dataclasses; ``to_plain`` (posters and Instagram, which
show markup literally) and ``to_html`` (the operator page's preview) walk that tree. HTML is built
from the tree, every piece of text escaped where it is written: no placeholder ever travels in band,
so no text (a NUL, a look-alike marker) can turn into markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markupsafe import Markup, escape

STYLES = {"*": "strong", "_": "em", "~": "s"}
# A URL, then trailing punctuation that ends the sentence rather than the link.
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_URL_TAIL = ".,;:!?)"
_BULLET = re.compile(r"[ \t]*[-*•][ \t]+")
_NUMBERED = re.compile(r"[ \t]*(\d{1,3})\.[ \t]+")
_QUOTE = re.compile(r">[ \t]?")


# ── the tree ─────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Code:
    """`code` or a ```monospace``` block: shown as written."""

    text: str
    block: bool = False  # ```monospace``` rather than `code`


@dataclass(frozen=True)
class Link:
    """A web address: shown as written, never styled."""

    url: str


@dataclass(frozen=True)
class Styled:
    """*bold*, _italic_ or ~struck~ text, possibly nested."""

    marker: str  # * _ ~
    children: tuple[Inline, ...]


Inline = str | Code | Link | Styled


@dataclass
class MarkupBlock:
    """A paragraph, a list or a quote, line by line."""

    kind: str  # para | ul | ol | quote
    lines: list[tuple[Inline, ...]] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)  # ol: the writer's own numbers


# ── reading ──────────────────────────────────────────────────────────────────


def parse(text: str) -> list[MarkupBlock]:
    """Text → blocks of lines, each line a tuple of inline nodes."""
    blocks: list[MarkupBlock] = []
    for line in _lines(_atoms(text)):
        kind, number, line = _line_kind(line)
        if not blocks or blocks[-1].kind != kind:
            blocks.append(MarkupBlock(kind))
        blocks[-1].lines.append(_inline(line))
        if number:
            blocks[-1].numbers.append(number)
    return blocks


def _atoms(text: str) -> list[str | Code | Link]:
    """Characters, with monospace, code and links already whole (nothing inside them is read)."""
    out: list[str | Code | Link] = []
    i, n = 0, len(text)
    while i < n:
        if text.startswith("```", i) and (end := text.find("```", i + 3)) > i + 3:
            out.append(Code(text[i + 3 : end], block=True))
            i = end + 3
            continue
        c = text[i]
        if c == "`" and _opens(text, i, "`") and (end := _closing(text, i, "`")) > 0:
            out.append(Code(text[i + 1 : end]))
            i = end + 1
            continue
        if c in "hHwW" and (i == 0 or not text[i - 1].isalnum()) and (found := _URL.match(text, i)):
            url = found.group(0).rstrip(_URL_TAIL)
            if url.count("(") > url.count(")") and found.group(0)[len(url) :].startswith(")"):
                url += ")"  # a link that holds its own brackets: wikipedia.org/wiki/X_(y)
            out.append(Link(url))
            i += len(url)
            continue
        out.append(c)
        i += 1
    return out


def _opens(text: str, i: int, marker: str) -> bool:
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return not (before.isalnum() or before == "_" or before == marker) and not after.isspace()


def _closing(text: str, i: int, marker: str) -> int:
    """Where the marker opened at ``i`` closes on the same line, or -1."""
    j = i + 2
    while (j := text.find(marker, j)) > 0:
        if "\n" in text[i:j]:
            return -1
        after = text[j + 1] if j + 1 < len(text) else " "
        if not text[j - 1].isspace() and not (after.isalnum() or after == "_" or after == marker):
            return j
        j += 1
    return -1


def _lines(atoms: list[str | Code | Link]) -> list[list[str | Code | Link]]:
    lines: list[list[str | Code | Link]] = [[]]
    for a in atoms:
        if a == "\n":
            lines.append([])
        else:
            lines[-1].append(a)
    return lines


def _line_kind(line: list[str | Code | Link]) -> tuple[str, str, list[str | Code | Link]]:
    """(para | ul | ol | quote, the list number, the line without its list or quote mark)."""
    head = "".join(a for a in _leading_chars(line))
    if found := _BULLET.match(head):
        return "ul", "", line[found.end() :]
    if found := _NUMBERED.match(head):
        return "ol", found.group(1), line[found.end() :]
    if found := _QUOTE.match(head):
        return "quote", "", line[found.end() :]
    return "para", "", line


def _leading_chars(line: list[str | Code | Link]) -> list[str]:
    out = []
    for a in line[:8]:
        if not isinstance(a, str):
            break
        out.append(a)
    return out


def _inline(atoms: list[str | Code | Link]) -> tuple[Inline, ...]:
    """Emphasis over atoms: a marker opens where it hugs text and is not glued to a word before it,
    and closes at the first matching marker that hugs text and is not glued to a word after it."""
    out: list[Inline] = []
    text: list[str] = []
    i = 0
    while i < len(atoms):
        a = atoms[i]
        if isinstance(a, str) and a in STYLES and _may_open(atoms, i) and (end := _close_at(atoms, i)) > 0:
            if text:
                out.append("".join(text))
                text = []
            out.append(Styled(a, _inline(atoms[i + 1 : end])))
            i = end + 1
            continue
        if isinstance(a, str):
            text.append(a)
        else:
            if text:
                out.append("".join(text))
                text = []
            out.append(a)
        i += 1
    if text:
        out.append("".join(text))
    return tuple(out)


def _char(atoms: list[str | Code | Link], i: int) -> str:
    if i < 0 or i >= len(atoms):
        return " "
    a = atoms[i]
    return a if isinstance(a, str) else "x"  # a link or code counts as a word


def _may_open(atoms: list[str | Code | Link], i: int) -> bool:
    before, after = _char(atoms, i - 1), _char(atoms, i + 1)
    return not (before.isalnum() or before in STYLES) and not after.isspace() and after != atoms[i]


def _close_at(atoms: list[str | Code | Link], i: int) -> int:
    marker = atoms[i]
    for j in range(i + 2, len(atoms)):
        if atoms[j] != marker:
            continue
        before, after = _char(atoms, j - 1), _char(atoms, j + 1)
        if not before.isspace() and not (after.isalnum() or after in STYLES):
            return j
    return -1


# ── writing ──────────────────────────────────────────────────────────────────


def to_plain(text: str) -> str:
    """The text without its markup, as a poster or Instagram shows it: markers dropped, bullets as
    "• ", the writer's list numbers and line breaks kept."""
    out = []
    for block in parse(text):
        for n, line in enumerate(block.lines):
            lead = {"ul": "• ", "ol": f"{block.numbers[n] if n < len(block.numbers) else ''}. ", "quote": ""}
            out.append(lead.get(block.kind, "") + "".join(_plain(node) for node in line))
    return "\n".join(out).strip()


def _plain(node: Inline) -> str:
    if isinstance(node, str):
        return node
    if isinstance(node, Code):
        return node.text
    if isinstance(node, Link):
        return node.url
    return "".join(_plain(child) for child in node.children)


def to_html(text: str) -> Markup:
    """The message as the phone shows it, as safe HTML."""
    parts = []
    for block in parse(text):
        rows = ["".join(_html(node) for node in line) for line in block.lines]
        if block.kind == "ul":
            parts.append("<ul>" + "".join(f"<li>{r}</li>" for r in rows) + "</ul>")
        elif block.kind == "ol":
            items = (f"<li value='{escape(n)}'>{r}</li>" for n, r in zip(block.numbers, rows, strict=True))
            parts.append("<ol>" + "".join(items) + "</ol>")
        elif block.kind == "quote":
            parts.append("<blockquote>" + "<br>".join(rows) + "</blockquote>")
        else:  # a blank line stays a blank line
            parts.append("<p>" + "<br>".join(rows) + "</p>")
    return Markup("".join(parts))


def _html(node: Inline) -> str:
    if isinstance(node, str):
        return str(escape(node))
    if isinstance(node, Code):
        return f"<code class='mono'>{escape(node.text)}</code>" if node.block else f"<code>{escape(node.text)}</code>"
    if isinstance(node, Link):
        href = node.url if "://" in node.url else "https://" + node.url
        return f"<a href='{escape(href)}' rel='noopener noreferrer' target='_blank'>{escape(node.url)}</a>"
    tag = STYLES[node.marker]
    return f"<{tag}>" + "".join(_html(child) for child in node.children) + f"</{tag}>"


def paragraphs(text: str) -> list[str]:
    """Plain text split at blank lines."""
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
