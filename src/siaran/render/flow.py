"""Flowing blocks (headings, items, paragraphs) onto as many slides as the content needs: items
stay whole, a heading stays with its first item, slides are balanced, and the largest scale that
fits wins (``fit_pages``). Pure: returns boxes and shapes, draws nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .fonts import FontSet
from .layout import (
    SCALES,
    Shape,
    TextBox,
    leading,
    text_box,
    wrap,
    wrap_balanced,
)
from .palette import Palette


@dataclass(frozen=True)
class Block:
    """One piece of body content. ``section`` names the heading it belongs to, so a section that
    continues on the next slide repeats its heading there."""

    kind: str  # title | date | rule | space | heading | check | step | note | para | info
    text: str = ""
    label: str = ""  # step: its number; info: the label column
    section: str = ""
    align: str = "left"
    bold: bool = False
    inset: int = 0  # design pixels kept free on both sides (text inside a panel)


@dataclass(frozen=True)
class Colours:
    text: str
    heading: str
    marker: str  # checkbox / step circle
    on_marker: str
    muted: str
    accent: str

    @classmethod
    def on_background(cls, palette: Palette) -> Colours:
        """Body text on the slide's light background (posters, announcement cards)."""
        return cls(
            text=palette.text,
            heading=palette.primary_dark,
            marker=palette.primary,
            on_marker=palette.on_primary,
            muted=palette.muted,
            accent=palette.accent,
        )


@dataclass
class Page:
    texts: list[TextBox] = field(default_factory=list)
    shapes: list[Shape] = field(default_factory=list)
    height: int = 0  # used height from the region's top

    def moved(self, dx: int, dy: int) -> Page:
        return Page([t.moved(dx, dy) for t in self.texts], [s.moved(dx, dy) for s in self.shapes], self.height)


CONTINUED = " (lanjutan)"
GLUED = ("heading", "title", "rule")  # kept on the same page as the block after them


@dataclass
class Unit:
    """One block laid out at the region's top: its boxes, height, the space kept above it when it
    is not first on a page, and what it may not be separated from."""

    texts: list[TextBox]
    shapes: list[Shape]
    height: int
    gap: int
    kind: str
    section: str = ""
    glue_next: bool = False  # a heading (or title) stays with the unit after it
    starts_section: bool = False
    continued: bool = False  # a later piece of an item taller than a page


def flow(
    blocks: Sequence[Block],
    fonts: FontSet,
    colours: Colours,
    scale: float,
    width: int,
    height: int,
    *,
    base: int = 30,
    later: int | None = None,
) -> list[Page]:
    """Place blocks top-down in a ``width`` x ``height`` region, on as few pages as they need, each
    item whole on one page (only an item taller than a page is continued, marked "(lanjutan)"), a
    heading never last on a page, and the pages balanced rather than the last one nearly empty.
    Pages after the first may be ``later`` pixels high. Coordinates are relative to the region's
    top-left."""
    later = later or height
    s = scale
    sizes = _Sizes(base, s)
    units = _units(blocks, fonts, colours, sizes, width, min(height, later))
    sections = {u.section for u in units if u.section}
    cont_h = {name: _heading(name + CONTINUED, fonts, colours, sizes, width, 0)[2] for name in sections}
    groups = _groups(units)

    def cost(group: list[Unit], at_top: bool) -> int:
        head = group[0]
        inner = sum(u.height for u in group) + sum(u.gap for u in group[1:])
        if not at_top:
            return head.gap + inner
        if head.section and not head.starts_section:  # the repeated heading, then the usual gap
            return cont_h[head.section] + head.gap + inner
        return inner

    costs = [(cost(g, True), cost(g, False), g[0].continued) for g in groups]

    def paginate(limit: int) -> list[list[list[Unit]]]:
        pages: list[list[list[Unit]]] = [[]]
        used = 0
        for g, (at_top, after, continued) in zip(groups, costs, strict=True):
            cap = min(limit, height if len(pages) == 1 else later)
            if pages[-1] and not continued and used + after <= cap:
                used += after
                pages[-1].append(g)
            else:
                if pages[-1]:
                    pages.append([])
                pages[-1].append(g)
                used = at_top
        return pages

    pages = paginate(max(height, later))
    if len(pages) > 1:
        # balance: the smallest page height that still needs no more pages
        lo, hi = 0, max(height, later)
        while lo < hi:
            mid = (lo + hi) // 2
            if len(paginate(mid)) <= len(pages):
                hi = mid
            else:
                lo = mid + 1
        pages = paginate(lo)
    return [_place(page, fonts, colours, sizes, width) for page in pages]


