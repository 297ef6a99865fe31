"""Text rendering speed: microseconds per WhatsApp message through the bounded sandbox.

A broadcast renders the post once per recipient; a body naming the recipient is rendered anew
each time. Prints the median of several runs for one personal and one impersonal post.

    PYTHONPATH=src python bench/texts.py [--messages 20000]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date
from pathlib import Path

from siaran.checks import load_project
from siaran.content.model import Recipient

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=20_000)
    args = parser.parse_args()
    project = load_project(ROOT, date(2026, 11, 23))
    people = [Recipient(phone=f"+62811{i:07d}", name=f"Warga {i}", list="x") for i in range(args.messages)]
    for name in ("announcements/kerja-bakti", "announcements/posyandu"):
        post = project.posts[name]
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            for person in people:
                project.renderer.render(post, "whatsapp", person)
            runs.append((time.perf_counter() - started) / len(people) * 1e6)
        print(f"{name:30} {statistics.median(runs):7.1f} us per message ({args.messages:,} messages, median of 5)")


if __name__ == "__main__":
    main()
