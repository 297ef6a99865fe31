"""Instagram always has a picture (issue 24): an Instagram post needs an image, so a post that goes
there without one gets a card for Instagram, the one ``card: true`` would make (WhatsApp still gets
the text alone) — unless the office turned automatic
cards off (``instagram.auto_card = false``): then ``check`` refuses the post, naming its file."""

from __future__ import annotations

import dataclasses

from ..errors import ContentError
from ..i18n import _
from .model import Post
from .project import Project


def goes_to_instagram(project: Project, post: Post) -> bool:
    """The post's own channels, or a schedule's that sends it, include Instagram."""
    if "instagram" in post.channels:
        return True
    return any(
        "instagram" in schedule.channels and post.name in schedule.posts for schedule in project.schedules.values()
    )


def needs_card(post: Post) -> bool:
    return not post.wants_image


def give_pictures(project: Project, auto_card: bool) -> list[ContentError]:
    """Posts for Instagram without an image: each gets a card (``auto_card``), or is refused."""
    problems = []
    for name, post in list(project.posts.items()):
        if not needs_card(post) or not goes_to_instagram(project, post):
            continue
        if auto_card:
            project.posts[name] = dataclasses.replace(post, instagram_card=True)
            continue
        problems.append(
            ContentError(
                post.path.relative_to(project.root).as_posix(),
                _(
                    "an Instagram post needs a picture: add image: or card: true (automatic cards are off:"
                    " instagram.auto_card = false)"
                ),
                line=post.lines.get("channels"),
                field="channels",
            )
        )
    return problems
