"""Fonnte and WAHA: unofficial gateways over a linked device, paced and with clear answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from conftest import served, whatsapp_env, whatsapp_rows
from fakes.fonnte import TOKEN as FONNTE_TOKEN
from fakes.fonnte import FakeFonnte
from fakes.waha import API_KEY, FakeWaha
from siaran.channels.fonnte import parse_delay
from siaran.errors import ConfigError

NOW = "2026-11-23T10:00:00+08:00"
POST = "announcements/posyandu"
BUDI = "6281234567801"


def rows(project: Path) -> dict[str, dict]:
    return {r["recipient"].lstrip("+"): r for r in whatsapp_rows(project)}


def gateway_env(provider: str, base_url: str, token: str, **extra: str) -> dict[str, str]:
    return whatsapp_env(NOW, provider, base_url, token, **{"delay": "0", **extra})


@pytest.fixture
def fonnte():
    yield from served(FakeFonnte())


@pytest.fixture
def waha():
    yield from served(FakeWaha())


def _with_image(project: Path, *names: str) -> None:
    """The operator's own image(s) only (no rendered card), so the tests know which files go out."""
    names = names or ("poster.jpg",)
    (project / "content/images").mkdir(exist_ok=True)
    for name in names:
        Image.new("RGB", (40, 50), "#F2A900").save(project / "content/images" / name)
    path = project / "content/announcements/posyandu.md"
    text = path.read_text().replace("card: true", "card: false")
    images = ", ".join(f"images/{n}" for n in names)
    path.write_text(text.replace("---\n", f"---\nimage: [{images}]\n", 1))


def test_fonnte_sends_one_target_per_call_and_warns_about_bans(run, project, fonnte):
    res = run("send", POST, "--now", "--channel", "whatsapp", env=gateway_env("fonnte", fonnte.base_url, FONNTE_TOKEN))
    assert res.exit_code == 0, res.all
    assert len(fonnte.delivered) == 9 and set(fonnte.delivered.values()) == {1}
    form = fonnte.forms[0]
    assert form["target"].isdigit() and form["countryCode"] == "62" and "Posyandu" in form["message"]
    assert "unofficial" in res.stderr and "ban" in res.stderr
    assert {r["status"] for r in rows(project).values()} == {"sent"}
    assert rows(project)[BUDI]["provider_id"].isdigit()
    assert FONNTE_TOKEN not in res.all


def test_fonnte_uploads_the_image_file(run, project, fonnte):
    _with_image(project)
    env = gateway_env("fonnte", fonnte.base_url, FONNTE_TOKEN)
    res = run("send", POST, "--now", "--channel", "whatsapp", "--list", "kader-posyandu", env=env)
    assert res.exit_code == 0, res.all
    assert fonnte.forms[0]["file"].startswith("<") and "bytes>" in fonnte.forms[0]["file"]


@pytest.mark.parametrize(
    ("reason", "words"),
    [("invalid token", "device token"), ("disconnected device", "scan the QR"), ("insufficient quota", "quota")],
)
def test_fonnte_fatal_reasons_stop_and_keep_the_rest_queued(run, project, fonnte, reason, words):
    fonnte.fail(BUDI, reason)
    res = run("send", POST, "--now", "--channel", "whatsapp", env=gateway_env("fonnte", fonnte.base_url, FONNTE_TOKEN))
    assert res.exit_code == 1
    assert words in res.output
    assert not fonnte.delivered
    assert {r["status"] for r in rows(project).values()} == {"queued"}


def test_fonnte_wrong_token_is_never_echoed(run, project, fonnte):
    res = run("send", POST, "--now", "--channel", "whatsapp",
              env=gateway_env("fonnte", fonnte.base_url, "wrong-fonnte-token-77"))  # fmt: skip
    assert res.exit_code == 1 and "device token" in res.output
    assert "wrong-fonnte-token-77" not in res.all


def test_fonnte_invalid_target_fails_that_person_only(run, project, fonnte):
    fonnte.fail(BUDI, "target invalid")
    res = run("send", POST, "--now", "--channel", "whatsapp", env=gateway_env("fonnte", fonnte.base_url, FONNTE_TOKEN))
    assert res.exit_code == 2, res.all  # one person failed: not everything went out
    assert rows(project)[BUDI]["status"] == "failed"
    assert len(fonnte.delivered) == 8


