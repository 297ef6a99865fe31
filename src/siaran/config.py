"""Settings: ``siaran.toml`` in the project folder, overridden by ``.env``, overridden by the environment.

Every setting is declared once in ``SETTINGS`` below (the README table is checked against it).
Environment names are ``SIARAN_<SECTION>_<KEY>``. Secrets (``secret=True``) are refused in
siaran.toml: they come only from the environment or ``.env``, which stays off version control.
"""

from __future__ import annotations

import io
import math
import os
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError, did_you_mean
from .i18n import N_, _


@dataclass(frozen=True)
class Setting:
    section: str
    key: str
    default: Any
    help: str
    type: type = str
    secret: bool = False
    choices: tuple[str, ...] = ()  # the only values accepted, when the setting names one of a few things
    zero_ok: bool = False  # numbers: 0 is meaningful (otherwise they must be above 0)

    @property
    def env(self) -> str:
        return f"SIARAN_{self.section.upper()}_{self.key.upper()}"


S = Setting
DEFAULT_LOG = "siaran.log"
SETTINGS: tuple[Setting, ...] = (
    S("history", "path", "siaran.db", "SQLite file holding the whole posting history (relative to the project)."),
    S(
        "history",
        "backups",
        7,
        "Daily copies of the history kept in <history>.bak/ (0: none).",
        int,
        zero_ok=True,
    ),
    S("history", "backup_budget_mb", 0.0, "Disk space for backups, MB (0: the history's size).", float, zero_ok=True),
    S("network", "proxy", "", "Proxy for provider requests, e.g. http://proxy.kantor:8080 (empty: HTTPS_PROXY)."),
    S("media", "path", "media", "Folder of rendered images (sync it to your hosting for the Instagram Graph API)."),
    S("outbox", "path", "outbox", "Folder the outbox channel writes messages to (relative to the project)."),
    S(
        "whatsapp",
        "provider",
        "outbox",
        "WhatsApp provider: outbox (files, no account), cloud, fonnte or waha.",
    ),
    S(
        "whatsapp",
        "base_url",
        "",
        "Provider base URL (cloud: https://graph.facebook.com; fonnte: https://api.fonnte.com; waha: your server).",
    ),
    S("whatsapp", "api_version", "v21.0", "WhatsApp Cloud API version."),
    S("whatsapp", "phone_number_id", "", "WhatsApp Cloud API phone number id."),
    S(
        "whatsapp",
        "token",
        "",
        "Provider token (Cloud API bearer token, Fonnte device token or WAHA API key).",
        secret=True,
    ),
    S(
        "whatsapp",
        "mps",
        80.0,
        "Messages per second for the Cloud API (80 by default, up to 1000 after Meta's upgrade).",
        float,
        zero_ok=True,  # 0: unlimited
    ),
    S("whatsapp", "concurrency", 64, "Requests in flight at once during a broadcast.", int),
    S(
        "whatsapp",
        "timeout",
        30.0,
        "Seconds to wait for a provider answer before the message is marked uncertain.",
        float,
    ),
    S(
        "whatsapp",
        "backoff",
        1.0,
        "Seconds before retrying a throttled or failed-transiently message; doubles each time (0: no wait).",
        float,
        zero_ok=True,
    ),
    S("whatsapp", "max_attempts", 5, "Attempts per message for transient errors before it is marked failed.", int),
    S(
        "whatsapp",
        "template",
        "",
        "Cloud API approved template name used for announcements (empty: send plain text/image).",
    ),
    S("whatsapp", "template_language", "id", "Language code of the approved template."),
    S(
        "whatsapp",
        "template_params",
        "title,summary",
        "Cloud API template body parameters, in order: any of name, title, summary, date, time, place, text.",
    ),
    S("whatsapp", "delay", "5", "Fonnte: seconds between targets, e.g. 5 or 3-10 (pacing lowers ban risk)."),
    S("whatsapp", "session", "default", "WAHA session name."),
    S(
        "whatsapp",
        "image_fallback",
        True,
        "WAHA Core: when images are refused (422), send text with a link instead.",
        bool,
    ),
    S(
        "whatsapp",
        "operator",
        "",
        "The operator's own WhatsApp number (Instagram hand-offs and operator alerts go there).",
    ),
    S(
        "instagram",
        "publisher",
        "handoff",
        "Instagram publisher: handoff (files + operator's WhatsApp) or graph.",
    ),
    S(
        "instagram",
        "auto_card",
        True,
        "A post for Instagram without an image gets a card made for it (false: `check` refuses such a post).",
        bool,
    ),
    S("instagram", "base_url", "https://graph.facebook.com", "Instagram Graph API base URL."),
    S("instagram", "api_version", "v21.0", "Instagram Graph API version."),
    S("instagram", "user_id", "", "Instagram professional account user id."),
    S("instagram", "token", "", "Instagram Graph API access token.", secret=True),
    S(
        "instagram",
        "public_media_base_url",
        "",
        "Public URL where the media folder is synced, e.g. https://desa.id/siaran-media/.",
    ),
    S("instagram", "poll_interval", 60.0, "Seconds between container status checks.", float),
    S("instagram", "poll_timeout", 300.0, "Seconds to wait for a container to be FINISHED.", float),
    S("instagram", "session_file", "", "instaloader session file for `siaran instagram sync` (optional)."),
    S("instagram", "username", "", "Instagram login name for the saved instaloader session (optional)."),
    S("whatsapp", "waba_id", "", "WhatsApp Business Account id (Cloud: `siaran whatsapp templates`, template checks)."),
    S(
        "whatsapp",
        "templates",
        "",
        "Cloud API template per kind outside the 24-hour window, e.g. announcements=info_desa:id,greetings=ucapan:id.",
    ),
    S(
        "whatsapp",
        "verify_token",
        "",
        "Cloud API webhook verify token (the one typed in Meta's webhook setup).",
        secret=True,
    ),
    S("whatsapp", "app_secret", "", "Cloud API app secret: every webhook POST must be signed with it.", secret=True),
    S(
        "whatsapp",
        "webhook_secret",
        "",
        "Fonnte: secret expected in the webhook URL (?secret=...); WAHA: HMAC key (X-Webhook-Hmac, SHA-512).",
        secret=True,
    ),
    S("server", "webhook_host", "127.0.0.1", "Address the webhook listener binds to (a tunnel forwards to it)."),
    S(
        "server",
        "webhook_port",
        8787,
        "Port of the webhook listener (`siaran serve`, and `siaran run` once a webhook secret is set).",
        int,
        zero_ok=True,  # 0: any free port
    ),
    S(
        "server",
        "page_port",
        8788,
        "Port of the operator page (always on 127.0.0.1, never tunnelled).",
        int,
        zero_ok=True,  # 0: any free port
    ),
    S(
        "alerts",
        "urls",
        "",
        "Apprise URLs that alert the operator, comma-separated (mailto://, tgram://, ntfys://, json://, ...).",
        secret=True,
    ),
    S("inbox", "reply_template", "", "Cloud API approved template (name[:language]) for replies after 24 hours."),
    S("inbox", "reply_template_params", "text", "Body parameters of inbox.reply_template, in order: name, text."),
    S("inbox", "page_reply", False, "Let the operator page reply to and close conversations (`serve --balas`).", bool),
    S("inbox", "retention_days", 365, "Days incoming messages and replies are kept; older ones are deleted.", int),
    S("daemon", "log_file", DEFAULT_LOG, "Rotating log file of `siaran run` (relative to the project)."),
    S("daemon", "lock_file", "siaran.lock", "Lock file that keeps one daemon per project folder."),
)
SECRET_KEYS = {s.key for s in SETTINGS if s.secret}
TYPE_NAMES = {str: N_("text"), int: N_("whole number"), float: N_("number"), bool: N_("true or false")}


