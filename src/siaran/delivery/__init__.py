"""Getting posts to people: plan → reserve in history → channels → record.

``deliver`` (one post now), ``resend`` (the operator's `siaran retry`), ``occurrences`` (what the
schedules say is due, run once each), ``instagram`` (publish or hand off, reconcile), ``engine`` (the
paced, concurrent WhatsApp broadcast), ``journal`` (group commits), ``pacing``, ``backoff`` (retry
policy), ``summary``, ``http`` (the one HTTP client factory), ``optouts``, ``profile_sync``.
"""
