"""Indonesian phone numbers as people write them (0812-…, +62 812 …, 62812…) → E.164."""

from __future__ import annotations

import phonenumbers
from phonenumbers import PhoneNumberType

from ..i18n import N_, _

_WHATSAPP_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
# phonenumbers' own (English) wording, per kind of parse error, in the operator's language
_PARSE_ERRORS = {
    phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: N_("no country code siaran knows after the +"),
    phonenumbers.NumberParseException.NOT_A_NUMBER: N_("not a phone number"),
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: N_("too short to be a phone number"),
    phonenumbers.NumberParseException.TOO_SHORT_NSN: N_("too short to be a phone number"),
    phonenumbers.NumberParseException.TOO_LONG: N_("too long to be a phone number"),
}


def normalise_phone(raw: str, region: str = "ID") -> tuple[str, str]:
    """Returns (E.164, "") or ("", reason)."""
    phone, reason = parse_phone(raw, region)
    return phone, (_(reason) if reason else "")


def parse_phone(raw: str, region: str = "ID") -> tuple[str, str]:
    """(E.164, "") or ("", the reason's msgid, untranslated): a pure function of its arguments and
    of phonenumbers' metadata, so siaran.content.phone_book may remember it by raw text."""
    text = (raw or "").strip()
    if not text:
        return "", N_("empty")
    # 62812… without '+' is how many people write it; phonenumbers would read it as a local number.
    if text[:2] == "62" and text[:1] != "0":
        text = "+" + text
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as e:
        known = _PARSE_ERRORS.get(e.error_type)
        return "", known or str(e.args[0] if e.args else e).rstrip(".").lower()
    if not phonenumbers.is_valid_number(number):
        return "", N_("not a valid number")
    if phonenumbers.number_type(number) not in _WHATSAPP_TYPES:
        return "", N_("not a mobile number (WhatsApp needs a mobile number)")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), ""
