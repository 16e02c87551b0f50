"""Meta-tests: every hook is documented, every hook is exercised by a test, docs link up."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from itsskit import hookspecs

ROOT = Path(__file__).parents[1]
HOOKS = sorted(
    name
    for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
    if hasattr(function, "itsskit_spec")
)


def test_there_are_hooks_for_everything_the_spec_names() -> None:
    assert HOOKS == [
        "register_calendars",
        "register_change_sources",
        "register_channels",
        "register_kpis",
        "register_outage_sources",
        "register_renderers",
        "register_sections",
        "register_sources",
        "register_stores",
        "register_survey_sources",
        "register_ticket_sources",
    ]


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_docstring_and_a_docs_heading_with_its_signature(hook: str) -> None:
    function = getattr(hookspecs, hook)
    assert inspect.getdoc(function), hook
    signature = str(inspect.signature(function)).replace("'", "")
    headings = re.findall(r"^### `(.+)`$", (ROOT / "docs" / "plugins.md").read_text("utf-8"), re.M)
    assert f"{hook}{signature}" in headings


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_implemented_in_some_test(hook: str) -> None:
    tests = [  # the tests, and itsskit.testing whose fakes they register
        path
        for path in [
            *ROOT.glob("tests/test_*.py"),
            *ROOT.glob("plugins/*/tests/test_*.py"),
            ROOT / "src" / "itsskit" / "testing.py",
        ]
        if path.name != "test_docs.py"
    ]
    assert any(f"def {hook}(" in path.read_text("utf-8") for path in tests), hook


def test_every_doc_page_is_linked_from_the_index() -> None:
    index = (ROOT / "docs" / "index.md").read_text("utf-8")
    pages = sorted(path.name for path in (ROOT / "docs").glob("*.md") if path.name != "index.md")
    assert [page for page in pages if f"({page})" not in index] == []


def test_relative_links_in_the_docs_and_readme_resolve() -> None:
    broken = []
    for page in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text("utf-8")):
            if not (page.parent / target).exists():
                broken.append(f"{page.name} -> {target}")
    assert broken == []
