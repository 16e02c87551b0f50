"""Official schedules from files: holiday-cn JSON, iCalendar, the config's ``schedules``."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itsskit import BusinessCalendar
from itsskit.calendar import DayReason
from itsskit.config import ConfigError, load_config
from itsskit.models import CalendarSpec
from itsskit.plugins import PluginHost
from itsskit.schedule_files import ScheduleFileError, parse_holiday_cn_json, read_schedule
from itsskit.schedules import ScheduleSource, provisional_schedule
from reference_impl import RefCalendar, china_data, china_later_holidays

DATA = Path(__file__).resolve().parent / "data" / "holidays"
JSON_2027 = DATA / "2027.json"
ICS_2027 = DATA / "2027.ics"


def plain_days(path: Path) -> dict[date, tuple[bool, str]]:
    """The JSON fixture read with nothing but ``json`` (the independent view)."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    return {date.fromisoformat(d["date"]): (d["isOffDay"], d["name"]) for d in doc["days"]}


def test_json_schedule_is_official_for_its_year() -> None:
    schedule = read_schedule(JSON_2027)
    assert (schedule.year, schedule.source, schedule.official) == (2027, ScheduleSource.FILE, True)
    assert schedule.origin == str(JSON_2027)
    assert {d.date: (d.off, d.name) for d in schedule.days} == plain_days(JSON_2027)
    assert schedule.get(date(2027, 10, 1)).name_en == "National Day"  # type: ignore[union-attr]


def test_ics_of_the_same_content_gives_the_same_days() -> None:
    ics, js = read_schedule(ICS_2027), read_schedule(JSON_2027)
    assert ics.year == 2027 and ics.source is ScheduleSource.FILE
    assert [(d.date, d.off, d.name, d.name_en) for d in ics.days] == [
        (d.date, d.off, d.name, d.name_en) for d in js.days
    ]


def test_a_loaded_year_overrides_the_provisional_one() -> None:
    cal = BusinessCalendar.china(schedules=[read_schedule(JSON_2027)])
    assert (
        cal.is_official(2027) and cal.provisional_years(date(2027, 1, 1), date(2027, 12, 31)) == ()
    )
    days = plain_days(JSON_2027)
    day = date(2027, 1, 1)
    while day.year == 2027:  # every day: the file decides, else Mon-Fri
        off_name = days.get(day)
        expected = (not off_name[0]) if off_name else day.weekday() < 5
        assert cal.is_working_day(day) == expected, day
        day = date.fromordinal(day.toordinal() + 1)
    fact = cal.day(date(2027, 2, 20))  # a Saturday worked for the Spring Festival
    assert (fact.working, fact.reason, fact.name, fact.source, fact.official) == (
        True, DayReason.MAKEUP, "春节", "file", True,
    )  # fmt: skip
    # the provisional compensating day 2027-02-10 is now part of the official holiday
    assert cal.day(date(2027, 2, 10)).source == "file"
    # other years are untouched: 2026 shipped, 2028 provisional
    assert cal.day(date(2026, 10, 1)).source == "shipped"
    assert cal.provisional_years(date(2026, 1, 1), date(2028, 12, 31)) == (2028,)


def test_user_overrides_still_win_over_a_file() -> None:
    cal = BusinessCalendar.china(schedules=[read_schedule(JSON_2027)], holidays=["2027-02-20"])
    assert not cal.is_working_day(date(2027, 2, 20))
    assert date(2027, 2, 20) not in cal.workdays and date(2027, 10, 7) in cal.holidays


def test_weekly_preset_takes_schedules_but_is_never_provisional() -> None:
    spec = CalendarSpec(preset="weekly", schedules=(read_schedule(JSON_2027),))
    cal = BusinessCalendar.from_spec(spec)
    assert not cal.is_working_day(date(2027, 10, 4)) and cal.is_working_day(date(2027, 10, 9))
    assert cal.is_working_day(date(2028, 10, 2)) and cal.is_official(2028)
    with pytest.raises(ValueError, match="schedules apply to the china and weekly"):
        BusinessCalendar.from_spec(attrs.evolve(spec, preset="always"))


