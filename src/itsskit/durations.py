"""SLA target durations written as text: ``"4h"``, ``"1h30m"``, ``"90s"``."""

from __future__ import annotations

import re

__all__ = ["MAX_DURATION", "format_duration", "parse_duration"]

#: The longest duration accepted: 87600h (ten years of round-the-clock hours).
MAX_DURATION = 87600 * 3600

_PART = re.compile(r"(\d+)([hms])")
_UNIT_SECONDS = {"h": 3600, "m": 60, "s": 1}


def parse_duration(text: str) -> int:
    """Seconds in a duration such as ``"4h"`` or ``"1h30m"`` (units h, m, s; no days).

    Days are refused because a business day is ambiguous; more than
    :data:`MAX_DURATION` is refused (it would overflow the clocks' arithmetic).
    Raises ``ValueError`` naming the text and what was expected.
    """
    compact = text.strip().replace(" ", "")
    expected = 'expected a duration like "15m", "4h" or "1h30m" (units h, m, s; no days)'
    if not compact or _PART.sub("", compact):
        raise ValueError(f"{text!r}: {expected}")
    parts = _PART.findall(compact)
    if any(len(number) > 12 for number, _ in parts):
        raise ValueError(f"{text[:40]!r}...: too long; expected at most {MAX_DURATION // 3600}h")
    units = [unit for _, unit in parts]
    if units != sorted(set(units), key="hms".index):
        raise ValueError(f"{text!r}: units must appear once each, in the order h, m, s")
    seconds = sum(int(number) * _UNIT_SECONDS[unit] for number, unit in parts)
    if seconds <= 0:
        raise ValueError(f"{text!r}: a target must be longer than zero")
    if seconds > MAX_DURATION:
        raise ValueError(
            f"{text!r}: too long; expected at most {MAX_DURATION // 3600}h (ten years)"
        )
    return seconds


def format_duration(seconds: int) -> str:
    """The compact text form of a number of seconds: ``5400 -> "1h30m"``."""
    if seconds == 0:
        return "0s"
    sign = "-" if seconds < 0 else ""
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    parts = [
        f"{value}{unit}" for value, unit in ((hours, "h"), (minutes, "m"), (secs, "s")) if value
    ]
    return sign + "".join(parts)
