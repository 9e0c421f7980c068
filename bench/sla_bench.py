"""SLA deadline computations per second on the default calendar (a benchmark, not a test).

    .venv/bin/python bench/sla_bench.py [--count 20000] [--repeat 5]

Starts are random instants of 2026–2027 (fixed seed), so about seven in ten fall outside office
hours, as tickets do at night and at weekends. Each target runs over all starts, best of
`--repeat` passes; "mix" cycles through every target. The first pass fills the calendar's memo of
days ("cold"); the figures that count are the steady state ("warm"). Results go to
docs/performance.md.
"""

import argparse
import platform
import random
import time
from datetime import UTC, datetime, timedelta

from ventanilla.sla import clockmath
from ventanilla.sla.businesstime import (
    add_24x7_minutes,
    add_business_days,
    add_business_minutes,
    add_calendar_days,
    business_minutes_between,
    default_calendar,
)

CALENDAR = default_calendar()  # Europe/Madrid, Mon–Fri 08:30–18:00, Spain's national holidays

TARGETS = {
    "60 min 24×7": lambda start: add_24x7_minutes(start, 60, CALENDAR.tz),
    "2 business hours": lambda start: add_business_minutes(CALENDAR, start, 120),
    "8 business hours": lambda start: add_business_minutes(CALENDAR, start, 480),
    "1 business day": lambda start: add_business_days(CALENDAR, start, 1),
    "3 business days": lambda start: add_business_days(CALENDAR, start, 3),
    "3 calendar days": lambda start: add_calendar_days(CALENDAR, start, 3),
    "20 calendar days": lambda start: add_calendar_days(CALENDAR, start, 20),
    "time left (between)": lambda start: business_minutes_between(
        CALENDAR, start, start + timedelta(days=2)
    ),
}


def _clock_schedule(start, amount, unit):
    """What a clock does on start/resume: its deadline with a pause, then its warning instant."""
    due = clockmath.deadline(CALENDAR, start, amount, unit, 60)
    return clockmath.warning_instant(CALENDAR, unit, start, due, 80)


# Whole clock schedules (2 to 3 calendar computations each): reported apart from the mix.
CLOCKS = {
    "clock: A 60 min 24×7": lambda start: _clock_schedule(start, 60, "minutes_24x7"),
    "clock: B 1 business day": lambda start: _clock_schedule(start, 1, "business_days"),
    "clock: 10 calendar days": lambda start: _clock_schedule(start, 10, "calendar_days"),
}


def random_starts(count, seed=2026):
    rng = random.Random(seed)
    origin = datetime(2026, 1, 1, tzinfo=UTC)
    span = 2 * 365 * 24 * 3600
    return [origin + timedelta(seconds=rng.randrange(span)) for _ in range(count)]


def rate(function, starts):
    began = time.perf_counter()
    for start in starts:
        function(start)
    return len(starts) / (time.perf_counter() - began)


def mix_rate(starts):
    functions = list(TARGETS.values())
    pairs = [(functions[index % len(functions)], start) for index, start in enumerate(starts)]
    began = time.perf_counter()
    for function, start in pairs:
        function(start)
    return len(pairs) / (time.perf_counter() - began)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000, help="starts per pass")
    parser.add_argument("--repeat", type=int, default=5, help="passes; the best one counts")
    options = parser.parse_args()
    starts = random_starts(options.count)
    CALENDAR._days.clear()
    cold = mix_rate(starts)
    print(f"Python {platform.python_version()} on {platform.machine()}, {options.count} starts")
    print(f"{'target':<22} {'per second':>12}")
    for name, function in TARGETS.items():
        best = max(rate(function, starts) for _ in range(options.repeat))
        print(f"{name:<22} {best:>12,.0f}")
    best_mix = max(mix_rate(starts) for _ in range(options.repeat))
    print(f"{'mix (warm)':<22} {best_mix:>12,.0f}")
    print(f"{'mix (cold, 1st pass)':<22} {cold:>12,.0f}")
    for name, function in CLOCKS.items():
        best = max(rate(function, starts) for _ in range(options.repeat))
        print(f"{name:<26} {best:>8,.0f}")


if __name__ == "__main__":
    main()
