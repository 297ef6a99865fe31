"""The Cloud API account's message templates (``GET /{waba-id}/message_templates``): listed by
`siaran whatsapp templates`, and checked by `siaran check` against the templates posts name —
each must exist, be APPROVED, in the language asked for, with as many body parameters as given."""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx

from ..content.model import WhatsAppTemplate
from ..errors import ConfigError, ContentError
from ..i18n import _, ngettext
from .whatsapp_cloud import classify

PLACEHOLDER = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")
FIELDS = "name,language,status,category,components"


@dataclass(frozen=True)
class AccountTemplate:
    name: str
    language: str
    status: str  # APPROVED | PENDING | REJECTED | PAUSED | DISABLED ...
    category: str  # MARKETING | UTILITY | AUTHENTICATION
    body_parameters: int
    body: str = ""


def _parse(item: dict) -> AccountTemplate:
    body = next((c.get("text") or "" for c in item.get("components") or () if c.get("type") == "BODY"), "")
    params = len(set(PLACEHOLDER.findall(body)))
    return AccountTemplate(str(item.get("name")), str(item.get("language")), str(item.get("status")),
                           str(item.get("category") or ""), params, body)  # fmt: skip


async def fetch(settings, http: httpx.AsyncClient) -> list[AccountTemplate]:
    """Every template of the account, following Meta's paging."""
    wa = settings.whatsapp
    if not wa.waba_id or not wa.token:
        raise ConfigError(
            _("listing templates needs whatsapp.waba_id (the WhatsApp Business Account id) and SIARAN_WHATSAPP_TOKEN")
        )
    base = (wa.base_url or "https://graph.facebook.com").rstrip("/")
    url: str | None = f"{base}/{wa.api_version}/{wa.waba_id}/message_templates"
    params: dict | None = {"fields": FIELDS, "limit": 100}
    headers = {"Authorization": f"Bearer {wa.token}"}
    out: list[AccountTemplate] = []
    while url:
        response = await http.get(url, params=params, headers=headers)
        if response.status_code != 200:
            raise classify(response, (wa.token,))
        body = response.json()
        out.extend(_parse(item) for item in body.get("data") or ())
        url, params = (body.get("paging") or {}).get("next"), None  # the next URL carries its own query
    return out


def verify(wanted: list[tuple[str, str, WhatsAppTemplate, int]], known: list[AccountTemplate]) -> list[ContentError]:
    """``wanted``: (file, field, template, body parameters given) for each post that names one."""
    by_name: dict[str, list[AccountTemplate]] = {}
    for t in known:
        by_name.setdefault(t.name, []).append(t)
    problems = []
    for where, field, template, given in wanted:
        versions = by_name.get(template.name)
        if not versions:
            problems.append(ContentError(where, _(
                "template {name!r} does not exist on the WhatsApp account; `siaran whatsapp templates` lists them"
            ).format(name=template.name), field=field))  # fmt: skip
            continue
        found = next((t for t in versions if t.language == template.language), None)
        if found is None:
            have = ", ".join(sorted(t.language for t in versions))
            problems.append(ContentError(where, _(
                "template {name!r} has no {language!r} language (it has {have})"
            ).format(name=template.name, language=template.language, have=have), field=field))  # fmt: skip
        elif found.status != "APPROVED":
            problems.append(ContentError(where, _(
                "template {name!r} ({language}) is {status}, not APPROVED: Meta refuses to send it"
            ).format(name=template.name, language=found.language, status=found.status), field=field))  # fmt: skip
        elif found.body_parameters != given:
            problems.append(ContentError(where, ngettext(
                "template {name!r} takes {count} body parameter; {given} given",
                "template {name!r} takes {count} body parameters; {given} given",
                found.body_parameters,
            ).format(name=template.name, count=found.body_parameters, given=given), field=field))  # fmt: skip
    return problems
