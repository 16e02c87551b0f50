"""Outputs stay inert: Markdown shows HTML from the data as text; CSV cells never run as formulas."""

from __future__ import annotations

import csv
import functools
import io
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from itsskit.builtin.renderers import HtmlRenderer, MarkdownRenderer, md_cell
from itsskit.cli import main
from itsskit.inert import FORMULA_STARTS, spreadsheet_cell, spreadsheet_row
from itsskit.models import Report
from test_renderers import sample_report as draw_sample_report

sample_report = functools.cache(draw_sample_report)

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    "<a href='javascript:alert(3)'>x</a>",
    "<iframe src=//evil.example>",
]


def hostile_report() -> Report:
    """The sample report with HTML in every kind of text a template writes."""
    report = sample_report()
    first, *rest = report.sections
    tables = tuple(
        (header, *((*row[:-1], HOSTILE[index % len(HOSTILE)]) for index, row in enumerate(body)))
        for header, *body in first.tables
    )
    section = attrs.evolve(
        first, title=HOSTILE[0], paragraphs=(HOSTILE[1], f"a\n{HOSTILE[2]}"), tables=tables
    )
    spec = attrs.evolve(report.spec, title=HOSTILE[3], author=HOSTILE[0])
    return attrs.evolve(report, spec=spec, sections=(section, *rest))


def test_markdown_shows_html_from_data_as_text() -> None:
    text = MarkdownRenderer().render(hostile_report()).decode()
    for tag in ("<script", "<img", "<iframe", "<a href"):
        assert tag not in text
    assert "# &lt;iframe src=//evil.example&gt;" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert '&lt;img src=x onerror="alert(2)"&gt;' in text
    assert '<a id="s1-kpis"></a>' in text  # the template's own HTML stays


def test_html_escapes_data_too() -> None:
    text = HtmlRenderer().render(hostile_report()).decode()
    for tag in ("<script", "<img src=x", "<iframe", "<a href='javascript"):
        assert tag not in text


def test_markdown_data_cannot_make_a_link_or_an_image() -> None:
    from itsskit.builtin.renderers import md_text

    assert md_text("[click](javascript:alert(1))") == "[click]\\(javascript:alert(1))"
    assert md_text("![x](http://evil.example/p.png)") == "![x]\\(http://evil.example/p.png)"
    assert md_text("[to be filled in]") == "[to be filled in]"  # brackets alone stay


def test_md_cell_escapes_pipes_backslashes_newlines_and_html() -> None:
    assert md_cell("a|b\\c\n<b>d</b>") == "a\\|b\\\\c<br>&lt;b&gt;d&lt;/b&gt;"


# ---------------------------------------------------------------------- CSV


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+1+1", "'+1+1"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-5", "-5"),
        ("+1.5e3", "+1.5e3"),
        ("-.5", "-.5"),
        ("INC0001", "INC0001"),
        ("", ""),
        (-5, -5),
        (-2.5, -2.5),
        (None, None),
    ],
)
def test_spreadsheet_cell(value: object, cell: object) -> None:
    assert spreadsheet_cell(value) == cell


@given(st.text())
def test_spreadsheet_cells_never_start_a_formula(text: str) -> None:
    cell = spreadsheet_cell(text)
    assert isinstance(cell, str)
    if cell != text:
        assert cell == "'" + text and text.startswith(FORMULA_STARTS)
    else:
        assert not text.startswith(FORMULA_STARTS) or float(text) == float(text)
    buffer = io.StringIO()
    csv.writer(buffer).writerow(spreadsheet_row([text, -1, 2.5]))
    assert next(csv.reader(io.StringIO(buffer.getvalue()))) == [cell, "-1", "2.5"]


CONFIG = """\
[calendars.always]
preset = "always"

[slas.gold]
calendar = "always"
[slas.gold.targets.resolution]
P1 = "4h"

[sources.tickets]
plugin = "csv"
kind = "tickets"
path = "tickets.csv"

[projects.alpha]
sla = "gold"
sources = ["tickets"]
"""

TICKETS = """\
id,opened,priority,resolved
"=HYPERLINK(""http://evil.example"",""click"")",2025-10-09T09:00:00+08:00,P1,2025-10-09T10:00:00+08:00
@SUM(A1:A2),2025-10-09T09:00:00+08:00,P1,2025-10-09T15:00:00+08:00
-2+3,2025-10-09T09:00:00+08:00,P1,
-7,2025-10-09T09:00:00+08:00,P1,2025-10-09T09:30:00+08:00
"""


def test_sla_evaluate_csv_neutralises_formulas_and_keeps_numbers(tmp_path: Path) -> None:
    (tmp_path / "tickets.csv").write_text(TICKETS, encoding="utf-8")
    config = tmp_path / "itsskit.toml"
    config.write_text(CONFIG, encoding="utf-8")
    out = tmp_path / "clocks.csv"
    result = CliRunner().invoke(
        main,
        ["sla", "evaluate", str(config), "--project", "alpha", "--at",
         "2025-10-09T12:00:00+08:00", "--output", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:5] == ["ticket_id", "priority", "metric", "target_seconds", "elapsed_seconds"]
    by_id = {row[0]: row for row in rows[1:]}
    assert sorted(by_id) == [
        "'-2+3",
        '\'=HYPERLINK("http://evil.example","click")',
        "'@SUM(A1:A2)",
        "-7",
    ]
    assert by_id["-7"][3:6] == ["14400", "1800", "met"]
    assert by_id["'-2+3"][3:6] == ["14400", "10800", "in_progress"]
    assert by_id["'@SUM(A1:A2)"][3:6] == ["14400", "10800", "in_progress"]  # resolved after --at


@settings(max_examples=25)
@given(st.text(min_size=1).filter(lambda text: text.strip() == text and "\r" not in text))
def test_data_is_never_run_as_a_template(text: str) -> None:
    """Text in the data (Jinja syntax included) is written as text, never evaluated."""
    report = sample_report()
    section = attrs.evolve(
        report.sections[0], paragraphs=(text, "{{ 7 * 7 }}{% if 1 %}x{% endif %}")
    )
    report = attrs.evolve(report, sections=(section, *report.sections[1:]))
    markdown = MarkdownRenderer().render(report).decode()
    assert "\n" + text.replace("<", "&lt;").replace(">", "&gt;") + "\n" in markdown
    assert "\n{{ 7 * 7 }}{% if 1 %}x{% endif %}\n" in markdown


def test_docx_replaces_characters_xml_cannot_hold() -> None:
    from docx import Document

    from itsskit.builtin.renderers import DocxRenderer

    report = sample_report()
    first = report.sections[0]
    header, *body = first.tables[0]
    body[0] = (body[0][0] + "\x0b\x00x", *body[0][1:])
    section = attrs.evolve(
        first, paragraphs=("bell\x07 and nul\x00",), tables=((header, *body), *first.tables[1:])
    )
    report = attrs.evolve(report, sections=(section, *report.sections[1:]))
    document = Document(io.BytesIO(DocxRenderer().render(report)))
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert "bell\ufffd and nul\ufffd" in texts
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert body[0][0].replace("\x0b", "\ufffd").replace("\x00", "\ufffd") in cells
