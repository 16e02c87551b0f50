"""The one wording catalogue: every user-visible phrase, in every report language.

Phrases live in domain modules — :mod:`~itsskit.wording.report` (service
reports), :mod:`~itsskit.wording.quality` (quality documents),
:mod:`~itsskit.wording.slm` (service level management documents),
:mod:`~itsskit.wording.charts`, :mod:`~itsskit.wording.slm`, :mod:`~itsskit.wording.mail` (e-mail subject and body) — each with a ``ZH`` and an ``EN`` dict. They are
merged into :data:`TEXTS`, one mapping per language; a key is unique across the
domains and every language has exactly the same keys (checked at import and by
the tests). KPI names come from the KPI catalogue (:mod:`itsskit.kpis.catalogue`).

:class:`Texts` is the one way to turn keys and numbers into text for a language:
``texts("key", n=3)`` for a phrase, :meth:`Texts.percent`, :meth:`Texts.duration`,
:meth:`Texts.count` ... for numbers, so docx, HTML, Markdown and JSON show exactly
the same text. Plugin sections add their own phrases with :meth:`Texts.extended`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from types import MappingProxyType
from typing import Any

import attrs

from itsskit.kpis.results import format_percent
from itsskit.models import LANGUAGES
from itsskit.wording import charts, mail, quality, report, slm

__all__ = ["DOMAINS", "LANGUAGES", "NOT_APPLICABLE", "TEXTS", "Phrases", "Texts", "check_phrases"]

#: Phrases by language, then by key (a plugin's own wording has this shape too).
Phrases = Mapping[str, Mapping[str, str]]

#: The domains of the catalogue.
DOMAINS = (report, quality, charts, slm, mail)


def check_phrases(phrases: Phrases, owner: str) -> None:
    """Every language of :data:`LANGUAGES` has the same keys; a ValueError names ``owner``."""
    languages = [language for language in LANGUAGES if language not in phrases]
    if languages:
        raise ValueError(f"{owner}: no wording for {', '.join(languages)}")
    keys = [set(phrases[language]) for language in LANGUAGES]
    differing = sorted(set().union(*keys) - keys[0].intersection(*keys[1:]))
    if differing:
        raise ValueError(f"{owner}: languages differ in keys: {', '.join(differing)}")


def _merge() -> Mapping[str, Mapping[str, str]]:
    merged: dict[str, dict[str, str]] = {language: {} for language in LANGUAGES}
    for domain in DOMAINS:
        phrases = {"zh-CN": domain.ZH, "en": domain.EN}
        check_phrases(phrases, domain.__name__)
        taken = set(phrases["zh-CN"]) & set(merged["zh-CN"])
        if taken:
            raise ValueError(f"{domain.__name__}: keys already used elsewhere: {sorted(taken)}")
        for language in LANGUAGES:
            merged[language].update(phrases[language])
    return MappingProxyType({key: MappingProxyType(value) for key, value in merged.items()})


#: Every phrase of every domain, by language.
TEXTS: Mapping[str, Mapping[str, str]] = _merge()
#: Shown for a value that is not applicable (no data), by language.
NOT_APPLICABLE: Mapping[str, str] = {"zh-CN": "不适用", "en": "n/a"}


def _phrases(value: Phrases) -> Phrases:
    return MappingProxyType({language: dict(keys) for language, keys in value.items()})


@attrs.frozen
class Texts:
    """Wording and number formats of one report language."""

    language: str = attrs.field(validator=attrs.validators.in_(LANGUAGES))
    extra: Phrases = attrs.field(factory=dict, converter=_phrases, eq=False)

    def __call__(self, key: str, **values: Any) -> str:
        """The phrase ``key`` with ``values`` filled in."""
        return self._phrase(key).format(**values)

    def _phrase(self, key: str) -> str:
        extra = self.extra.get(self.language, {})
        return extra[key] if key in extra else TEXTS[self.language][key]

    def has(self, key: str) -> bool:
        """True when ``key`` is a known phrase."""
        return key in TEXTS[self.language] or key in self.extra.get(self.language, {})

    def extended(self, phrases: Phrases, owner: str = "plugin wording") -> Texts:
        """These texts plus ``phrases`` (a plugin's own keys, in every language)."""
        if not phrases:
            return self
        check_phrases(phrases, owner)
        merged = {
            language: {**self.extra.get(language, {}), **phrases[language]}
            for language in LANGUAGES
        }
        return Texts(self.language, merged)

    @property
    def na(self) -> str:
        """Shown for a value that is not applicable (empty set)."""
        return NOT_APPLICABLE[self.language]

    def percent(self, value: float | None) -> str:
        """A fraction as a percent with two decimals: ``0.955 -> "95.50%"``."""
        return self.na if value is None else format_percent(value)

    def target_percent(self, value: float) -> str:
        """A target fraction as the shortest exact percent: ``0.95 -> "95%"``, ``0.999 -> "99.9%"``."""
        return f"{value * 100:.2f}".rstrip("0").rstrip(".") + "%"

    def count(self, value: float | None) -> str:
        """A count as an integer."""
        return self.na if value is None else str(round(value))

    def score(self, value: float | None) -> str:
        """A mean 1-5 score with two decimals."""
        return self.na if value is None else f"{value:.2f}"

    def number(self, value: float | None, decimals: int = 1) -> str:
        """A plain number with ``decimals`` decimals."""
        return self.na if value is None else f"{value:.{decimals}f}"

    def duration(self, seconds: float | None) -> str:
        """Seconds as ``1小时30分`` / ``1h30m`` (rounded to the minute; seconds below a minute)."""
        if seconds is None:
            return self.na
        total = round(seconds)
        if abs(total) < 60:
            return self("unit.seconds", s=total)
        sign = "-" if total < 0 else ""
        hours, minutes = divmod(round(abs(total) / 60), 60)
        if not hours:
            return sign + self("unit.minutes", m=minutes)
        if not minutes:
            return sign + self("unit.hours", h=hours)
        return sign + self("unit.hours_minutes", h=hours, m=minutes)

    def signed(self, text: str, value: float) -> str:
        """``text`` prefixed with ``+`` when ``value`` is positive (changes between periods)."""
        return f"+{text}" if value > 0 and not text.startswith("-") else text

    def date(self, value: date | datetime) -> str:
        """A date: ``2025年10月31日`` / ``2025-10-31``."""
        return self("date", d=value)

    def datetime(self, value: datetime | None, timezone: tzinfo | None = None) -> str:
        """A local time ``YYYY-MM-DD HH:MM`` (converted to ``timezone`` when given)."""
        if value is None:
            return self.na
        if isinstance(timezone, tzinfo):
            value = value.astimezone(timezone)
        return value.strftime("%Y-%m-%d %H:%M")

    def join(self, items: list[str] | tuple[str, ...]) -> str:
        """Items joined the way the language lists them."""
        return self("list.sep").join(items)
