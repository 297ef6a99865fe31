"""--help and click's own words in the operator's language.

Help texts stay English in the code (docstrings and ``help=``); they are msgids, translated when
shown, so ``SIARAN_LANG`` decides at display time. ``python -m siaran.i18n`` collects them from the
command tree (see ``help_texts``). click's own words ("Usage:", "Missing argument") go through the
same catalog: click calls ``gettext`` by module-level name, which ``translate_click`` points at ours.
"""

from __future__ import annotations

import contextlib
import inspect
import re
import sys
from collections.abc import Iterator

import click

from ..i18n import N_, _, ngettext


def _help(text: str | None) -> str | None:
    return _(inspect.cleandoc(text)) if text else text


@contextlib.contextmanager
def translated(cmd: click.Command) -> Iterator[None]:
    """Swap the command's and its parameters' help for translations while click formats them."""
    saved = [(cmd, "help", cmd.help), (cmd, "short_help", cmd.short_help)]
    saved += [(p, "help", p.help) for p in cmd.params if isinstance(p, click.Option)]
    try:
        for obj, attr, value in saved:
            setattr(obj, attr, _help(value))
        yield
    finally:
        for obj, attr, value in saved:
            setattr(obj, attr, value)


def opening(text: str) -> str:
    """The translation of a help text known only by its opening words (a command not imported
    yet, shown in `siaran --help` from the COMMANDS table): its msgid is the whole help text."""
    from ..i18n import language, translations

    catalog = getattr(translations(language()), "_catalog", {})
    words = " ".join(text.split())
    for msgid, translated_text in catalog.items():
        if isinstance(msgid, str) and " ".join(msgid.split()).startswith(words) and translated_text:
            return translated_text.split("\n\n", 1)[0]
    return text


def _typed(word: str) -> str:
    return " ".join(word.replace("_", " ").replace("-", " ").casefold().split())


class WordChoice(click.Choice):
    """A choice (a status) typed in Indonesian or English, kept in English (the code's and history's
    word), shown in the operator's language: `--status gagal` and `--status failed` are the same."""

    def __init__(self, choices) -> None:
        super().__init__(list(choices), case_sensitive=False)

    def _normalized_mapping(self, ctx: click.Context | None = None) -> dict[str, str]:
        return {choice: _(choice).replace(" ", "-") for choice in self.choices}  # what help and errors show

    def convert(self, value, param, ctx):
        from ..i18n import LANGUAGES, translations

        typed = _typed(str(value))
        for choice in self.choices:
            if typed in {_typed(translations(lang).gettext(choice)) for lang in LANGUAGES} | {_typed(choice)}:
                return choice
        return super().convert(value, param, ctx)


# click's placeholders (metavars) and the argument names of siaran's commands, as the operator reads them.
METAVARS = {
    "OPTIONS": N_("OPTIONS"),
    "COMMAND": N_("COMMAND"),
    "ARGS": N_("ARGS"),
    "TEXT": N_("TEXT"),
    "INTEGER RANGE": N_("INTEGER RANGE"),
    "INTEGER": N_("INTEGER"),
    "FLOAT": N_("FLOAT"),
    "DIRECTORY": N_("DIRECTORY"),
    "FILE": N_("FILE"),
    "PATH": N_("PATH"),
    "NAME": N_("NAME"),
    "FOLDER": N_("FOLDER"),
    "ENTRY": N_("ENTRY"),
    "NUMBER": N_("NUMBER"),
    "NUMBERS": N_("NUMBERS"),
    "YEAR": N_("YEAR"),
    "KIND": N_("KIND"),
}
_METAVAR = re.compile(r"\b(" + "|".join(sorted(METAVARS, key=len, reverse=True)) + r")\b")


def metavar(text: str) -> str:
    """A usage piece or placeholder ("[OPTIONS]", "INTEGER RANGE", "NAME") in the operator's language."""
    return _METAVAR.sub(lambda m: _(METAVARS[m[1]]), text)


def _make_metavar(original):
    def make_metavar(self: click.Parameter, ctx: click.Context) -> str:
        return metavar(original(self, ctx))

    make_metavar.translated = True
    return make_metavar


class _Translated:
    """Help shown in the operator's language, translated when click formats it."""

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return [metavar(piece) for piece in super().collect_usage_pieces(ctx)]

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with translated(self):
            super().format_help(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        with translated(self):
            return super().get_short_help_str(limit)


class TranslatedCommand(_Translated, click.Command):
    pass


class TranslatedGroup(_Translated, click.Group):
    command_class = TranslatedCommand
    group_class = type  # subgroups are of this same class


def help_texts(group: click.Group) -> Iterator[str]:
    """Every help text of the command tree, as the msgids ``translated`` looks up."""
    ctx = click.Context(group)
    commands = [group.get_command(ctx, name) for name in group.list_commands(ctx)]  # lazy ones too
    for cmd in [group, *(c for c in commands if c is not None)]:
        if isinstance(cmd, click.Group) and cmd is not group:
            yield from help_texts(cmd)
            continue
        for text in (cmd.help, cmd.short_help, *(p.help for p in cmd.params if isinstance(p, click.Option))):
            if text:
                yield inspect.cleandoc(text)


def translate_click() -> None:
    for cls in (click.Parameter, click.Argument):
        if not getattr(cls.__dict__.get("make_metavar"), "translated", False):
            cls.make_metavar = _make_metavar(cls.__dict__["make_metavar"])
    for name, module in list(sys.modules.items()):
        if name == "click" or name.startswith("click."):
            if getattr(module, "_", None) is not None and callable(module._):
                module._ = _
            if callable(getattr(module, "ngettext", None)):
                module.ngettext = ngettext


# click's words an operator meets, so the catalog holds them (click's own msgids, unchanged).
CLICK_WORDS = (
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("Show this message and exit."),
    N_("Show the version and exit."),
    N_("Error: {message}"),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing parameter: {param_name}"),
    N_("No such command {name!r}."),
    N_("No such option {name!r}."),
    N_("Try '{command} {option}' for help."),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Invalid value: {message}"),
    N_("Aborted!"),
    N_("default: {default}"),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
    N_("{name} {filename!r} does not exist."),
    N_("{name} {filename!r} is a directory."),
    N_("{name} {filename!r} is a file."),
    N_("file"),
    N_("directory"),
    N_("path"),
    N_("integer"),
    N_("float"),
    N_("Did you mean {possibility}?"),
)


def _click_plurals() -> tuple[str, ...]:  # never called: marks click's plural msgids for the catalog
    return (
        ngettext("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})", 1),
        ngettext("{value!r} is not {choice}.", "{value!r} is not one of {choices}.", 1),
        ngettext("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)", 1),
    )


# Delivery states as the summaries and history show them (history.STATUSES, stored in English), occurrence
# states (delivery.occurrences) and Instagram queue labels (history.instagram.label).
STATUS_WORDS = (
    N_("queued"),
    N_("sending"),
    N_("sent"),
    N_("delivered"),
    N_("read"),
    N_("failed"),
    N_("uncertain"),
    N_("skipped"),
    N_("done"),
    N_("held"),
    N_("running"),
    N_("waiting"),
    N_("publishing"),
    N_("published"),
    N_("confirmed"),
    N_("handed_off"),
)