def test_fonnte_pacing_setting():
    assert parse_delay("5") == (5.0, 6.5)
    assert parse_delay("3-10") == (3.0, 10.0)
    assert parse_delay("0") == (0.0, 0.0)
    with pytest.raises(ConfigError):
        parse_delay("lima")


def test_waha_core_refuses_images_so_text_goes_with_a_link(run, project, waha):
    _with_image(project)
    env = gateway_env("waha", waha.base_url, API_KEY)
    env["SIARAN_INSTAGRAM_PUBLIC_MEDIA_BASE_URL"] = "https://desa.example/media"
    res = run("send", POST, "--now", "--channel", "whatsapp", env=env)
    assert res.exit_code == 0, res.all
    assert "Plus" in res.stderr or "refuses images" in res.stderr
    assert len(waha.texts) == 9 and not waha.images
    assert waha.texts[0]["chatId"].endswith("@c.us")
    assert "https://desa.example/media/poster.jpg" in waha.texts[0]["text"]
    assert {r["status"] for r in rows(project).values()} == {"sent"}


def test_waha_core_without_fallback_stops_with_a_clear_message(run, project, waha):
    _with_image(project)
    res = run("send", POST, "--now", "--channel", "whatsapp",
              env=gateway_env("waha", waha.base_url, API_KEY, image_fallback="false"))  # fmt: skip
    assert res.exit_code == 1
    assert "WAHA Core does not send images" in res.output
    assert not waha.delivered
    assert {r["status"] for r in rows(project).values()} == {"queued"}


def test_waha_plus_sends_images(run, project, waha):
    waha.core = False
    _with_image(project)
    res = run("send", POST, "--now", "--channel", "whatsapp", env=gateway_env("waha", waha.base_url, API_KEY))
    assert res.exit_code == 0, res.all
    assert len(waha.images) == 9 and waha.images[0]["file"] == "poster.jpg"
    assert rows(project)[BUDI]["provider_id"].startswith("true_")


def test_waha_wrong_key_is_fatal(run, project, waha):
    res = run("send", POST, "--now", "--channel", "whatsapp",
              env=gateway_env("waha", waha.base_url, "wrong-waha-key-55"))  # fmt: skip
    assert res.exit_code == 1 and "API key" in res.output
    assert "wrong-waha-key-55" not in res.all


def test_waha_plus_sends_every_slide_caption_on_the_first(run, project, waha):
    waha.core = False
    _with_image(project, "slide-1.jpg", "slide-2.jpg")
    res = run("send", POST, "--now", "--channel", "whatsapp", env=gateway_env("waha", waha.base_url, API_KEY))
    assert res.exit_code == 0, res.all
    assert len(waha.images) == 18
    for chat in {i["chatId"] for i in waha.images}:
        mine = [i for i in waha.images if i["chatId"] == chat]
        assert [i["file"] for i in mine] == ["slide-1.jpg", "slide-2.jpg"]
        assert "Posyandu" in mine[0]["caption"] and not mine[1]["caption"]


def test_fonnte_sends_every_slide_text_on_the_first(run, project, fonnte):
    _with_image(project, "slide-1.jpg", "slide-2.jpg")
    res = run("send", POST, "--now", "--channel", "whatsapp", env=gateway_env("fonnte", fonnte.base_url, FONNTE_TOKEN))
    assert res.exit_code == 0, res.all
    assert len(fonnte.delivered) == 9 and set(fonnte.delivered.values()) == {2}


def test_check_knows_each_providers_limits_without_importing_it(project):
    """`check` warns about texts a provider splits into many parts: the limits come from the
    channels' table, so checking never loads a provider's module (and httpx with it)."""
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path; from siaran.config import load_settings; "
        "from siaran.channels import whatsapp_limits; "
        f"print([whatsapp_limits(load_settings(Path({str(project)!r}), {{'SIARAN_WHATSAPP_PROVIDER': p}})) "
        "for p in ('outbox', 'cloud', 'fonnte', 'waha')], 'httpx' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    from siaran.channels.fonnte import FonnteDriver
    from siaran.channels.outbox import OutboxDriver
    from siaran.channels.waha import WahaDriver
    from siaran.channels.whatsapp_cloud import CloudDriver

    declared = [(d.max_text, d.max_caption) for d in (OutboxDriver, CloudDriver, FonnteDriver, WahaDriver)]
    assert out.strip() == f"{declared} False"
