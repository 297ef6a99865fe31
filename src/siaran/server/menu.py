"""What the office answers to a message: pure decisions over content/autoreply.yaml.

A whole-message BERHENTI / STOP / UNREG (any case, surrounding spaces ignored) opts out and MULAI /
START opts back in: the conversation handles those first. Everything else: welcome on first
contact, "menu" or "0" → the menu, a number (or a tapped row) → its answer, else the fallback; the
away message goes in front once a day outside office hours.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..content.autoreply import TICKET_REPLY, Autoreply, Option

STOP_WORDS = frozenset({"BERHENTI", "STOP", "UNREG"})
START_WORDS = frozenset({"MULAI", "START"})
MENU_WORDS = frozenset({"MENU", "0"})
# A whole message of these greets or thanks: nobody needs to answer it in person.
SMALL_TALK = frozenset({
    "HALO", "HALLO", "HAI", "HI", "HELLO", "P", "PING", "PAGI", "SIANG", "SORE", "MALAM", "SELAMAT PAGI",
    "SELAMAT SIANG", "SELAMAT SORE", "SELAMAT MALAM", "ASSALAMUALAIKUM", "ASSALAMU'ALAIKUM", "ASSALAMUALAIKUM WR WB",
    "TERIMA KASIH", "TERIMAKASIH", "MAKASIH", "TRIMS", "THANKS", "OK", "OKE", "OKAY", "BAIK", "SIAP", "YA", "IYA",
})  # fmt: skip
TEXT_TYPES = frozenset({"text", "interactive", "button"})
BUTTONS_MAX, BUTTON_TITLE_MAX, LIST_ROWS_MAX, ROW_TITLE_MAX, BODY_MAX = 3, 20, 10, 24, 1024


def keyword(text: str) -> str:
    """ "stop" / "start" when the whole message is one of those words, else ""."""
    word = text.strip().upper()
    return "stop" if word in STOP_WORDS else "start" if word in START_WORDS else ""


@dataclass(frozen=True)
class Answer:
    post: str  # autoreply/<what>: the delivery row's post name
    text: str  # complete on its own (numbered menu included where it belongs)
    option: Option | None = None  # an answer that is a post: the conversation renders it
    menu: bool = False  # the menu is part of it (Cloud: shown as an interactive list or buttons)
    lead: str = ""  # the text before the menu (welcome / away), for the interactive body
    waits: bool = False  # the menu did not answer the message: a person must (the inbox lists it)
    intake: str = ""  # an aduan/saran option was chosen: the next message becomes a ticket
    ticket: str = ""  # this message is an aduan/saran: open a ticket ({ticket} in ``text``)


def _number(text: str, choice: str) -> int | None:
    raw = choice.removeprefix("menu:") if choice.startswith("menu:") else text.strip().rstrip(".")
    return int(raw) if raw.isdigit() else None


def needs_person(text: str, kind: str = "text") -> bool:
    """A message the menu cannot answer by itself: a picture, a voice note or a document (caption or
    not), or words other than a greeting or thanks."""
    if kind and kind not in TEXT_TYPES:
        return True
    words = " ".join(text.replace(",", " ").replace("!", " ").replace(".", " ").split()).upper()
    return bool(words) and words not in SMALL_TALK


def decide(auto: Autoreply, text: str, choice: str = "", *, first: bool = False, away: bool = False,
           kind: str = "text", intake: str = "") -> Answer:  # fmt: skip
    """``first``: this person never wrote before; ``away``: outside office hours and no away message
    sent to them today; ``intake``: they chose an aduan/saran option, this message is its text."""
    lead = auto.away if away else ""
    number = _number(text, choice) if kind in TEXT_TYPES else None
    if first:
        lead = "\n\n".join(t for t in (lead, auto.welcome) if t)
        return replace(_menu("autoreply/welcome", auto, lead), waits=needs_person(text, kind))
    if kind in TEXT_TYPES and (text.strip().upper() in MENU_WORDS or number == 0):
        return _menu("autoreply/menu", auto, lead)
    if number is not None and 1 <= number <= len(auto.options):
        option = auto.options[number - 1]
        body = option.reply if not option.post else ""
        return Answer(f"autoreply/{number}", join(lead, body), option if option.post else None, lead=lead,
                      intake=option.intake)  # fmt: skip
    if intake in TICKET_REPLY and needs_person(text, kind):
        return Answer(f"autoreply/{intake}", join(lead, TICKET_REPLY[intake]), lead=lead, waits=True, ticket=intake)
    return Answer("autoreply/fallback", join(lead, auto.fallback), lead=lead, waits=needs_person(text, kind))


def join(*parts: str) -> str:
    return "\n\n".join(p for p in parts if p)


def _menu(post: str, auto: Autoreply, lead: str) -> Answer:
    return Answer(post, join(lead, auto.menu_text()), menu=True, lead=lead)


def interactive(auto: Autoreply, lead: str) -> dict | None:
    """The Cloud API interactive object showing the menu: reply buttons for up to 3 short options,
    else a list; None when it cannot fit Meta's limits (the numbered text goes instead)."""
    body = join(lead, auto.intro)
    options = auto.options
    if not options or len(body) > BODY_MAX or len(options) > LIST_ROWS_MAX:
        return None
    if len(options) <= BUTTONS_MAX and all(len(o.title) <= BUTTON_TITLE_MAX for o in options):
        buttons = [{"type": "reply", "reply": {"id": f"menu:{i}", "title": o.title}} for i, o in enumerate(options, 1)]
        return {"type": "button", "body": {"text": body}, "action": {"buttons": buttons}}
    if any(len(o.title) > ROW_TITLE_MAX for o in options):
        return None
    rows = []
    for i, o in enumerate(options, 1):
        row = {"id": f"menu:{i}", "title": o.title}
        if o.description:
            row["description"] = o.description
        rows.append(row)
    return {
        "type": "list",
        "body": {"text": body},
        "action": {"button": auto.button, "sections": [{"title": "Menu", "rows": rows}]},
    }
