"""Command-line interface: one module per command group, all registered on ``cli``."""

from . import (  # noqa: F401 - importing registers the commands
    calendar,
    content,
    daemon,
    history,
    init,
    instagram,
    optout,
    report,
    retry,
    send,
    serve,
    whatsapp,
)
from .base import cli


def main() -> None:
    cli(prog_name="siaran")


__all__ = ["cli", "main"]
