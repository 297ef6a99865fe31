"""What a template and a post body can use: every variable with an example value, taken from the
project itself (``siaran templates``) or from the sample pack (the README table, checked by a test).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from typing import Any

from ..content.model import KINDS, Office, Post
from .context import holiday_data, tanggal

# Fields that are siaran's own bookkeeping, not text for a message.
HIDDEN = {"path", "body_line", "content_hash", "lines", "images", "card", "instagram_card", "template", "logo",
          "font", "font_bold", "region", "event", "sop", "timezone", "opening"}  # fmt: skip
KIND_FIELDS = {
    "announcement": ("date", "time", "place"),
    "greeting": ("holiday", "theme"),
    "sop": (),
}


@dataclasses.dataclass(frozen=True)
class Variable:
    name: str  # as written in a template: post.title
    example: str
    scope: str  # all | announcement | greeting | sop | whatsapp


def example(value: Any) -> str:
    if isinstance(value, date):
        return f"{value.isoformat()} (| tanggal → {tanggal(value)})"
    if isinstance(value, (list, tuple)):
        value = "[" + ", ".join(str(v) for v in value) + "]"
    text = " ".join(str(value).split())
    return text if len(text) <= 60 else text[:57] + "..."


def _fields(prefix: str, obj: Any, hidden: set[str] = HIDDEN) -> Iterator[tuple[str, Any]]:
    for f in dataclasses.fields(obj):
        if f.name in hidden or f.name.startswith("_"):
            continue
        value = getattr(obj, f.name)
        if dataclasses.is_dataclass(value):
            yield from _fields(f"{prefix}.{f.name}", value, set())
        elif isinstance(value, tuple) and value and dataclasses.is_dataclass(value[0]):
            yield f"{prefix}.{f.name}", value  # a list of things: also show the parts of the first
            yield from _fields(f"{prefix}.{f.name}[0]", value[0], set())
        elif isinstance(value, dict):
            for key, item in value.items():
                yield f"{prefix}.{f.name}.{key}", item
        else:
            yield f"{prefix}.{f.name}", value


def office_variables(office: Office) -> list[Variable]:
    found = [Variable(name, example(value), "all") for name, value in _fields("office", office)]
    found.append(Variable("office.timezone", office.timezone.key, "all"))
    return found


def post_variables(post: Post) -> list[Variable]:
    common = [f.name for f in dataclasses.fields(Post) if f.name not in HIDDEN and f.name not in _kind_only()]
    found = [Variable(f"post.{name}", example(getattr(post, name)), "all") for name in common]
    found += [Variable(f"post.{name}", example(getattr(post, name)), post.kind) for name in KIND_FIELDS[post.kind]]
    if post.sop is not None:
        found += [Variable(n, example(v), "sop") for n, v in _fields("post.sop", post.sop, set())]
    return found


def _kind_only() -> set[str]:
    return {n for names in KIND_FIELDS.values() for n in names}


def recipient_variables(recipient: dict[str, Any]) -> list[Variable]:
    return [Variable(f"recipient.{key}", example(value), "whatsapp") for key, value in recipient.items()]


def template_variables(project) -> list[Variable]:
    """Every variable, with an example from the project's own posts (the first of each kind)."""
    found = office_variables(project.office)
    posts = sorted(project.posts.values(), key=lambda p: p.name)
    examples: dict[str, Variable] = {}
    for kind in KINDS:
        for post in (p for p in posts if p.kind == kind):
            for v in post_variables(post):
                if v.name not in examples or examples[v.name].example in ("", "None", "[]"):
                    examples[v.name] = v  # the first post that shows a value
    found += examples.values()
    greeting = next(
        (p for p in posts if p.kind == "greeting" and holiday_data(project.calendar, p, project.today)), None
    )
    if greeting is not None:
        view = holiday_data(project.calendar, greeting, project.today)
        found += [Variable(f"holiday.{key}", example(value), "greeting") for key, value in view.items()]
    sample = next((p for p in posts if p.lists), None)
    if sample is not None:
        found += recipient_variables(project.sample_recipient(sample).for_template())
    return found


def markdown(variables: list[Variable]) -> str:
    rows = ["| Variable | Where | Example (sample pack) |", "|---|---|---|"]
    for v in variables:
        where = {"all": "every template", "whatsapp": "WhatsApp (None on Instagram)"}.get(v.scope, f"{v.scope} posts")
        cell = v.example.replace("|", "\\|")
        rows.append(f"| `{v.name}` | {where} | {cell} |")
    return "\n".join(rows)
