"""The shipped official schedules 2004-2026 against an independent second source.

The data are generated from ``chinesecalendar`` (tools/gen_china_holidays.py); the
``holidays`` package (python-holidays, its own tables checked against the State
Council notices) is the independent peer: every day of every shipped year must
have the same working status in both, and every statutory holiday the peer names
must carry the same name in ours.
"""

from __future__ import annotations

import importlib.util
import json
from datetime import date, timedelta
from pathlib import Path

import holidays
import pytest

from itsskit import BusinessCalendar
from itsskit.calendar import DayReason
from itsskit.schedules import HOLIDAY_NAMES, ScheduleSource, shipped_schedule, shipped_years

ROOT = Path(__file__).resolve().parents[1]
CHINA = BusinessCalendar.china()
YEARS = range(2004, 2027)
PEER = holidays.China(years=YEARS, language="zh_CN")
PEER_MAKEUP = set(PEER.weekend_workdays)


def peer_works(day: date) -> bool:
    if day in PEER:
        return False
    return day in PEER_MAKEUP or day.weekday() < 5


def test_every_shipped_year_is_official_from_2004_to_2026() -> None:
    assert shipped_years() == range(2004, 2027)
    for year in YEARS:
        schedule = shipped_schedule(year)
        assert schedule is not None and schedule.source is ScheduleSource.SHIPPED
        assert schedule.official and CHINA.is_official(year)
    assert CHINA.provisional_years(date(2004, 1, 1), date(2026, 12, 31)) == ()


@pytest.mark.parametrize("year", YEARS)
def test_every_day_matches_the_holidays_package(year: int) -> None:
    day, differences = date(year, 1, 1), []
    while day.year == year:
        if CHINA.is_working_day(day) != peer_works(day):
            differences.append(day)
        day += timedelta(days=1)
    assert differences == []


def test_names_match_the_peer_on_statutory_days() -> None:
    peer_names = {"农历除夕": "春节"}  # the peer names New Year's Eve apart; the notices say 春节
    checked = 0
    for year in YEARS:
        for entry in shipped_schedule(year).days:  # type: ignore[union-attr]
            theirs = [peer_names.get(n, n) for n in PEER.get_list(entry.date)]
            statutory = [n for n in theirs if n in HOLIDAY_NAMES]
            if entry.off and statutory:
                assert entry.name in statutory, (entry.date, entry.name, theirs)
                checked += 1
    assert checked > 200  # most statutory days are named by both


def test_every_day_has_a_chinese_and_english_name() -> None:
    allowed = set(HOLIDAY_NAMES) | {"中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日"}
    for year in YEARS:
        for entry in shipped_schedule(year).days:  # type: ignore[union-attr]
            assert entry.name in allowed
            assert entry.name_en and entry.name_en == HOLIDAY_NAMES.get(entry.name, entry.name_en)


def test_day_facts_of_official_days() -> None:
    fact = CHINA.day(date(2025, 1, 28))  # 除夕 2025, first year of the 2024 revision
    assert (fact.working, fact.reason, fact.name, fact.name_en) == (
        False, DayReason.HOLIDAY, "春节", "Spring Festival",
    )  # fmt: skip
    assert fact.source == "shipped" and fact.official
    makeup = CHINA.day(date(2025, 1, 26))  # a Sunday worked for the Spring Festival
    assert (makeup.working, makeup.reason, makeup.name) == (True, DayReason.MAKEUP, "春节")
    plain = CHINA.day(date(2025, 3, 3))
    assert (plain.working, plain.reason, plain.source, plain.official) == (
        True, DayReason.WEEKDAY, "rule", True,
    )  # fmt: skip
    weekend = CHINA.day(date(2025, 3, 1))
    assert (weekend.working, weekend.reason) == (False, DayReason.WEEKEND)


def test_correction_2005_12_31_is_a_makeup_day() -> None:
    # the 2006 notice (gov.cn/jrzg/2005-12/22/content_133837.htm): 元旦 1-3 January 2006,
    # Saturday 31 December 2005 worked
    assert CHINA.is_working_day(date(2005, 12, 31))
    assert not CHINA.is_working_day(date(2006, 1, 3))


@pytest.mark.skipif(
    importlib.util.find_spec("chinese_calendar") is None, reason="chinesecalendar not installed"
)
def test_shipped_json_is_what_the_generator_writes() -> None:
    spec = importlib.util.spec_from_file_location("gen", ROOT / "tools" / "gen_china_holidays.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    shipped = json.loads((ROOT / "src/itsskit/data/china_holidays.json").read_text("utf-8"))
    assert gen.build() == shipped
