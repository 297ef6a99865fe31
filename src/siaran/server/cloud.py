"""Meta's WhatsApp Cloud API webhook payloads → statuses, incoming messages, contact changes, problems.

Envelope: ``{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": …, "value": {...}}]}]}``;
``value.statuses[]`` (id, status, timestamp, recipient_id, pricing, errors[]), ``value.contacts[]``
(profile.name, wa_id, user_id) with ``value.messages[]`` (from | from_user_id, id, timestamp, type, …,
errors[]), ``value.user_preferences[]`` (Meta's own marketing stop / resume) and value-level
``value.errors[]``. Anything not in this shape raises Malformed (the listener answers 400).
"""

from __future__ import annotations

from typing import Any

from .events import ContactChange, Incoming, Malformed, Parsed, ProviderProblem, StatusEvent, iso, text_of

STATUS = {"sent": "sent", "delivered": "delivered", "read": "read", "played": "read", "failed": "failed"}
PREFERENCE = {"stop": "optout", "resume": "optin", "signup": "optin"}
CAPTIONED = ("image", "video", "document")


# json.loads gives exactly dict, list and str: ``type(x) is`` keeps this per-status path short (a busy
# broadcast posts thousands of statuses a second).


def _dicts(value: Any, where: str) -> list[dict] | tuple:
    if value is None:
        return ()
    if type(value) is not list:
        raise Malformed(f"{where} is not a list")
    for item in value:
        if type(item) is not dict:
            raise Malformed(f"{where} holds something that is not an object")
    return value


def _obj(value: Any, where: str) -> dict:
    if value is None:
        return {}
    if type(value) is not dict:
        raise Malformed(f"{where} is not an object")
    return value


def _str(value: Any) -> str:
    if type(value) is str:
        return value
    return str(value) if type(value) is int else ""


def _errors(errors: Any, where: str) -> list[tuple[str, str, str]]:
    """(code, title, detail) of each error Meta lists."""
    out = []
    for e in _dicts(errors, where):
        data = e.get("error_data")
        details = data.get("details") if isinstance(data, dict) else e.get("details")
        title = text_of(e.get("title"), 500)
        detail = text_of(details, 500) or text_of(e.get("message"), 500)
        out.append((_str(e.get("code")), title, "" if detail == title else detail))
    return out


def _status(s: dict) -> StatusEvent | None:
    status = STATUS.get(_str(s.get("status")))
    wamid = _str(s.get("id"))
    if not status or not wamid:
        return None  # "deleted", "warning" and statuses we do not know change nothing
    code, text = "", ""
    if status == "failed":
        found = _errors(s.get("errors"), "statuses[].errors")
        if found:
            code, title, detail = found[0]
            text = ": ".join(w for w in (title, detail) if w)
    pricing = _obj(s.get("pricing"), "statuses[].pricing")
    billable = pricing.get("billable")
    return StatusEvent(wamid, status, iso(s.get("timestamp")), code, text, _str(s.get("recipient_id")),
                       category=_str(pricing.get("category")),
                       billable=billable if isinstance(billable, bool) else None)  # fmt: skip


def _content(m: dict, kind: str) -> tuple[str, str]:
    """(text, choice) of one message: its text, caption, or the button/row chosen."""
    if kind == "text":
        body = _obj(m.get("text"), "messages[].text").get("body")
        if body is not None and not isinstance(body, str):
            raise Malformed("messages[].text.body is not text")
        return text_of(body), ""
    if kind == "interactive":
        inter = _obj(m.get("interactive"), "messages[].interactive")
        reply = inter.get("button_reply") or inter.get("list_reply") or {}
        reply = reply if isinstance(reply, dict) else {}
        return text_of(reply.get("title")), _str(reply.get("id"))
    if kind == "button":  # a template's quick-reply button: its text and its payload
        button = _obj(m.get("button"), "messages[].button")
        return text_of(button.get("text")), _str(button.get("payload"))
    if kind in CAPTIONED:
        return text_of(_obj(m.get(kind), f"messages[].{kind}").get("caption")), ""
    return "", ""


def _message(m: dict, people: dict[str, tuple[str, str]], out: Parsed) -> None:
    wamid = _str(m.get("id"))
    sender = _str(m.get("from"))
    user_id = _str(m.get("from_user_id"))
    if not wamid or not (sender or user_id):
        return  # nobody to record it for
    name, known_user = people.get(sender) or people.get(user_id) or (
        next(iter(people.values())) if len(people) == 1 else ("", ""))  # fmt: skip
    user_id = user_id or known_user
    if not sender.isdigit():  # a user with a username only: no phone number in the webhook
        user_id = user_id or sender
        sender = ""
    kind = _str(m.get("type")) or "unknown"
    at = iso(m.get("timestamp"))
    for code, title, detail in _errors(m.get("errors"), "messages[].errors"):
        out.problems.append(ProviderProblem("cloud", "message", code, title, detail, wamid, sender or user_id, at))
    if kind == "system":
        system = _obj(m.get("system"), "messages[].system")
        new = _str(system.get("wa_id"))
        if system.get("type") == "user_changed_number" and new.isdigit() and sender and new != sender:
            out.changes.append(ContactChange("cloud", "moved", sender, user_id, new, at,
                                             text_of(system.get("body"), 300), wamid))  # fmt: skip
    text, choice = _content(m, kind)
    group = _str(m.get("group_id"))
    incoming = Incoming("cloud", wamid, "" if group else sender, user_id, name, text, choice, kind, at,
                        group=group, member=sender or user_id if group else "")  # fmt: skip
    out.incoming.append(incoming)


def _value(value: dict, out: Parsed) -> None:
    for s in _dicts(value.get("statuses"), "statuses"):
        if (event := _status(s)) is not None:
            out.statuses.append(event)
    people: dict[str, tuple[str, str]] = {}
    for c in _dicts(value.get("contacts"), "contacts"):
        person = (text_of(_obj(c.get("profile"), "contacts[].profile").get("name"), 200), _str(c.get("user_id")))
        for key in (_str(c.get("wa_id")), _str(c.get("user_id"))):
            if key:
                people.setdefault(key, person)
    for m in _dicts(value.get("messages"), "messages"):
        _message(m, people, out)
    for p in _dicts(value.get("user_preferences"), "user_preferences"):
        action = PREFERENCE.get(_str(p.get("value")))
        wa_id, user_id = _str(p.get("wa_id")), _str(p.get("user_id"))
        if action and p.get("category", "marketing_messages") == "marketing_messages" and (wa_id or user_id):
            phone = wa_id if wa_id.isdigit() else ""
            at, detail = iso(p.get("timestamp")), text_of(p.get("detail"), 300)
            out.changes.append(ContactChange("cloud", action, phone, user_id or ("" if phone else wa_id), at=at,
                                             detail=detail))  # fmt: skip
    for code, title, detail in _errors(value.get("errors"), "errors"):
        out.problems.append(ProviderProblem("cloud", "value", code, title, detail))


def parse(payload: Any, body: bytes = b"", arrived: float = 0.0) -> Parsed:
    out = Parsed()
    if not isinstance(payload, dict):
        raise Malformed("the body is not an object")
    for entry in _dicts(payload.get("entry"), "entry"):
        for change in _dicts(entry.get("changes"), "entry[].changes"):
            value = change.get("value")
            if value is None:
                continue
            _value(_obj(value, "changes[].value"), out)
    return out
