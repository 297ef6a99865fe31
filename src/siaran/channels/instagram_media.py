"""Images for the Graph API: Instagram downloads each image from a public URL, so every image is
put into the media folder (which the operator syncs to their hosting) as a JPEG, and its URL is
``instagram.public_media_base_url`` + its path inside that folder."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from urllib.parse import quote

from ..content.files import write_atomic
from ..errors import PermanentError
from ..reasons import reason

# Instagram feed images: from 4:5 (portrait) to 1.91:1 (landscape); JPEG only.
MIN_RATIO = 4 / 5
MAX_RATIO = 1.91


def ratio_ok(width: int, height: int) -> bool:
    return MIN_RATIO - 0.005 <= width / height <= MAX_RATIO + 0.005


def check_ratio(path: Path) -> None:
    from PIL import Image  # Pillow only when there is an image to look at

    with Image.open(path) as im:
        w, h = im.size
    if not ratio_ok(w, h):
        raise PermanentError(reason("instagram.aspect_ratio", name=path.name, width=w, height=h), code="aspect_ratio")


def stage(image: Path, media_dir: Path) -> Path:
    """The JPEG copy of ``image`` inside the media folder (the image itself when it already is one)."""
    media_dir = media_dir.resolve()
    image = image.resolve()
    if image.suffix.lower() in (".jpg", ".jpeg") and image.is_relative_to(media_dir):
        return image
    digest = hashlib.sha256(image.read_bytes()).hexdigest()[:10]
    target = media_dir / "instagram" / f"{image.stem}-{digest}.jpg"
    if not target.exists():
        from PIL import Image

        out = io.BytesIO()
        with Image.open(image) as im:
            im.convert("RGB").save(out, "JPEG", quality=92)
        write_atomic(target, out.getvalue())
    return target


def public_urls(images: list[Path], media_dir: Path, base_url: str) -> list[str]:
    urls = []
    for image in images:
        if not image.is_file():
            raise PermanentError(reason("instagram.image_missing", path=str(image)), code="image_missing")
        check_ratio(image)
        staged = stage(image, media_dir)
        rel = staged.relative_to(media_dir.resolve()).as_posix()
        urls.append(base_url.rstrip("/") + "/" + quote(rel))
    return urls
