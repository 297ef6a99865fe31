"""The validated content model: plain frozen dataclasses, nothing that does I/O."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

CHANNELS = ("whatsapp", "instagram")
KINDS = ("announcement", "greeting", "sop")
FOLDER_KIND = {"announcements": "announcement", "greetings": "greeting", "sop": "sop"}


@dataclass(frozen=True)
class Brand:
    """The office's colours on cards and posters (content/office.yaml ``brand:``)."""

    primary: str = "#0B6E4F"
    accent: str = "#F2A900"
    background: str = "#FFFFFF"
    text: str = "#1F2933"


@dataclass(frozen=True)
class Contact:
    """One of the office's WhatsApp numbers: "Pelayanan", "Pengaduan", ..."""

    label: str
    phone: str  # E.164
    display: str  # as the operator wrote it

    def __str__(self) -> str:
        return f"{self.label}: {self.display}" if self.label else self.display


@dataclass(frozen=True)
class Office:
    """content/office.yaml: who is speaking, where, when the office is open and how to reach it."""

    name: str
    kind: str  # desa | kelurahan
    address: str
    timezone: ZoneInfo
    tz_label: str  # WIB | WITA | WIT
    hours: str = ""  # as shown: "Senin–Kamis 08.00–15.30, Jumat 08.00–11.00 WITA"
    whatsapp: str = ""  # E.164, e.g. +6281142001234 (the first of ``contacts``)
    whatsapp_display: str = ""  # as the operator wrote it
    contacts: tuple[Contact, ...] = ()
    instagram: str = ""  # handle without @
    website: str = ""
    email: str = ""
    links: dict[str, str] = field(default_factory=dict)
    hashtags: tuple[str, ...] = ()
    brand: Brand = field(default_factory=Brand)
    logo: Path | None = None
    font: Path | None = None
    font_bold: Path | None = None
    region: str = "ID"
    signature: Signature | None = None  # who signs greeting cards
    opening: dict[int, tuple[tuple[time, time], ...]] = field(default_factory=dict)  # weekday → spans

    def is_open(self, at: datetime) -> bool | None:
        """Open at this moment (by ``hours``)? None when the hours could not be read."""
        if not self.opening:
            return None
        local = at.astimezone(self.timezone)
        return any(a <= local.time() < b for a, b in self.opening.get(local.weekday(), ()))

    def next_opening(self, at: datetime, day_off: Callable[[date], object] | None = None) -> datetime | None:
        """The next moment at or after ``at`` when the office is open (``day_off(date)`` true: closed
        all day, e.g. the calendar's holidays); None when the hours are unknown or it never opens."""
        local = at.astimezone(self.timezone)
        for days in range(60):  # Lebaran with its cuti bersama closes the office for about a week
            day = local.date() + timedelta(days=days)
            if day_off is not None and day_off(day):
                continue
            for start, end in sorted(self.opening.get(day.weekday(), ())):
                begin = datetime.combine(day, start, tzinfo=self.timezone)
                if begin >= local:
                    return begin
                if local < datetime.combine(day, end, tzinfo=self.timezone):
                    return local
        return None


@dataclass(frozen=True)
class Signature:
    """The signature line of greeting cards: "Lurah Sungai Rapak Indah", a name, an optional photo."""

    title: str
    name: str = ""
    photo: Path | None = None


@dataclass(frozen=True)
class Event:
    """When and where an announced activity happens."""

    date: date | None = None
    time: str = ""
    place: str = ""
    until: date | None = None  # the last day of a series of events (``until:`` / ``sampai:``)

    @property
    def last_day(self) -> date | None:
        """After this day the announcement has nothing left to announce (None: it never ends)."""
        return self.until or self.date


@dataclass(frozen=True)
class Step:
    """One step of a service: the text, and optionally when and who ("Hari ke-2", "Ketua RT")."""

    langkah: str
    waktu: str = ""
    petugas: str = ""

    def __str__(self) -> str:
        text = f"{self.waktu}: {self.langkah}" if self.waktu else self.langkah
        return f"{text} ({self.petugas})" if self.petugas else text


@dataclass(frozen=True)
class Sop:
    """One public service, as its standard operating procedure tells citizens."""

    service: str
    requirements: tuple[str, ...]
    steps: tuple[Step, ...]
    duration: str
    cost: str = ""  # shown only when given: no "Gratis" the office never stated
    form: str = ""  # link to the online form
    qr: str = "form"  # form | whatsapp: what the poster's QR code opens
    whatsapp_text: str = ""  # prefilled text of the wa.me link
    notes: tuple[str, ...] = ()
    contact: str = ""  # E.164 the QR's WhatsApp link opens (default: the office's first number)


@dataclass(frozen=True)
class WhatsAppTemplate:
    """An approved Cloud API template for people outside their 24-hour window (post front matter
    ``whatsapp_template:`` or the ``whatsapp.templates`` setting per kind)."""

    name: str
    language: str = "id"
    parameters: tuple[str, ...] | None = None  # body parameters by name (None: whatsapp.template_params)


