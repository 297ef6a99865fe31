"""Settings: ``siaran.toml`` in the project folder, overridden by ``.env``, overridden by the environment.

Every setting is declared once in ``SETTINGS`` below (the README table is checked against it), with
what it may be: its type, range (``zero_ok``, ``maximum``), ``choices``, a ``check`` (values.py) and,
for a file or folder, its ``place``. Values are checked as they are loaded, before anything is sent
(values.py). Environment names are ``SIARAN_<SECTION>_<KEY>``. Secrets (``secret=True``) are refused
in siaran.toml: they come only from the environment or ``.env``, which stays off version control.

    files.py   reading siaran.toml and .env
    values.py  converting and checking one value
    view.py    the loaded settings (Settings, Section) and the rehearsal's copy
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError, did_you_mean
from ..i18n import _, use_project_language
from .files import read_settings_file
from .values import convert, path_problem
from .view import REHEARSAL, Section, Settings, rehearsal

__all__ = ["DEFAULT_LOG", "REHEARSAL", "SETTINGS", "Section", "Setting", "Settings", "load_settings", "rehearsal"]


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
    maximum: float | None = None  # numbers: the largest value that makes sense
    check: str = ""  # a check of the value in values.CHECKS ("delay", "phone")
    place: str = ""  # a file or folder: "project" = inside the project; any: never in content/ or schedules/
    env_name: str = ""  # a shorter variable than SIARAN_<SECTION>_<KEY>, where one is long established

    @property
    def env(self) -> str:
        return self.env_name or f"SIARAN_{self.section.upper()}_{self.key.upper()}"


S = Setting
DEFAULT_LOG = "siaran.log"
SETTINGS: tuple[Setting, ...] = (
    S(
        "operator",
        "language",
        "id",
        "Language of everything the operator reads: id (Bahasa Indonesia) or en (English). Never the PC's locale.",
        choices=("id", "en"),
        env_name="SIARAN_LANG",
    ),
    S(
        "history",
        "path",
        "siaran.db",
        "SQLite file holding the whole posting history (relative to the project).",
        place="any",
    ),
    S(
        "history",
        "backups",
        7,
        "Daily copies of the history kept in <history>.bak/ (0: none).",
        int,
        zero_ok=True,
        maximum=3660,
    ),
    S("history", "backup_budget_mb", 0.0, "Disk space for backups, MB (0: the history's size).", float, zero_ok=True),
    S("network", "proxy", "", "Proxy for provider requests, e.g. http://proxy.kantor:8080 (empty: HTTPS_PROXY)."),
    S(
        "media",
        "path",
        "media",
        "Folder of rendered images (sync it to your hosting for the Instagram Graph API).",
        place="any",
    ),
    S(
        "outbox",
        "path",
        "outbox",
        "Folder the outbox channel writes messages to (relative to the project).",
        place="any",
    ),
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
        maximum=1000,
    ),
    S("whatsapp", "concurrency", 64, "Requests in flight at once during a broadcast.", int, maximum=1000),
    S(
        "whatsapp",
        "timeout",
        30.0,
        "Seconds to wait for a provider answer before the message is marked uncertain.",
        float,
        maximum=3600,
    ),
    S(
        "whatsapp",
        "backoff",
        1.0,
        "Seconds before retrying a throttled or failed-transiently message; doubles each time (0: no wait).",
        float,
        zero_ok=True,
        maximum=3600,
    ),
    S(
        "whatsapp",
        "max_attempts",
        5,
        "Attempts per message for transient errors before it is marked failed.",
        int,
        maximum=100,
    ),
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
    S(
        "whatsapp",
        "delay",
        "5",
        "Fonnte: seconds between targets, e.g. 5 or 3-10 (pacing lowers ban risk).",
        check="delay",
    ),
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
        check="phone",
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
    S("instagram", "poll_interval", 60.0, "Seconds between container status checks.", float, maximum=3600),
    S("instagram", "poll_timeout", 300.0, "Seconds to wait for a container to be FINISHED.", float, maximum=86400),
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
        maximum=65535,
    ),
    S(
        "server",
        "page_port",
        8788,
        "Port of the operator page (always on 127.0.0.1, never tunnelled).",
        int,
        zero_ok=True,  # 0: any free port
        maximum=65535,
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
    S(
        "daemon",
        "log_file",
        DEFAULT_LOG,
        "Rotating log file of `siaran run` (relative to the project).",
        place="project",
    ),
    S(
        "daemon",
        "lock_file",
        "siaran.lock",
        "Lock file that keeps one daemon per project folder.",
        place="project",
    ),
)
SECRET_KEYS = {s.key for s in SETTINGS if s.secret}


def load_settings(project: Path, env: Mapping[str, str] | None = None) -> Settings:
    project = Path(project)
    env = dict(os.environ if env is None else env)
    by_name = {(s.section, s.key): s for s in SETTINGS}
    values: dict[str, dict[str, Any]] = {}
    for s in SETTINGS:
        values.setdefault(s.section, {})[s.key] = s.default

    toml_path = project / "siaran.toml"
    if toml_path.exists():
        import tomllib  # most projects have no siaran.toml

        try:
            data = tomllib.loads(read_settings_file(toml_path))
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
                values[section][key] = convert(setting, value, str(toml_path))

    dotenv_path = project / ".env"
    layered: dict[str, str] = {}
    if dotenv_path.exists():
        from dotenv import dotenv_values  # only for a project that has a .env

        values_in_file = dotenv_values(stream=io.StringIO(read_settings_file(dotenv_path)))
        layered.update({k: v for k, v in values_in_file.items() if v is not None})
    layered.update(env)
    for s in SETTINGS:
        if s.env in layered:
            values[s.section][s.key] = convert(s, layered[s.env], s.env)

    for s in SETTINGS:
        if s.place:
            problem = path_problem(project, s, str(values[s.section][s.key]))
            if problem:
                raise ConfigError(
                    _("{name} = {value!r}: {problem}").format(
                        name=f"{s.section}.{s.key}", value=values[s.section][s.key], problem=problem
                    )
                )
    use_project_language(values["operator"]["language"])
    hidden = {name: frozenset(s.key for s in SETTINGS if s.secret and s.section == name) for name in values}
    return Settings(project=project, sections={name: Section(name, v, hidden[name]) for name, v in values.items()})