@dataclass(frozen=True)
class _Sizes:
    base: int
    s: float

    @property
    def body(self) -> int:
        return round(self.base * self.s)

    @property
    def head(self) -> int:
        return round(self.base * 1.13 * self.s)

    @property
    def title(self) -> int:
        return round(self.base * 2.2 * self.s)

    def px(self, design: float) -> int:
        return round(design * self.s)


def _heading(
    text: str, fonts: FontSet, colours: Colours, sizes: _Sizes, width: int, y: int
) -> tuple[list[TextBox], list[Shape], int]:
    """A section heading with a short accent bar under it; returns its boxes and height."""
    box = text_box(text, fonts, sizes.head, 0, y, width, bold=True, colour=colours.heading, role="heading")
    bar_y = box.bottom + sizes.px(4)
    bar_h = max(3, sizes.px(5))
    bar = Shape("rect", 0, bar_y, sizes.px(72), bar_h, colours.accent)
    return [box], [bar], bar_y + bar_h + sizes.px(14) - y


def _units(
    blocks: Sequence[Block], fonts: FontSet, colours: Colours, sizes: _Sizes, width: int, page_h: int
) -> list[Unit]:
    units: list[Unit] = []
    section = ""
    pending_space = 0
    first_note = True
    head_rooms: dict[str, int] = {}
    for b in blocks:
        if b.kind == "space":  # vertical room in design pixels, dropped at the top of a page
            pending_space += sizes.px(int(b.text))
            continue
        if b.kind == "heading":
            section = b.text
            texts, shapes, h = _heading(b.text, fonts, colours, sizes, width, 0)
            units.append(Unit(texts, shapes, h, sizes.px(22) + pending_space, "heading", section, True, True))
            pending_space = 0
            continue
        if b.kind == "rule":
            rule_h = max(4, sizes.px(6))
            rule_w = sizes.px(110)
            x = (width - rule_w) // 2 if b.align == "center" else 0
            shape = Shape("rect", x, 0, rule_w, rule_h, colours.accent, radius=rule_h // 2)
            units.append(Unit([], [shape], rule_h + sizes.px(24), sizes.px(20), "rule", section))
            if units[-2:-1] and units[-2].kind == "title":
                units[-2].glue_next = True
            continue
        size, bold, colour = sizes.body, b.bold, colours.text
        gap = sizes.px(12)
        if b.kind == "title":
            size, bold, colour, gap = sizes.title, True, colours.heading, sizes.px(10)
        elif b.kind == "date":  # a dateline above a card's title
            size, bold, colour = round(sizes.body * 0.8), True, colours.muted
        elif b.kind == "note":
            colour, size = colours.muted, round(sizes.base * 0.9 * sizes.s)
            if first_note:
                gap += sizes.px(10)
                first_note = False
        marker = round(size * 1.05) if b.kind in ("check", "note") else round(size * 1.35)
        indent = 0
        if b.kind in ("check", "step"):
            indent = marker + sizes.px(18)
        elif b.kind == "note":
            indent = sizes.px(28)
        elif b.kind == "info":
            indent = sizes.px(200)
        inset = sizes.px(b.inset)
        line_h = leading(size)
        text_w = width - indent - 2 * inset
        if b.kind == "title":
            lines = wrap_balanced(b.text, fonts, size, bold, text_w)
        else:
            lines = wrap(b.text, fonts, size, bold, text_w)
        # an item taller than a page is cut into page-high pieces, leaving room for the section's
        # heading (or its "(lanjutan)" repeat) and the piece's own "(lanjutan)" mark
        owner = b.section or section
        head_room = 0
        if owner:
            if owner not in head_rooms:
                head_rooms[owner] = max(
                    _heading(owner, fonts, colours, sizes, width, 0)[2],
                    _heading(owner + CONTINUED, fonts, colours, sizes, width, 0)[2],
                )
            head_room = head_rooms[owner]
        label_size = round(size * 0.8)
        piece = 0
        while lines:
            room = page_h - head_room - gap - (leading(label_size) if piece else 0)
            room = max(1, room // line_h)
            chunk, lines = lines[:room], lines[room:]
            texts: list[TextBox] = []
            shapes: list[Shape] = []
            top = 0
            if piece:
                # a visible mark that this is the rest of the item on the slide before
                texts.append(
                    TextBox(indent + inset, 0, text_w, leading(label_size), (CONTINUED.strip(),), label_size,
                            True, colours.muted, b.align, leading(label_size), "continued")
                )  # fmt: skip
                top = leading(label_size)
            box = TextBox(
                indent + inset, top, text_w, len(chunk) * line_h, tuple(chunk), size, bold, colour, b.align,
                line_h, b.kind,
            )  # fmt: skip
            page = Page(texts, shapes)
            page.texts.append(box)
            if piece == 0:
                n_texts, n_shapes = len(page.texts), len(page.shapes)
                _marker(page, b, sizes.s, size, marker, top, line_h, fonts, colours)
                page.texts[n_texts:] = [t.moved(inset) for t in page.texts[n_texts:]]
                page.shapes[n_shapes:] = [x.moved(inset) for x in page.shapes[n_shapes:]]
            unit_gap = (gap if piece == 0 else 0) + (pending_space if piece == 0 else 0)
            units.append(Unit(page.texts, page.shapes, box.bottom, unit_gap, b.kind, owner, continued=piece > 0))
            units[-1].glue_next = b.kind == "date"
            piece += 1
        pending_space = 0
    return units


def _groups(units: list[Unit]) -> list[list[Unit]]:
    """Units that must share a page: a heading or title with what follows it."""
    groups: list[list[Unit]] = []
    glue = False
    for u in units:
        if glue and groups:
            groups[-1].append(u)
        else:
            groups.append([u])
        glue = u.glue_next
    return groups


def _place(groups: list[list[Unit]], fonts: FontSet, colours: Colours, sizes: _Sizes, width: int) -> Page:
    page = Page()
    y = 0
    head = groups[0][0]
    if head.section and not head.starts_section:  # the section goes on from the slide before
        texts, shapes, y = _heading(head.section + CONTINUED, fonts, colours, sizes, width, 0)
        page.texts += texts
        page.shapes += shapes
    for g in groups:
        for u in g:
            if page.texts or page.shapes:
                y += u.gap
            page.texts += [t.moved(0, y) for t in u.texts]
            page.shapes += [x.moved(0, y) for x in u.shapes]
            y += u.height
    page.height = y
    return page


def _marker(
    page: Page, b: Block, s: float, size: int, marker: int, top: int, line_h: int, fonts: FontSet, colours: Colours
) -> None:
    """The checkbox, step number, note dot or info label in front of a block's first line."""
    mid = top + line_h // 2
    if b.kind == "check":
        page.shapes.append(
            Shape(
                "check",
                0,
                mid - marker // 2,
                marker,
                marker,
                colours.marker,
                round(marker * 0.22),
                "",
                colours.on_marker,
            )
        )
    elif b.kind == "step":
        page.shapes.append(Shape("ellipse", 0, mid - marker // 2, marker, marker, colours.marker))
        num = round(marker * 0.62)
        num_lead = leading(num)
        page.texts.append(
            TextBox(
                0,
                mid - num_lead // 2,
                marker,
                num_lead,
                (b.label,),
                num,
                True,
                colours.on_marker,
                "center",
                num_lead,
                "number",
            )
        )
    elif b.kind == "note":
        dot = max(6, round(10 * s))
        page.shapes.append(Shape("ellipse", round(4 * s), mid - dot // 2, dot, dot, colours.accent))
    elif b.kind == "info":
        label_w = round(200 * s) - round(16 * s)
        label_size = round(size * 0.85)
        label_lines = wrap(b.label, fonts, label_size, True, label_w)
        lead = leading(label_size)
        page.texts.append(
            TextBox(
                0,
                top + (line_h - lead) // 2,
                label_w,
                lead * len(label_lines),
                tuple(label_lines),
                label_size,
                True,
                colours.muted,
                "left",
                lead,
                "label",
            )
        )


def fit_pages(make: Callable[[float], list[Page]], scales: Sequence[float] = SCALES) -> tuple[float, list[Page]]:
    """Shrink until everything fits one page; if even the smallest size needs N pages, use the
    largest size that still needs only N (fewer slides, but never smaller text than needed).
    Pages grow with the size, so the largest such size is found by bisection over ``scales``
    (largest first)."""
    tried: dict[int, list[Page]] = {len(scales) - 1: make(scales[-1])}
    least = len(tried[len(scales) - 1])
    lo, hi = 0, len(scales) - 1  # the answer's index lies in [lo, hi]
    while lo < hi:
        mid = (lo + hi) // 2
        tried[mid] = make(scales[mid])
        if len(tried[mid]) <= least:
            hi = mid
        else:
            lo = mid + 1
    return scales[lo], tried[lo]
