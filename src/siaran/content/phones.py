"""Indonesian phone numbers as people write them (0812-…, +62 812 …, 62812…) → E.164."""

from __future__ import annotations

import functools
from collections.abc import Callable

from ..i18n import N_, _

Result = tuple[str, str]  # (E.164, "") or ("", the reason's msgid)
# raw texts → each one's Result: parse_all, or the application's phone book (numbers parsed before)
Numbers = Callable[[list[str]], dict[str, Result]]


@functools.cache
def _rules():
    """phonenumbers, loaded by the first number that needs parsing: numbers the phone book
    (siaran.content.phone_book) remembers never need it. Also: the kinds of number WhatsApp takes,
    and phonenumbers' own (English) wording per kind of parse error, in the operator's language."""
    import phonenumbers
    from phonenumbers import NumberParseException as Failed
    from phonenumbers import PhoneNumberType

    whatsapp_types = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
    errors = {
        Failed.INVALID_COUNTRY_CODE: N_("no country code siaran knows after the +"),
        Failed.NOT_A_NUMBER: N_("not a phone number"),
        Failed.TOO_SHORT_AFTER_IDD: N_("too short to be a phone number"),
        Failed.TOO_SHORT_NSN: N_("too short to be a phone number"),
        Failed.TOO_LONG: N_("too long to be a phone number"),
    }
    return phonenumbers, whatsapp_types, errors


def normalise_phone(raw: str, region: str = "ID") -> tuple[str, str]:
    """Returns (E.164, "") or ("", reason)."""
    phone, reason = parse_phone(raw, region)
    return phone, (_(reason) if reason else "")


def parse_all(raws: list[str], region: str = "ID") -> dict[str, Result]:
    return {raw: parse_phone(raw, region) for raw in raws}


def parse_phone(raw: str, region: str = "ID") -> Result:
    """(E.164, "") or ("", the reason's msgid, untranslated): a pure function of its arguments and
    of phonenumbers' metadata, so siaran.content.phone_book may remember it by raw text."""
    text = (raw or "").strip()
    if not text:
        return "", N_("empty")
    # 62812… without '+' is how many people write it; phonenumbers would read it as a local number.
    if text[:2] == "62" and text[:1] != "0":
        text = "+" + text
    phonenumbers, whatsapp_types, errors = _rules()
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as e:
        known = errors.get(e.error_type)
        return "", known or str(e.args[0] if e.args else e).rstrip(".").lower()
    if not phonenumbers.is_valid_number(number):
        return "", N_("not a valid number")
    if phonenumbers.number_type(number) not in whatsapp_types:
        return "", N_("not a mobile number (WhatsApp needs a mobile number)")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), ""