# What a template's body parameters may be filled with, in the order the operator lists them.
TEMPLATE_PARAMETERS = ("name", "title", "summary", "date", "time", "place", "text")


@dataclass(frozen=True)
class Post:
    """One announcement, greeting or SOP under content/, as every channel renders it."""

    name: str  # path under content/ without extension: announcements/posyandu
    kind: str  # announcement | greeting | sop
    path: Path  # the source file
    title: str
    channels: tuple[str, ...]
    lists: tuple[str, ...]
    body: str = ""  # WhatsApp-formatted text (announcements, greetings)
    body_line: int = 1  # line of the body's first line in the source file
    summary: str = ""
    hashtags: tuple[str, ...] = ()
    images: tuple[Path, ...] = ()  # images the operator supplies
    card: bool = False  # render a card image (greetings and SOP posters always do)
    instagram_card: bool = False  # no picture but going to Instagram: a card for Instagram only (issue 24)
    urgent: bool = False  # a late (catch-up) send goes out at once, not at the next opening hour
    holiday: str = ""  # greetings: the calendar name of the holiday
    theme: str = ""  # greetings: card colour and/or layout (klasik, bingkai, resmi)
    template: str = ""  # template stem overriding the kind's default
    whatsapp_template: WhatsAppTemplate | None = None  # Cloud API template outside the 24-hour window
    event: Event = field(default_factory=Event)
    sop: Sop | None = None
    content_hash: str = ""
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)  # field -> line, for errors

    # The names the README and templates use for an announcement's event.
    @property
    def date(self) -> date | None:
        return self.event.date

    @property
    def time(self) -> str:
        return self.event.time

    @property
    def place(self) -> str:
        return self.event.place

    @property
    def wants_image(self) -> bool:
        return bool(self.images) or self.card or self.kind in ("greeting", "sop")


@dataclass(frozen=True, slots=True)  # slots: 100,000 of them in a big broadcast
class Recipient:
    """One person of a broadcast list: the number, the name and the other columns of the row."""

    phone: str  # E.164 with '+'
    name: str = ""
    list: str = ""
    line: int = 0
    fields: dict[str, str] = field(default_factory=dict)  # the other columns (rt, alamat, ...)
    columns: tuple[str, str] = ("", "")  # headers of the name and number columns ("nama", "nomor")

    def for_template(self) -> dict[str, Any]:
        """Every CSV column by its header (``nama``, ``nomor``, ``rt``, ...; the number column
        normalised, +62…), plus name, phone, list, sapaan. The name and number live once, in
        ``name`` and ``phone``: a list of 100,000 people keeps no second copy of them."""
        name_column, phone_column = self.columns
        own = {name_column: self.name} if name_column else {}
        if phone_column:
            own[phone_column] = self.phone
        return {**self.fields, **own, "name": self.name, "phone": self.phone, "list": self.list,
                "sapaan": sapaan(self.name)}  # fmt: skip


HONORIFICS = {
    "pak", "bapak", "bpk", "bu", "ibu", "sdr", "sdri", "saudara", "saudari", "h", "hj", "haji", "hajjah",
    "kak", "mas", "mbak", "bang", "abang", "dr", "drs", "dra", "ir", "prof", "ust", "ustadz", "ustaz",
    "ustazah", "ustadzah", "kyai", "kh", "nyai", "romo", "pdt", "pendeta", "bunda", "ayah", "oma", "opa",
    "tuan", "nyonya", "nona", "yth",
}  # fmt: skip


def sapaan(name: str) -> str:
    """How a message addresses the person: "Bapak/Ibu Slamet", but "Pak Slamet" as written when the
    name already carries an honorific (never "Bapak/Ibu Pak Slamet")."""
    name = (name or "").strip()
    if not name:
        return "Bapak/Ibu"
    first = name.split()[0].rstrip(".,").lower()
    return name if first in HONORIFICS else f"Bapak/Ibu {name}"


@dataclass(frozen=True)
class BroadcastList:
    """One file of content/lists/: its people, and the rows that were set aside."""

    name: str  # file stem
    path: Path
    recipients: tuple[Recipient, ...]
    invalid: tuple[tuple[int, str, str], ...] = ()  # (line, raw value, reason)
    twins: tuple[tuple[int, int], ...] = ()  # (line, line of the first row with the same number)


def add_name(first: Recipient, name: str) -> Recipient:
    """One number, one message (docs/reference/lists.md): a second row for a number adds its name,
    if new, to the first row's ("Agus Prasetyo dan Dewi Lestari"); everything else stays the first's."""
    name = name.strip()
    known = {n.strip().casefold() for n in first.name.split(" dan ")}
    if not name or name.casefold() in known:
        return first
    return replace(first, name=f"{first.name} dan {name}" if first.name else name)