def _token_problem(token: str) -> str:
    """What a pasted token should not contain (it would fail every request), or ""."""
    for ch in token:
        if ch in "\r\n":
            return _("a line break")
        if ch in "\u201c\u201d\u2018\u2019\u00ab\u00bb":
            return _("a typographic quote (\u201c \u201d \u2018 \u2019)")
        if ch.isspace():
            return _("a space")
        if not ch.isprintable():
            return _("a control character")
        if not ch.isascii():
            return _("the non-ASCII character {char!r}").format(char=ch)
    if token[0] in "\"'" or token[-1] in "\"'":
        return _("a quote mark at its start or end")
    return ""


def _read(path: Path) -> str:
    """siaran.toml or .env as text: a regular file, UTF-8 (a byte-order mark is accepted)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(_("{path}: not a regular file").format(path=path))
        if info.st_size > 1_000_000:
            raise ConfigError(_("{path}: larger than 1 MB; is it the right file?").format(path=path))
        data = path.read_bytes()
    except OSError as e:
        raise ConfigError(_("{path}: cannot read: {error}").format(path=path, error=e.strerror)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        hint = _(" (it is UTF-16: save it as UTF-8)") if data.startswith((b"\xff\xfe", b"\xfe\xff")) else ""
        raise ConfigError(_("{path}: not UTF-8 text").format(path=path) + hint) from None
    if "\x00" in text:
        raise ConfigError(_("{path}: holds binary data, not text").format(path=path))
    return text


def _convert(setting: Setting, value: Any, origin: str) -> Any:
    if setting.type is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"1", "true", "yes", "ya", "on"}:
            return True
        if text in {"0", "false", "no", "tidak", "off", ""}:
            return False
        raise ConfigError(
            _("{origin}: {name} must be true or false, not {value!r}").format(
                origin=origin, name=f"{setting.section}.{setting.key}", value=value
            )
        )
    try:
        converted = setting.type(value)
    except (TypeError, ValueError) as e:
        raise ConfigError(
            _("{origin}: {name} must be a {kind}, not {value!r}").format(
                origin=origin, name=f"{setting.section}.{setting.key}", kind=_(TYPE_NAMES[setting.type]), value=value
            )
        ) from e
    if setting.type in (int, float) and not (
        math.isfinite(converted) and (converted > 0 or (converted == 0 and setting.zero_ok))
    ):
        least = _("0 or more") if setting.zero_ok else _("above 0")
        raise ConfigError(
            _("{origin}: {name} must be a number {least}, not {value!r}").format(
                origin=origin, name=f"{setting.section}.{setting.key}", least=least, value=value
            )
        )
    if setting.secret and converted:
        problem = _token_problem(converted)
        if problem:  # never echo the secret itself
            raise ConfigError(
                _("{origin}: {name} contains {problem}; copy it again (the value is not shown)").format(
                    origin=origin, name=f"{setting.section}.{setting.key}", problem=problem
                )
            )
    if setting.choices and converted not in setting.choices:
        raise ConfigError(
            _("{origin}: {name} = {value!r} is not one of {choices}").format(
                origin=origin, name=f"{setting.section}.{setting.key}", value=value, choices=", ".join(setting.choices)
            )
            + did_you_mean(str(value), setting.choices)
        )
    return converted


class Section(Mapping[str, Any]):
    """Read-only view of one settings section: ``settings.whatsapp.mps``."""

    def __init__(self, name: str, values: dict[str, Any]):
        self._name = name
        self._values = values

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
        shown = {k: ("***" if k in SECRET_KEYS and v else v) for k, v in self._values.items()}
        return f"Section({self._name}, {shown})"


@dataclass(frozen=True)
class Settings:
    project: Path
    sections: Mapping[str, Section]
    real: Settings | None = None  # while rehearsing: the settings of the real run

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
        return [str(self.sections[s.section][s.key]) for s in SETTINGS if s.secret and self.sections[s.section][s.key]]


def load_settings(project: Path, env: Mapping[str, str] | None = None) -> Settings:
    project = Path(project)
    env = dict(os.environ if env is None else env)
    by_name = {(s.section, s.key): s for s in SETTINGS}
    values: dict[str, dict[str, Any]] = {}
    for s in SETTINGS:
        values.setdefault(s.section, {})[s.key] = s.default

    toml_path = project / "siaran.toml"
    if toml_path.exists():
        try:
            data = tomllib.loads(_read(toml_path))
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"{toml_path}: {e}") from e
        for section, table in data.items():
            if not isinstance(table, dict):
                raise ConfigError(
                    _("{origin}: {name!r} must be a [section] table").format(origin=toml_path, name=section)
                )
            for key, value in table.items():
                setting = by_name.get((section, key))
                if setting is None:
                    raise ConfigError(
                        _("{origin}: unknown setting {name}").format(origin=toml_path, name=f"{section}.{key}")
                        + did_you_mean(f"{section}.{key}", (f"{s.section}.{s.key}" for s in SETTINGS))
                    )
                if setting.secret:
                    raise ConfigError(
                        _(
                            "{origin}: {name} is a secret; put it in .env or the environment as {env},"
                            " never in siaran.toml"
                        ).format(origin=toml_path, name=f"{section}.{key}", env=setting.env)
                    )
                values[section][key] = _convert(setting, value, str(toml_path))

    dotenv_path = project / ".env"
    layered: dict[str, str] = {}
    if dotenv_path.exists():
        from dotenv import dotenv_values  # only for a project that has a .env

        values_in_file = dotenv_values(stream=io.StringIO(_read(dotenv_path)))
        layered.update({k: v for k, v in values_in_file.items() if v is not None})
    layered.update(env)
    for s in SETTINGS:
        if s.env in layered:
            values[s.section][s.key] = _convert(s, layered[s.env], s.env)

    return Settings(project=project, sections={name: Section(name, v) for name, v in values.items()})


REHEARSAL = "-rehearsal"


def rehearsal(settings: Settings) -> Settings:
    """With ``SIARAN_NOW`` set, history and outbox are the rehearsal's own files beside the real
    ones (``siaran-rehearsal.db``, ``outbox-rehearsal/``): a rehearsal never makes a real occurrence
    count as done, and a real run never sees a rehearsal's messages."""
    history = Path(settings.history.path)
    outbox = Path(settings.outbox.path)
    sections = dict(settings.sections)
    sections["history"] = Section(
        "history", {**settings.history, "path": str(history.with_name(history.stem + REHEARSAL + history.suffix))}
    )
    sections["outbox"] = Section("outbox", {**settings.outbox, "path": str(outbox.with_name(outbox.name + REHEARSAL))})
    return Settings(project=settings.project, sections=sections, real=settings)