def test_days_spilling_into_the_previous_december() -> None:
    doc = {
        "year": 2028,
        "days": [
            {"name": "元旦", "date": "2027-12-31", "isOffDay": True},
            {"name": "元旦", "date": "2028-01-01", "isOffDay": True},
            {"name": "元旦", "date": "2027-12-25", "isOffDay": False},
        ],
    }
    schedule = parse_holiday_cn_json(json.dumps(doc), "x.json")
    cal = BusinessCalendar.china(schedules=[schedule])
    assert not cal.is_working_day(date(2027, 12, 31))  # a Friday, off by the 2028 notice
    assert cal.is_working_day(date(2027, 12, 25))  # a Saturday worked
    assert cal.day(date(2027, 12, 25)).source == "file"
    assert cal.is_official(2028) and not cal.is_official(2027)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{", "bad.json: not valid JSON"),
        ("[]", 'bad.json: expected an object {"year": ..., "days": [...]}'),
        ('{"days": []}', "bad.json: year: expected a year such as 2027, got None"),
        ('{"year": "2027", "days": []}', "bad.json: year: expected a year such as 2027"),
        ('{"year": 2027}', "bad.json: days: expected a list of days"),
        ('{"year": 2027, "days": [3]}', "bad.json: days[0]: expected {"),
        (
            '{"year": 2027, "days": [{"name": "元旦", "date": "2027-13-01", "isOffDay": true}]}',
            "bad.json: days[0].date: expected YYYY-MM-DD, got '2027-13-01'",
        ),
        (
            '{"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": "yes"}]}',
            "bad.json: days[0].isOffDay: expected true or false, got 'yes'",
        ),
        (
            '{"year": 2027, "days": [{"name": "", "date": "2027-01-01", "isOffDay": true}]}',
            "bad.json: days[0].name: expected the holiday's name",
        ),
        (
            '{"year": 2027, "days": [{"name": "元旦", "date": "2026-06-01", "isOffDay": true}]}',
            "bad.json: days[0]: 2026-06-01 lies outside the 2027 schedule",
        ),
        (
            '{"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true},'
            ' {"name": "元旦", "date": "2027-01-01", "isOffDay": false}]}',
            "bad.json: days[1]: 2027-01-01 is already listed by days[0]",
        ),
    ],
)
def test_bad_json_gets_one_line_naming_file_and_entry(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScheduleFileError) as info:
        read_schedule(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(tmp_path / expected.split(":")[0]))
    assert expected.split(": ", 1)[1] in message


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ("", "no VEVENT with a date"),
        ("BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270101\r\nEND:VEVENT\r\n", "SUMMARY: expected"),
        ("BEGIN:VEVENT\r\nSUMMARY:元旦假期\r\nEND:VEVENT\r\n", "DTSTART: expected a date"),
        (
            "BEGIN:VEVENT\r\nSUMMARY:元旦假期\r\nDTSTART;VALUE=DATE:20270103\r\n"
            "DTEND;VALUE=DATE:20270101\r\nEND:VEVENT\r\n",
            "VEVENT 1 (元旦假期): DTEND 2027-01-01 must be after DTSTART 2027-01-03",
        ),
    ],
)
def test_bad_ics_gets_one_line_naming_file_and_event(
    tmp_path: Path, events: str, expected: str
) -> None:
    path = tmp_path / "bad.ics"
    path.write_text(f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{events}END:VCALENDAR\r\n", "utf-8")
    with pytest.raises(ScheduleFileError) as info:
        read_schedule(path)
    assert str(info.value).startswith(f"{path}: ") and expected in str(info.value)
    assert "\n" not in str(info.value)


def test_ics_event_without_markers_and_without_dtend(tmp_path: Path) -> None:
    path = tmp_path / "company.ics"
    path.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:公司年会\r\n"
        "DTSTART;VALUE=DATE:20270312\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        encoding="utf-8",
    )
    schedule = read_schedule(path)
    assert [(d.date, d.off, d.name, d.name_en) for d in schedule.days] == [
        (date(2027, 3, 12), True, "公司年会", "")
    ]


def test_other_suffix_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScheduleFileError, match=r"expected a \.json \(holiday-cn\) or \.ics"):
        read_schedule(tmp_path / "2027.csv")
    with pytest.raises(ScheduleFileError, match="cannot read the schedule file"):
        read_schedule(tmp_path / "2027.json")


# ------------------------------------------------------------------ config


CONFIG = """
[calendars.office]
preset = "{preset}"
{schedules}
"""


def write_config(tmp_path: Path, schedules: str, preset: str = "china") -> Path:
    (tmp_path / "holidays").mkdir(exist_ok=True)
    for source in (JSON_2027, ICS_2027):
        shutil.copy(source, tmp_path / "holidays" / source.name)
    path = tmp_path / "itsskit.toml"
    path.write_text(CONFIG.format(preset=preset, schedules=schedules), encoding="utf-8")
    return path


