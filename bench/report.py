"""Markdown tables of bench/speed.py results, for docs/performance.md.

.venv/bin/python bench/report.py bench/results/sqlite-100000.json [more.json ...]
"""

import json
import sys
from pathlib import Path

# metric -> (target: minimum per second, maximum p99 in ms or None)
TARGETS = {
    "queue_new": (400, 50),
    "queue_mine": (400, 50),
    "queue_breaching": (400, 50),
    "customer_list": (400, 50),
    "agent_case": (500, None),
    "customer_case": (500, None),
    "create_case": (300, None),
    "email_intake": (500, None),
}
LABELS = {
    "floor_static": "floor: a static file (reference)",
    "floor_anonymous": "floor: anonymous login page (reference)",
    "queue_new": "agent queue: sin cualificar",
    "queue_mine": "agent queue: mis casos",
    "queue_breaching": "agent queue: a punto de incumplir",
    "agent_case": "agent case page",
    "customer_list": "customer “mis casos” (2,000 cases)",
    "customer_case": "customer case page",
    "create_case": "create case through the form",
    "search": "staff keyword search",
    "email_intake": "email intake with threading",
    "sla_deadlines": "SLA deadline computations",
}


def table(results):
    peer = results.get("peer") or {}
    name = peer.get("name", "peer")
    lines = [
        f"**{results['db']}, {results['tickets']:,} cases** — started {results['started']}, "
        f"load average at start {results['machine']['load_average_at_start']:.1f}, "
        f"{results.get('connections', 8)} connections"
        + ("" if results.get("page_cache", True) else ", **page caches off**")
        + (f"; {name} {peer.get('version', '')} with {peer['tickets']:,} tickets" if peer else ""),
        "",
        f"| metric | Ventanilla req/s | p50 / p95 / p99 ms | {name} req/s | p50 / p95 / p99 ms "
        "| ratio | target |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for metric, sides in results["metrics"].items():
        ours, theirs = sides.get("ventanilla"), sides.get("peer")
        label = LABELS.get(metric, metric)
        if metric == "email_intake" and (ours or {}).get("batch", 1) > 1:
            label += f" ({ours['batch']} per transaction)"
        lines.append(
            f"| {label} | {_rate(ours)} | {_lat(ours)} | {_rate(theirs)} "
            f"| {_lat(theirs)} | {_ratio(ours, theirs)} | {_target(metric, ours)} |"
        )
    soak = results.get("soak")
    if soak:
        rss = soak["rss_mb"]
        lines += [
            "",
            f"Soak: {soak['load']['requests']:,} requests in {rss[-1][0] + 15} s at "
            f"{soak['load']['per_second']} req/s (peak {soak['peak_per_second']}), "
            f"{soak['load']['errors']} errors, p99 {soak['load']['p99_ms']} ms; worker memory "
            f"(MB) at {rss[1][0] if len(rss) > 1 else 0} s: {rss[1][1] if len(rss) > 1 else ''}"
            f", at {rss[-1][0]} s: {rss[-1][1]}.",
        ]
    return "\n".join(lines)


def _rate(side):
    if not side:
        return "—"
    if "error" in side:
        return "failed"
    if side.get("requests") == 0:
        return "none in 10 s"
    value = side["per_second"]
    failed = side.get("errors", 0) + side.get("bad_status", 0)
    text = f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"
    return text + (f" ({failed} failed)" if failed else "")


def _lat(side):
    if not side or "p99_ms" not in side or side.get("requests") == 0:
        return "—"
    return f"{side['p50_ms']:.0f} / {side['p95_ms']:.0f} / {side['p99_ms']:.0f}"


def _ratio(ours, theirs):
    if not ours or not theirs or not ours.get("per_second") or not theirs.get("per_second"):
        return "—"
    return f"{ours['per_second'] / theirs['per_second']:.1f}×"


def _target(metric, side):
    if metric == "search" and side and "p95_ms" in side:
        met = side["p95_ms"] < 50
        return ("met: " if met else "**missed**: ") + "p95 < 50 ms (at 1M)"
    if metric not in TARGETS or not side or "per_second" not in side:
        return ""
    rate, p99 = TARGETS[metric]
    parts = [_part(side["per_second"] >= rate, f"≥ {rate}/s")]
    if p99:
        parts.append(_part(side.get("p99_ms", 0) < p99, f"p99 < {p99} ms"))
    return ", ".join(parts)


def _part(met, goal):
    return ("met: " if met else "**missed**: ") + goal


if __name__ == "__main__":
    for path in sys.argv[1:]:
        print(table(json.loads(Path(path).read_text())))
        print()
