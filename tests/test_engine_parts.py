"""The engine's small parts: pacing, retry policy, the Cloud API answer classification."""

from __future__ import annotations

import asyncio
import itertools

import httpx
import pytest

from siaran.channels.whatsapp_cloud import classify
from siaran.delivery.backoff import RetryPolicy
from siaran.delivery.pacing import RateLimiter
from siaran.errors import FatalError, PermanentError, TransientError


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_limiter_keeps_the_average_rate_and_allows_a_small_burst():
    clock = FakeTime()
    limiter = RateLimiter(1000, burst=0.01, monotonic=clock)
    waits = [limiter.reserve() for _ in range(2000)]
    assert waits[:10] == [0.0] * 10  # 10 ms of burst
    # 2,000 requests at 1,000/s: the last one waits about 2 s minus the burst.
    assert waits[-1] == pytest.approx(1.999 - 0.01, abs=1e-6)
    assert all(b >= a for a, b in itertools.pairwise(waits))


def test_limiter_unlimited_and_hold():
    clock = FakeTime()
    assert RateLimiter(0, monotonic=clock).reserve() == 0.0
    limiter = RateLimiter(10, burst=0, monotonic=clock)
    limiter.hold(3.0)
    assert limiter.reserve() == pytest.approx(3.0)


def test_limiter_spread_draws_gaps_in_range():
    clock = FakeTime()
    limiter = RateLimiter(0, spread=(5.0, 6.5), monotonic=clock)
    waits = [limiter.reserve() for _ in range(50)]
    gaps = [b - a for a, b in itertools.pairwise(waits)]
    assert all(5.0 <= g <= 6.5 for g in gaps)
    assert len(set(gaps)) > 10  # really random


def test_limiter_really_paces_the_event_loop():
    async def main() -> float:
        limiter = RateLimiter(200, burst=0)
        loop = asyncio.get_running_loop()
        start = loop.time()
        await asyncio.gather(*(limiter.acquire() for _ in range(41)))
        return loop.time() - start

    assert asyncio.run(main()) >= 0.19


def test_retry_policy():
    policy = RetryPolicy(max_attempts=3, base=1.0, cap=8.0)
    assert policy.should_retry(2) and not policy.should_retry(3)
    assert 0.5 <= policy.delay(1) <= 1.0
    assert 4.0 <= policy.delay(4) <= 8.0
    assert policy.delay(9) <= 8.0
    assert policy.delay(1, retry_after=12.0) == 12.0
    assert RetryPolicy(base=0).delay(5) == 0.0


def answer(status: int, code: int | None = None, headers: dict | None = None) -> httpx.Response:
    body = {"error": {"message": "m", "type": "OAuthException", "code": code, "fbtrace_id": "x"}} if code else {}
    return httpx.Response(status, json=body, headers=headers or {})


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (400, 130429, TransientError), (400, 131056, TransientError), (500, 131000, TransientError),
        (503, 131016, TransientError), (400, 4, TransientError), (400, 80007, TransientError),
        (502, None, TransientError), (429, None, TransientError),
        (400, 131026, PermanentError), (400, 132000, PermanentError), (404, 132001, PermanentError),
        (400, 132015, PermanentError), (400, 100, PermanentError), (400, 131047, PermanentError),
        (400, 999999, PermanentError), (404, None, PermanentError),
        (401, 190, FatalError), (401, None, FatalError), (400, 131048, FatalError), (400, 368, FatalError),
        (403, 131031, FatalError), (403, 10, FatalError),
    ],
)  # fmt: skip
def test_cloud_answers_are_classified(status, code, kind):
    error = classify(answer(status, code))
    assert type(error) is kind
    if code:
        assert error.code == str(code)


def test_cloud_retry_after_and_token_scrubbed():
    response = httpx.Response(
        400,
        json={"error": {"code": 130429, "message": "token EAAG-secret-123 is busy", "fbtrace_id": "x"}},
        headers={"Retry-After": "7"},
    )
    error = classify(response, ("EAAG-secret-123",))
    assert error.retry_after == 7.0
    assert "EAAG-secret-123" not in str(error)


def test_provider_json_both_ways():
    """Bodies go out as compact UTF-8 (emoji and Indonesian text as they are); an answer that is
    not JSON (a gateway's HTML page) is None."""
    import json

    from siaran.channels.http import json_body, json_bytes

    body = {"to": "6281234", "text": {"body": "📢 *Kerja bakti* — Yth. Bu Siti,\nbawa cangkul"}}
    assert json_bytes(body) == json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    assert json_body(httpx.Response(200, content=b'{"messages":[{"id":"wamid.1"}]}'))["messages"][0]["id"] == "wamid.1"
    assert json_body(httpx.Response(502, content=b"<html>Bad gateway</html>")) is None