def test_config_loads_schedules_relative_to_the_config_file(tmp_path: Path) -> None:
    path = write_config(tmp_path, 'schedules = ["holidays/2027.json"]')
    config = load_config(path, PluginHost.create())
    spec = config.calendars["office"]
    assert [s.year for s in spec.schedules] == [2027]
    assert spec.schedules[0].origin == str(tmp_path / "holidays" / "2027.json")
    cal = PluginHost.create().calendar(spec)
    assert cal.is_official(2027) and cal.is_working_day(date(2027, 2, 20))


def test_config_without_schedules_is_unchanged(tmp_path: Path) -> None:
    spec = load_config(write_config(tmp_path, "")).calendars["office"]
    assert spec == CalendarSpec()


@pytest.mark.parametrize(
    ("schedules", "expected"),
    [
        ('schedules = "holidays/2027.json"', "calendars.office.schedules: expected a list"),
        ('schedules = ["holidays/2026.json"]', "calendars.office.schedules[0]: "),
        (
            'schedules = ["holidays/2027.json", "holidays/2027.ics"]',
            "calendars.office.schedules[1]: a second schedule for 2027 (the first is "
            "calendars.office.schedules[0])",
        ),
    ],
)
def test_config_schedule_errors(tmp_path: Path, schedules: str, expected: str) -> None:
    path = write_config(tmp_path, schedules)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert len(info.value.errors) == 1
    assert info.value.errors[0].startswith(f"{path}: {expected}")


def test_config_bad_schedule_file_names_config_key_file_and_entry(tmp_path: Path) -> None:
    path = write_config(tmp_path, 'schedules = ["holidays/bad.json"]')
    (tmp_path / "holidays" / "bad.json").write_text(
        '{"year": 2027, "days": [{"name": "元旦", "date": "2027-1-1", "isOffDay": true}]}',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.errors == [
        f"{path}: calendars.office.schedules[0]: {tmp_path / 'holidays' / 'bad.json'}: "
        "days[0].date: expected YYYY-MM-DD, got '2027-1-1'"
    ]


def test_config_always_preset_rejects_schedules(tmp_path: Path) -> None:
    path = write_config(tmp_path, 'schedules = ["holidays/2027.json"]', preset="always")
    with pytest.raises(ConfigError, match="calendars.office: schedules apply to the china"):
        load_config(path, PluginHost.create())


def test_provisional_and_file_years_share_the_interval_table() -> None:
    """A loaded or provisional year is built into the table once, not looked up per ticket."""
    cal = BusinessCalendar.china(schedules=[read_schedule(JSON_2027)])
    before = provisional_schedule.cache_info()
    starts = np.array(["2027-09-30T01:00", "2028-10-01T00:00"] * 50_000, dtype="datetime64[s]")
    ends = starts + np.timedelta64(20, "D")
    seconds = cal.business_seconds_many(starts, ends)
    after = provisional_schedule.cache_info()
    assert after.misses - before.misses <= 2  # 2028 and 2029 (2026 shipped, 2027 the file)
    assert after.hits - before.hits < 2_000  # once per day of the table, not per ticket
    utc = (datetime(2027, 9, 30, 1, tzinfo=UTC), datetime(2027, 10, 20, 1, tzinfo=UTC))
    # Thu 30 Sep 09:00 (Shanghai) to Wed 20 Oct 09:00 with the file: 30 Sep, 8 Oct, the
    # make-up Saturday 9 Oct, 11-15 Oct and 18-19 Oct are full days (1-7 Oct off)
    assert seconds[0] == cal.business_seconds(*utc) == 10 * 27_000


@settings(max_examples=80, deadline=None)
@given(
    st.integers(0, 3 * 365 * 24 * 60),
    st.integers(0, 40 * 24 * 60),
    st.integers(0, 30 * 27_000),
)
def test_file_and_provisional_years_match_the_reference(
    start_min: int, span_min: int, seconds: int
) -> None:
    """2026 shipped, 2027 from the file, 2028 provisional: against plain per-day loops fed
    with the file read by ``json`` and the ``holidays`` package for 2028."""
    start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=start_min)
    end = start + timedelta(minutes=span_min)
    assert FILED.business_seconds(start, end) == FILED_REF.business_seconds(start, end)
    assert FILED.add_business_seconds(start, seconds) == FILED_REF.add_business_seconds(
        start, seconds
    )


def _filed_reference() -> RefCalendar:
    holidays, workdays = china_data()
    later = {d for d in china_later_holidays() if d.year != 2027}
    for day, (off, _) in plain_days(JSON_2027).items():
        (holidays if off else workdays).add(day)
    return RefCalendar(holidays=holidays | later, workdays=workdays)


FILED = BusinessCalendar.china(schedules=[read_schedule(JSON_2027)])
FILED_REF = _filed_reference()
