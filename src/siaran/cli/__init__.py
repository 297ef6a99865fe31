"""Command-line interface: one module per command group, all registered on ``cli``."""

from . import content, history, optout, retry, send  # noqa: F401 - importing registers the commands
from .base import cli


def main() -> None:
    cli(prog_name="siaran")


__all__ = ["cli", "main"]
