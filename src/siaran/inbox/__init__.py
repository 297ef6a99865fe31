"""The office's WhatsApp inbox ("Kotak masuk"): conversations that wait for a person, answered from the
CLI (`siaran inbox`) or the operator page, closed, exported for a citizen's access request, reported.

- ``chats``: what the inbox lists and one person's conversation in order (for the CLI and the page);
- ``reply``: the office's reply through its provider (the 24-hour window on the Cloud API);
- ``watch``: what the daemon does each pass (the morning alert, the retention period);
- ``hours``: when the office answers (away message, out-of-hours mark, the morning).
"""
