"""The default channel: every message becomes a file under outbox/, so siaran works (and can be
rehearsed) with no account and no token. Recorded in history exactly like a real send."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import ClassVar

from .base import Message, Receipt


def slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()


def write_atomic(path: Path, text: str) -> None:
    """A crash never leaves half a message: write beside, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def copy_images(images: tuple[Path, ...], folder: Path) -> list[Path]:
    out = []
    for image in images:
        target = folder / image.name
        if not target.exists() or target.stat().st_size != image.stat().st_size:
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(image, target.with_name(target.name + ".tmp"))
            os.replace(target.with_name(target.name + ".tmp"), target)
        out.append(target)
    return out


def message_folder(root: Path, message: Message) -> Path:
    day = message.day.isoformat() if message.day else "undated"
    return root / message.channel / f"{day}-{slug(message.post)}"


class OutboxDriver:
    name: ClassVar[str] = "outbox"
    channel: ClassVar[str] = "whatsapp"
    max_text: ClassVar[int] = 65536
    supports_images: ClassVar[bool] = True

    def __init__(self, root: Path, channel: str = "whatsapp"):
        self.root = root
        self.channel = channel

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
            write_atomic(target, "\n".join(header) + "\n\n" + message.text + "\n")
        return Receipt(provider_id=target.relative_to(self.root).as_posix())

    async def aclose(self) -> None:
        return None


def make(settings, http, clock) -> OutboxDriver:
    return OutboxDriver(settings.path("outbox"), "whatsapp")