def test_pacing_per_provider(tmp_path):
    import httpx as _httpx

    from siaran.channels import make_driver
    from siaran.clock import Clock
    from siaran.config import load_settings
    from siaran.delivery.pacing import pacing

    def settings(**values: str):
        env = {f"SIARAN_WHATSAPP_{k.upper()}": v for k, v in values.items()}
        return load_settings(tmp_path, env)

    http = _httpx.AsyncClient()
    fonnte = make_driver(settings(provider="fonnte", token="t0ken-xyz"), http, Clock())
    limiter, concurrency = pacing(fonnte, settings())
    assert concurrency == 1 and limiter.spread == (5.0, 6.5)
    cloud_settings = settings(provider="cloud", token="t0ken-xyz", phone_number_id="1", mps="1000", concurrency="128")
    cloud = make_driver(cloud_settings, http, Clock())
    limiter, concurrency = pacing(cloud, cloud_settings)
    assert concurrency == 128 and limiter.interval == pytest.approx(0.001)
    outbox = make_driver(settings(), http, Clock())
    assert pacing(outbox, settings())[1] == 1
    asyncio.run(http.aclose())


def _broadcast(tmp_path, people: int, rate: float, latency: float):
    """``people`` messages through the real engine and journal to a driver answering after ``latency``."""
    from datetime import UTC, datetime

    from siaran import history
    from siaran.channels.base import Message, Receipt
    from siaran.content.model import Recipient
    from siaran.delivery.engine import Broadcast
    from siaran.delivery.journal import Journal
    from siaran.delivery.summary import ProgressCounter, Summary
    from siaran.history import deliveries
    from siaran.plan import Planned

    db = history.open_db(tmp_path / "siaran.db")
    now = datetime(2026, 11, 23, tzinfo=UTC)
    planned = [
        Planned(f"k{i}", "p", "whatsapp", f"+62812000{i:05d}", "l", None, Recipient(f"+62812000{i:05d}"))
        for i in range(people)
    ]
    deliveries.reserve(db, ({"key": p.key, "post": "p", "channel": "whatsapp", "recipient": p.address,
                          "status": "queued"} for p in planned))  # fmt: skip

    class Instant:
        name = "instant"

        async def send(self, message):
            await asyncio.sleep(latency)
            return Receipt(provider_id="id-" + message.key)

    def render(p: Planned) -> Message:
        return Message(key=p.key, post="p", channel="whatsapp", recipient=p.address, text="halo")

    claims: list[int] = []

    class Recording(Journal):
        def claim(self, keys):
            claims.append(len(keys))
            return super().claim(keys)

    journal = Recording(db, "me", lambda: now)
    summary = Summary("p", None)
    engine = Broadcast(Instant(), render, lambda: now, summary, journal, RetryPolicy(base=0),
                       RateLimiter(rate), 64, ProgressCounter(people, None), None)  # fmt: skip
    asyncio.run(engine.run(planned))
    assert summary.sent == people
    assert {r["status"] for r in db["deliveries"].rows} == {"sent"}
    return journal.commits, claims


def test_history_writes_are_batched_not_one_commit_per_message(tmp_path):
    """At 2,000 msg/s the engine claims 50 rows (25 ms) per commit; outcomes ride along."""
    commits, claims = _broadcast(tmp_path, 400, 2000, 0.005)
    assert max(claims) == 50 and sum(claims) == 400
    assert commits <= 40  # one per message would be >= 400


def test_low_rate_outcomes_wait_for_the_next_claim(tmp_path):
    """At 80 msg/s a commit claims 16 rows every 200 ms, and the answers that came in between ride
    along with it instead of taking a commit of their own: 3 claims and the last answers."""
    commits, claims = _broadcast(tmp_path, 48, 80, 0.05)
    assert claims == [16, 16, 16]
    assert commits <= 4


def test_provider_client_keeps_no_cookies():
    """Providers authenticate by header; an answer's Set-Cookie is neither parsed nor sent back."""
    import asyncio

    import httpx

    from siaran.delivery.http import ProviderClient

    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("cookie"))
        return httpx.Response(200, headers={"Set-Cookie": "session=abc; Path=/"}, json={"ok": True})

    async def go():
        async with ProviderClient(transport=httpx.MockTransport(handler)) as http:
            await http.get("http://provider.test/a")
            await http.get("http://provider.test/b")
            return list(http.cookies.jar)

    assert asyncio.run(go()) == []
    assert seen == [None, None]
