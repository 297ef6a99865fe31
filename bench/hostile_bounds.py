"""Time and peak memory of the inputs issue 23 found unbounded, each in its own child process under a
1 GiB address-space limit (a MemoryError there would mean the bound did not hold). Targets: every
template under 200 MB peak, every case a clear refusal (or a result) within seconds.

    PYTHONPATH=src python bench/hostile_bounds.py
"""

from __future__ import annotations

import json
import subprocess
import sys

LIMIT = 1024 * 2**20
LONG = "{% set a = 'x' * 60000 %}"
TEMPLATES = {
    "a ~ a, 12 times": LONG + "{% for i in range(12) %}{% set a = a ~ a %}{% endfor %}{{ a }}",
    "block set doubling": LONG + "{% for i in range(12) %}{% set a %}{{ a }}{{ a }}{% endset %}{% endfor %}",
    "expandtabs(9999)": "{% set t = '\\t' * 60000 %}{{ t.expandtabs(9999) }}",
    "indent(9999)": "{% set t = '\\n' * 60000 %}{{ t|indent(9999) }}",
    "wordwrap(1, 999-char wrap)": "{% set t = 'x ' * 30000 %}{{ t|wordwrap(1, wrapstring='y' * 999) }}",
    "replace x by yy": LONG + "{{ a|replace('x', 'yy') }}",
    "join with 999-char separator": "{{ range(10000)|join('y' * 999) }}",
    "[a] * 60000": LONG + "{% set l = [a] * 60000 %}{{ l|length }}",
    "list literal of 20 a": LONG + "{{ [a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a] }}",
}

CHILD = """
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
kind, arg = sys.argv[1], sys.argv[2]
started = time.perf_counter()
try:
    if kind == "template":
        from siaran.render.sandbox import BoundedEnvironment, render_bounded
        out = render_bounded(BoundedEnvironment().from_string(arg), {{}})
        outcome = "rendered %d characters" % len(out)
    else:
        from pathlib import Path
        from siaran.content.lists import load_list
        rows = [(1, ("nama", "nomor"))] + [(i + 2, ("Warga %d" % i, "081234567801")) for i in range(int(arg))]
        blist = load_list(Path("l.csv"), "l.csv", rows=rows)
        outcome = "1 recipient, %d names" % len(blist.recipients[0].name.split(" dan "))
except Exception as e:
    outcome = "%s: %s" % (type(e).__name__, str(e)[:70])
seconds = time.perf_counter() - started
print(json.dumps([outcome, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024]))
"""


def run(kind: str, arg: str) -> tuple[str, float, int]:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD.format(limit=LIMIT), kind, arg], capture_output=True, text=True, timeout=300
    )
    if proc.returncode != 0:
        return (proc.stderr.strip().splitlines() or ["?"])[-1][:90], 0.0, 0
    return tuple(json.loads(proc.stdout))


def main() -> None:
    print(f"{'case':34} {'seconds':>8} {'peak MB':>8}  outcome")
    for name, source in TEMPLATES.items():
        outcome, seconds, peak = run("template", source)
        print(f"{name:34} {seconds:8.3f} {peak:8d}  {outcome}")
    for rows in (50_000, 200_000):
        outcome, seconds, peak = run("names", str(rows))
        print(f"{f'{rows:,} rows sharing one number':34} {seconds:8.3f} {peak:8d}  {outcome}")


if __name__ == "__main__":
    main()
