"""The default channel: every message becomes a file under outbox/, so siaran works (and can be
rehearsed) with no account and no token. Recorded in history exactly like a real send."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from ..content.files import copy_atomic, slug, write_atomic
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
    day = message.day.isoformat() if message.day else "undated"
    return root / message.channel / f"{day}-{slug(message.post)}"


class OutboxDriver:
    name: ClassVar[str] = "outbox"
    concurrent: ClassVar[bool] = False  # a file at a time is plenty
    max_text: ClassVar[int] = 0  # files have no limit
    max_caption: ClassVar[int] = 0
    spread: ClassVar[tuple[float, float] | None] = None

    def __init__(self, root: Path):
        self.root = root
        # Messages name citizens and their numbers: the folder is the owner's only (POSIX).
        root.mkdir(mode=0o700, parents=True, exist_ok=True)

    async def send(self, message: Message) -> Receipt:
        folder = message_folder(self.root, message)
        images = copy_images(message.images, folder)
        if message.channel == "instagram":
            target = folder / "caption.txt"
            write_atomic(target, message.text + "\n")
        else:
            target = folder / f"{message.recipient.lstrip('+')}.txt"
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


DRIVER = OutboxDriver  # its declared limits, read by `siaran check` (channels.whatsapp_limits)


def make(settings, http, clock, **context) -> OutboxDriver:
    return OutboxDriver(settings.path("outbox"))
