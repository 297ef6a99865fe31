"""Images a post carries: the operator's own files, plus rendered cards and posters."""

from __future__ import annotations

from pathlib import Path

from ..content.model import Post


def post_images(project, post: Post, media_dir: Path) -> tuple[Path, ...]:
    """The images every channel sends for this post (the same files for WhatsApp and Instagram)."""
    return post.images
