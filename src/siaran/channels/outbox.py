"""The default channel: every message becomes a file under outbox/, so siaran works (and can be
rehearsed) with no account and no token. Recorded in history exactly like a real send."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from ..content.files import copy_atomic, private_folder, slug, write_atomic
from . import WHATSAPP_LIMITS
from .base import Message, Receipt


def copy_images(images: tuple[Path, ...], folder: Path) -> list[Path]:
    out = []
    for image in images:
        target = folder / image.name
        if not target.exists() or target.stat().st_size != image.stat().st_size:
            copy_atomic(image, target)
        out.append(target)
    return out


def message_folder(root: Path, message: Message) -> Path:
    """``<channel>/<day>-<post>/<send>/``: a folder per occurrence ("0730-pengumuman-mingguan") or
    manual send ("manual-0820"), so a later send of the same post never touches an earlier one's files."""
    day = message.day.isoformat() if message.day else "undated"
    return root / message.channel / f"{day}-{slug(message.post)}" / send_folder(message)


def send_folder(message: Message) -> str:
    if message.occurrence:  # "<schedule>@<ISO time>[#<post>]"
        schedule, _, rest = message.occurrence.partition("@")
        when = rest.partition("T")[2][:5].replace(":", "")
        return slug(f"{when}-{schedule}" if when else message.occurrence)
    return slug(message.batch or "manual")


def free_name(folder: Path, stem: str, suffix: str) -> Path:
    """``stem`` + ``suffix``, or ``stem-2`` … when that file is there already: a file belongs to one
    delivery (a delivery is never written twice: its row is claimed before it goes)."""
    target, n = folder / f"{stem}{suffix}", 1
    while target.exists():
        n += 1
        target = folder / f"{stem}-{n}{suffix}"
    return target


class OutboxDriver:
    name: ClassVar[str] = "outbox"
    concurrent: ClassVar[bool] = False  # a file at a time is plenty
    max_text: ClassVar[int] = WHATSAPP_LIMITS["outbox"][0]
    max_caption: ClassVar[int] = WHATSAPP_LIMITS["outbox"][1]
    spread: ClassVar[tuple[float, float] | None] = None

    def __init__(self, root: Path):
        self.root = root
        # Messages name citizens and their numbers: the folders are the owner's only (POSIX),
        # even when they were made before with looser permissions.
        private_folder(root)

    async def send(self, message: Message) -> Receipt:
        folder = private_folder(message_folder(self.root, message), self.root)
        images = copy_images(message.images, folder)
        if message.channel == "instagram":
            target = free_name(folder, "caption", ".txt")
            write_atomic(target, message.text + "\n")
        else:
            target = free_name(folder, message.recipient.lstrip("+"), ".txt")
            header = [
                f"Kepada: {message.recipient_name} <{message.recipient}>".replace(" <", " <", 1),
                f"Pos: {message.post}",
            ]
            if images:
                header.append("Gambar: " + ", ".join(p.name for p in images))
            write_atomic(target, "\n".join(header) + "\n\n" + message.text + "\n", mode=0o600)
        return Receipt(provider_id=target.relative_to(self.root).as_posix())

    async def aclose(self) -> None:
        return None


def make(settings, http, clock, **context) -> OutboxDriver:
    return OutboxDriver(settings.path("outbox"))
