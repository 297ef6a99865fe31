"""Command-line interface: one module per command group, each imported only when one of its
commands runs (see ``COMMANDS`` in ``base``)."""

from .base import cli


def main() -> None:
    cli(prog_name="siaran")


__all__ = ["cli", "main"]
