"""Regenerate ``src/itsskit/data/china_holidays.json`` from ``chinesecalendar``.

Usage::

    pip install -U chinesecalendar
    python tools/gen_china_holidays.py

``holidays`` maps every statutory rest day (weekend days inside a holiday
period included) to its holiday key; ``workdays`` maps the make-up working
days (调休上班) that fall on a Saturday or Sunday to the holiday they belong to;
``names`` gives each key's Chinese and English name.  ``years`` is the
inclusive range of years whose official schedule is shipped: 2004 through the
latest year the installed ``chinesecalendar`` covers.  ``CORRECTIONS`` lists the
few days where the State Council notice differs from the package, each with
its source; ``tests/test_calendar_official.py`` checks every day against the
``holidays`` package as an independent second source.
"""

from __future__ import annotations

import json
from datetime import date
from importlib.metadata import version
from pathlib import Path

import chinese_calendar
from chinese_calendar.constants import Holiday

FIRST_YEAR = 2004
OUT = Path(__file__).resolve().parents[1] / "src" / "itsskit" / "data" / "china_holidays.json"

#: chinesecalendar's English name -> (key, Chinese name, English name).
NAMES: dict[str, tuple[str, str, str]] = {
    Holiday.new_years_day.value: ("new_year", "元旦", "New Year's Day"),
    Holiday.spring_festival.value: ("spring_festival", "春节", "Spring Festival"),
    Holiday.tomb_sweeping_day.value: ("qingming", "清明节", "Tomb-sweeping Day"),
    Holiday.labour_day.value: ("labour_day", "劳动节", "Labour Day"),
    Holiday.dragon_boat_festival.value: ("dragon_boat", "端午节", "Dragon Boat Festival"),
    Holiday.mid_autumn_festival.value: ("mid_autumn", "中秋节", "Mid-autumn Festival"),
    Holiday.national_day.value: ("national_day", "国庆节", "National Day"),
    Holiday.anti_fascist_70th_day.value: (
        "victory_70th",
        "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
        "70th Anniversary of the Victory of the War of Resistance",
    ),
}

#: Days the package lacks: (date, key, off day?) with the notice that sets them.
CORRECTIONS: tuple[tuple[str, str, bool, str], ...] = (
    # 国务院办公厅关于2006年部分节假日安排的通知: 元旦 1月1日—3日放假 ... 12月31日(星期六)上班.
    # The package misses this day of the 2006 notice that falls in 2005.
    (
        "2005-12-31",
        "new_year",
        False,
        "国务院办公厅关于2006年部分节假日安排的通知 http://www.gov.cn/jrzg/2005-12/22/content_133837.htm",
    ),
)


def build() -> dict[str, object]:
    """Return the JSON document as a dict."""
    last = max(d.year for d in chinese_calendar.holidays)

    def keyed(days: dict[date, str], weekend_only: bool) -> dict[str, str]:
        return {
            d.isoformat(): NAMES[str(name)][0]
            for d, name in sorted(days.items())
            if FIRST_YEAR <= d.year <= last and (d.weekday() >= 5 or not weekend_only)
        }

    holidays = keyed(chinese_calendar.holidays, weekend_only=False)
    workdays = keyed(chinese_calendar.workdays, weekend_only=True)
    for day, key, off, _ in CORRECTIONS:
        (holidays if off else workdays)[day] = key
    return {
        "source": f"chinesecalendar {version('chinesecalendar')} "
        "(https://github.com/LKI/chinese-calendar), State Council notices; corrections: "
        + "; ".join(f"{day} {notice}" for day, _, _, notice in CORRECTIONS),
        "years": [FIRST_YEAR, last],
        "names": {key: {"zh": zh, "en": en} for key, zh, en in NAMES.values()},
        "holidays": dict(sorted(holidays.items())),
        "workdays": dict(sorted(workdays.items())),
    }


def main() -> None:
    doc = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT} years={doc['years']}")


if __name__ == "__main__":
    main()
