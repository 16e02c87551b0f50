"""Regenerate ``src/itsskit/data/china_holidays.json`` from ``chinesecalendar``.

Usage::

    pip install -U chinesecalendar
    python tools/gen_china_holidays.py

``holidays`` holds every statutory rest day (weekend days inside a holiday
period included); ``workdays`` holds only the make-up working days (调休) that
fall on a Saturday or Sunday.  Years run from 2015 through the latest year
covered by the installed ``chinesecalendar``.
"""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

import chinese_calendar

FIRST_YEAR = 2015
OUT = Path(__file__).resolve().parents[1] / "src" / "itsskit" / "data" / "china_holidays.json"


def build() -> dict[str, object]:
    """Return the JSON document as a dict."""
    last = max(d.year for d in chinese_calendar.holidays)
    holidays = {
        d.isoformat(): str(name)
        for d, name in sorted(chinese_calendar.holidays.items())
        if FIRST_YEAR <= d.year <= last
    }
    workdays = {
        d.isoformat(): str(name)
        for d, name in sorted(chinese_calendar.workdays.items())
        if FIRST_YEAR <= d.year <= last and d.weekday() >= 5
    }
    return {
        "source": f"chinesecalendar {version('chinesecalendar')} "
        "(https://github.com/LKI/chinese-calendar), State Council notices",
        "years": [FIRST_YEAR, last],
        "holidays": holidays,
        "workdays": workdays,
    }


def main() -> None:
    doc = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT} years={doc['years']}")


if __name__ == "__main__":
    main()
