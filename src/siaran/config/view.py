"""Settings once loaded: read-only sections (``settings.whatsapp.mps``) and the rehearsal's copy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class Section(Mapping[str, Any]):
    """Read-only view of one settings section: ``settings.whatsapp.mps``. ``hidden``: its secret keys."""

    def __init__(self, name: str, values: dict[str, Any], hidden: frozenset[str] = frozenset()):
        self._name = name
        self._values = values
        self._hidden = hidden

    def __getattr__(self, key: str) -> Any:
        try:
            return self._values[key]
        except KeyError:
            raise AttributeError(f"no setting {self._name}.{key}") from None

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        shown = {k: ("***" if k in self._hidden and v else v) for k, v in self._values.items()}
        return f"Section({self._name}, {shown})"

    def secrets(self) -> list[str]:
        return [str(v) for k, v in self._values.items() if k in self._hidden and v]

    def replaced(self, **values: Any) -> Section:
        return Section(self._name, {**self._values, **values}, self._hidden)


@dataclass(frozen=True)
class Settings:
    project: Path
    sections: Mapping[str, Section]
    real: Settings | None = field(default=None)  # while rehearsing: the settings of the real run

    def __getattr__(self, name: str) -> Section:
        try:
            return self.sections[name]
        except KeyError:
            raise AttributeError(name) from None

    def path(self, section: str, key: str = "path") -> Path:
        """A path setting resolved against the project folder."""
        return self.project / self.sections[section][key]

    def secrets(self) -> list[str]:
        """Secret values in force, for the log redaction filter."""
        return [value for section in self.sections.values() for value in section.secrets()]


REHEARSAL = "-rehearsal"


def rehearsal(settings: Settings) -> Settings:
    """With ``SIARAN_NOW`` set, history and outbox are the rehearsal's own files beside the real
    ones (``siaran-rehearsal.db``, ``outbox-rehearsal/``): a rehearsal never makes a real occurrence
    count as done, and a real run never sees a rehearsal's messages."""
    history = Path(settings.history.path)
    outbox = Path(settings.outbox.path)
    sections = dict(settings.sections)
    sections["history"] = settings.history.replaced(
        path=str(history.with_name(history.stem + REHEARSAL + history.suffix))
    )
    sections["outbox"] = settings.outbox.replaced(path=str(outbox.with_name(outbox.name + REHEARSAL)))
    return Settings(project=settings.project, sections=sections, real=settings)
