"""Phone numbers as parsed before, remembered by their raw text ("0812-3456-7801"): phonenumbers is
slow per number, so a big list would take seconds to parse after any edit; with the book an
edit costs only the rows it adds or changes. What is remembered is kept in the history
(siaran.history.phone_numbers) under ``rules_version``, so a new phonenumbers (new number ranges)
or new rules in siaran.content.phones forget it all.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from . import cache as versions
from . import phones

Result = tuple[str, str]  # (E.164, "") or ("", reason msgid)
# (version, raw texts or None for everything, today) -> what the history remembers of them, and
# which of them a list last held before today
Known = Callable[[str, list[str] | None, str], tuple[dict[str, Result], set[str]]]
EVERYTHING_FROM = 2_000  # raw texts: from this many, read every remembered number at once


@functools.cache
def rules_version(region: str) -> str:
    """The parsing rules' name (siaran.content.cache): siaran's own rules in siaran.content.phones and
    what they import, the installed phonenumbers (its metadata), and the region."""
    return versions.key(versions.version("siaran.content.phones"), region)[:16]


class PhoneBook:
    """raw text → parsed number for one region: what the history remembers, plus what this process
    parsed anew (``take_added``, for the history to remember) and the remembered ones read again on
    a later day than last noted (``take_reread``): the history forgets numbers no list has held for
    a long time (siaran.history.phone_numbers)."""

    def __init__(self, region: str, known: Known, today: str = ""):
        self.region, self.version, self._known, self.today = region, rules_version(region), known, today
        self._results: dict[str, Result] = {}
        self._added: dict[str, Result] = {}
        self._stale: set[str] = set()  # remembered, last noted before today
        self._reread: set[str] = set()
        self._everything = False

    def parser(self, raws: list[str]) -> Callable[[str], Result]:
        """How to parse these raw texts (and any other): looked up first, parsed when new."""
        if not self._everything:
            missing = list({r for r in raws if r not in self._results})
            if missing:
                everything = len(missing) >= EVERYTHING_FROM
                found, stale = self._known(self.version, None if everything else missing, self.today)
                self._results.update(found)
                self._stale |= stale
                self._everything = everything
        if self._stale:
            stale = self._stale
            self._reread.update(r for r in raws if r in stale)
        results, added, region, parse_phone = self._results, self._added, self.region, phones.parse_phone

        def parse(raw: str) -> Result:
            found = results.get(raw)
            if found is None:
                found = results[raw] = added[raw] = parse_phone(raw, region)
            return found

        return parse

    def take_added(self) -> dict[str, Result]:
        added, self._added = self._added, {}
        return added

    def take_reread(self) -> set[str]:
        reread, self._reread = self._reread, set()
        self._stale -= reread
        return reread
