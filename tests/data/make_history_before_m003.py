"""Builds a history database with the code of main before the restructure (fefb18d)."""

import sys
from datetime import UTC, datetime
from pathlib import Path

from siaran.instagram import store

from siaran import history

out = Path(sys.argv[1])
out.unlink(missing_ok=True)
db = history.open_db(out)
now = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
t = history.utc(now)
history.reserve(
    db,
    [
        {
            "key": "d1:wa1",
            "post": "announcements/posyandu",
            "channel": "whatsapp",
            "provider": "outbox",
            "recipient": "+6281234567801",
            "list": "warga-rt01",
            "occurrence": None,
            "content_hash": "h1",
            "status": "sent",
            "provider_id": "whatsapp/2026-11-20-x/6281234567801.txt",
            "attempts": 1,
            "created_at": t,
            "updated_at": t,
            "sent_at": t,
        },
    ],
)
states = {
    "queued": {},
    "publishing": {"container_id": "c-pub", "worker": "otherhost:1:1"},
    "published": {
        "container_id": "c-ok",
        "media_id": "m-ok",
        "permalink": "https://www.instagram.com/p/OK1/",
        "published_at": t,
        "posted_at": t,
    },
    "handed_off": {"handoff": "outbox/instagram/2026-11-20-x/ + WhatsApp w1"},
    "confirmed": {
        "handoff": "outbox/instagram/2026-11-20-y/",
        "shortcode": "CONF1",
        "permalink": "https://www.instagram.com/p/CONF1/",
        "posted_at": t,
        "confirmed_at": t,
    },
    "failed": {
        "container_id": "c-bad",
        "children": ["k1", "k2"],
        "error": "container expired",
        "error_code": "EXPIRED",
    },
    "uncertain": {"container_id": "c-unc", "error": "couldn't confirm", "error_code": "1"},
}
for i, (status, extra) in enumerate(states.items()):
    key = f"d1:ig-{status}"
    post = f"announcements/ig-{status}"
    history.reserve(
        db,
        [
            {
                "key": key,
                "post": post,
                "channel": "instagram",
                "provider": "graph" if "container_id" in extra else "handoff",
                "recipient": "@kel.sungairapakindah",
                "list": "",
                "occurrence": f"sched@2026-11-2{i}T08:00:00+08:00" if i % 2 else None,
                "content_hash": f"h{i}",
                "status": "queued",
                "attempts": 0,
                "created_at": t,
                "updated_at": t,
            }
        ],
    )
    store.add(
        db,
        key=key,
        post=post,
        occurrence=None,
        images=[f"media/{status}.jpg"],
        caption=f"Caption {status} #Desa",
        planned_at=now,
        publisher="graph" if "container_id" in extra else "handoff",
        now=now,
    )
    store.count_attempt(db, key)
    store.update(db, key, now, status=status, **extra)
print(db["instagram_queue"].count, db["deliveries"].count)
