"""The one wording catalogue: every domain merged, the same keys in every language."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from itsskit.config import load_config
from itsskit.contracts import Registry, SectionBuilder
from itsskit.hookspecs import hookimpl
from itsskit.kpis import KpiResult, format_value
from itsskit.models import LANGUAGES, Section
from itsskit.plugins import PluginHost
from itsskit.report.builder import build_report
from itsskit.wording import DOMAINS, TEXTS, Texts, check_phrases

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo" / "itsskit.toml"
AT = datetime(2025, 11, 5, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_every_language_has_the_same_keys() -> None:
    keys = [set(TEXTS[language]) for language in LANGUAGES]
    assert all(k == keys[0] for k in keys)
    assert all(TEXTS[language][key] for language in LANGUAGES for key in keys[0])


def test_the_catalogue_is_the_union_of_distinct_domains() -> None:
    sizes = [len(domain.ZH) for domain in DOMAINS]
    assert len(TEXTS["zh-CN"]) == sum(sizes)  # no key is claimed by two domains
    for domain in DOMAINS:
        assert set(domain.ZH) == set(domain.EN), domain.__name__


def test_phrases_that_differ_between_languages_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match="mine: languages differ in keys: b"):
        check_phrases({"zh-CN": {"a": "甲", "b": "乙"}, "en": {"a": "A"}}, "mine")
    with pytest.raises(ValueError, match="mine: no wording for en"):
        check_phrases({"zh-CN": {"a": "甲"}}, "mine")


def test_extended_texts_find_plugin_phrases_and_keep_the_catalogue() -> None:
    texts = Texts("en").extended({"zh-CN": {"x.hi": "你好 {n}"}, "en": {"x.hi": "hi {n}"}})
    assert texts("x.hi", n=2) == "hi 2"
    assert texts("title.basic") == TEXTS["en"]["title.basic"]
    assert texts.has("x.hi") and not Texts("en").has("x.hi")


@given(st.floats(min_value=-10, max_value=10, allow_nan=False))
def test_one_percent_format(value: float) -> None:
    expected = f"{value * 100:.2f}%"
    assert Texts("zh-CN").percent(value) == expected
    assert Texts("en").percent(value) == expected
    assert format_value(KpiResult(name="k", value=value)) == expected


class GreetingSection(SectionBuilder):
    name = "greeting"
    order = 5
    phrases = {
        "zh-CN": {"greeting.title": "致辞", "greeting.text": "感谢{customer}的支持。"},
        "en": {"greeting.title": "Greeting", "greeting.text": "Thank you, {customer}."},
    }

    def build(self, context: object) -> Section:
        texts = context.texts  # type: ignore[attr-defined]
        customer = context.project.customer  # type: ignore[attr-defined]
        return Section(
            key="greeting",
            title=texts("greeting.title"),
            paragraphs=(texts("greeting.text", customer=customer),),
        )


class GreetingPlugin:
    name = "greeting-plugin"

    @hookimpl
    def register_sections(self, registry: Registry[SectionBuilder]) -> None:
        registry.add(GreetingSection)


@pytest.mark.parametrize(
    ("language", "title", "text"),
    [("zh-CN", "致辞", "感谢{}的支持。"), ("en", "Greeting", "Thank you, {}.")],
)
def test_a_plugin_section_brings_its_own_wording(language: str, title: str, text: str) -> None:
    host = PluginHost.create(entry_points=False, extra=[GreetingPlugin()])
    config = load_config(DEMO, host)
    report = build_report(config, "dianchi-monthly", "2025-10", host=host, at=AT, language=language)
    section = next(s for s in report.sections if s.key == "greeting")
    customer = config.project("dianchi").customer
    assert (section.title, section.paragraphs) == (title, (text.format(customer),))
