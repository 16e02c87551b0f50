"""Hostile report templates (docx, HTML, Markdown): nothing escapes the sandbox.

Each probe is a template a user could hand to ``itsskit report build --template``.
A probe that reaches a library object, a file or Python internals, asks for
another template, runs too long or builds too much must fail with one
:class:`ReportTemplateError` line naming the template, and leave no file behind.

The time and size probes run in a child process with a memory cap and a
timeout, so that a sandbox without limits fails the test instead of hanging
the run or filling the machine's memory.
"""

from __future__ import annotations

import functools
import io
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from markupsafe import Markup

from itsskit.builtin.renderers import DocxRenderer, HtmlRenderer, JsonRenderer, MarkdownRenderer
from itsskit.report.context import ReportTemplateError, report_context
from test_renderers import sample_report as draw_sample_report

#: The sample report of the renderer tests, drawn once (its charts take a while).
sample_report = functools.cache(draw_sample_report)
RENDERERS = {"docx": DocxRenderer, "html": HtmlRenderer, "markdown": MarkdownRenderer}
SUFFIX = {"docx": ".docx", "html": ".html.j2", "markdown": ".md.j2"}


def write_template(folder: Path, kind: str, text: str, name: str = "evil") -> Path:
    """A template of ``kind`` whose only content is ``text`` (one paragraph in Word)."""
    path = folder / f"{name}{SUFFIX[kind]}"
    if kind == "docx":
        document = Document()
        document.add_paragraph(text)
        document.save(str(path))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def render(kind: str, template: Path, **limits: Any) -> bytes:
    from itsskit.report.sandbox import TemplateLimits

    renderer = RENDERERS[kind](TemplateLimits(**limits)) if limits else RENDERERS[kind]()
    return renderer.render(sample_report(), template=template)


# ------------------------------------------------ docx: the live DocxTemplate

#: Routes from the documented docx context to docxtpl / python-docx objects.
#: ``{out}`` is a path the probe tries to write; ``{secret}`` a file it tries to read.
DOCX_ROUTES = [
    "{{{{ sections[0].tables[0].grid.tpl.save('{out}') }}}}",
    "{{{{ sections[0].tables[0].grid.save('{out}') }}}}",
    "{{{{ sections[0].tables[0].grid.subdocx.save('{out}') }}}}",
    "{{{{ sections[0].tables[0].grid.docx.save('{out}') }}}}",
    "{{{{ sections[0].charts[0].image.tpl.write_xml('{out}') }}}}",
    "{{{{ sections[0].charts[0].image.tpl.docx.save('{out}') }}}}",
    "{{{{ sections[0].tables[0].grid.tpl.replace_zipname('word/document.xml', '{secret}') }}}}",
    "{{{{ sections[0].charts[0].image.tpl.replace_media('{secret}', '{secret}') }}}}",
]


@pytest.mark.parametrize("route", DOCX_ROUTES)
def test_docx_template_cannot_reach_the_document_objects(tmp_path: Path, route: str) -> None:
    out = tmp_path / "site-packages" / "evil.pth"
    out.parent.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE", encoding="utf-8")
    template = write_template(tmp_path, "docx", route.format(out=out, secret=secret))
    with pytest.raises(ReportTemplateError) as caught:
        render("docx", template)
    message = str(caught.value)
    assert message.startswith(f"docx template {template}, line ")
    assert "has no attribute" in message and "\n" not in message
    assert list(out.parent.iterdir()) == []


def test_docx_context_holds_drawn_xml_not_objects(tmp_path: Path) -> None:
    template = write_template(
        tmp_path,
        "docx",
        "{{ sections[0].tables[0].grid.__class__ }}{{ sections[0].charts|length }}",
    )
    with pytest.raises(ReportTemplateError, match="unsafe"):
        render("docx", template)
    # what the template sees: plain data, plus two kinds of ready-made XML strings
    probe = write_template(
        tmp_path,
        "docx",
        "{{ sections[0].tables[0].grid is string }}/{{ sections[0].charts[0].image is string }}",
        name="probe",
    )
    document = Document(io.BytesIO(render("docx", probe)))
    assert document.paragraphs[0].text == "True/True"


@pytest.mark.parametrize("where", ["body", "header"])
def test_docx_template_writing_broken_xml_is_one_line(tmp_path: Path, where: str) -> None:
    document = Document()
    text = "{{ sections[0].tables[0].grid[:7] }}"  # half a table: not XML any more
    if where == "body":
        document.add_paragraph(text)
    else:
        document.sections[0].header.paragraphs[0].text = text
    template = tmp_path / "broken.docx"
    document.save(str(template))
    with pytest.raises(ReportTemplateError) as caught:
        render("docx", template)
    message = str(caught.value)
    assert message.startswith(f"docx template {template}: the rendered document is not valid")
    assert "\n" not in message


def test_shipped_docx_still_draws_tables_and_charts() -> None:
    document = Document(io.BytesIO(DocxRenderer().render(sample_report())))
    assert len(document.tables) >= 2  # the cover table and the drawn KPI grid
    kpi_rows = [[cell.text for cell in row.cells] for row in document.tables[-2].rows]
    assert any("99.21%" in row for row in kpi_rows)
    assert len(document.inline_shapes) == len(sample_report().sections[0].charts) + sum(
        len(section.charts) for section in sample_report().sections[1:]
    )


# -------------------------------------------------- any format: Python internals

INTERNALS = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ report.__class__.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ self.__init__.__globals__ }}",
    "{{ lipsum.__globals__.os.popen('id').read() }}",
    "{{ range.__self__ }}",
    "{{ ''|attr('__class__') }}",
    "{{ '{0.__class__.__mro__}'.format('') }}",
    "{{ '%s'|format(''.__class__) }}",
    "{{ ''.format_map.__self__.__class__ }}",
    "{{ (sections|first).__class__.__base__.__subclasses__() }}",
    "{% set x = sections.append(1) %}",
    "{% set x = labels.update({'a': 1}) %}",
    "{{ labels.pop('to') }}",
    "{{ config }}{{ request }}{{ os }}",
]


@pytest.mark.parametrize("kind", ["docx", "html", "markdown"])
@pytest.mark.parametrize("probe", INTERNALS)
def test_templates_cannot_reach_python_internals(tmp_path: Path, kind: str, probe: str) -> None:
    template = write_template(tmp_path, kind, probe)
    with pytest.raises(ReportTemplateError) as caught:
        render(kind, template)
    message = str(caught.value)
    assert message.startswith(f"{kind} template {template}, line ")
    assert "\n" not in message


@pytest.mark.parametrize("kind", ["docx", "html", "markdown"])
@pytest.mark.parametrize(
    "probe",
    [
        "{% include '/etc/passwd' %}",
        "{% include '../../../../etc/passwd' %}",
        "{% import 'macros.j2' as m %}",
        "{% from 'macros.j2' import x %}",
        "{% extends 'base.j2' %}",
        "{% include ['a', 'b'] ignore missing %}x",
    ],
)
def test_templates_cannot_include_other_files(tmp_path: Path, kind: str, probe: str) -> None:
    (tmp_path / "macros.j2").write_text("{% macro x() %}LEAK{% endmacro %}", encoding="utf-8")
    (tmp_path / "base.j2").write_text("LEAK", encoding="utf-8")
    template = write_template(tmp_path, kind, probe)
    with pytest.raises(ReportTemplateError, match=r"include/import/extends .* is not allowed"):
        render(kind, template)


# --------------------------------------------------------- errors: one line


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("ok\n{% if %}\n", 2, "Expected an expression"),
        ("a\nb\n{{ 1 / 0 }}\n", 3, "ZeroDivisionError: division by zero"),
        ("{{ report.title }}\n{{ report.titel }}", 2, "has no attribute 'titel'"),
        ("{% for x in sections %}\n{{ x.nope }}\n{% endfor %}", 2, "has no attribute 'nope'"),
        ("{% macro f() %}{{ f() }}{% endmacro %}\n{{ f() }}", 1, "too deeply nested"),
    ],
)
def test_template_errors_are_one_line_with_the_line(
    tmp_path: Path, text: str, line: int, reason: str
) -> None:
    template = write_template(tmp_path, "html", text)
    with pytest.raises(ReportTemplateError) as caught:
        render("html", template)
    message = str(caught.value)
    assert message.startswith(f"html template {template}, line {line}: ")
    assert reason in message and "\n" not in message


def test_docx_error_quotes_the_paragraph(tmp_path: Path) -> None:
    document = Document()
    document.add_paragraph("Title {{ report.title }}")
    document.add_paragraph("Broken {{ report.nope }} here")
    template = tmp_path / "mine.docx"
    document.save(str(template))
    with pytest.raises(ReportTemplateError) as caught:
        render("docx", template)
    assert "(Broken {{ report.nope }} here): " in str(caught.value)


@pytest.mark.parametrize("content", [b"not a zip", b"PK\x03\x04 broken zip", b""])
def test_docx_template_that_is_no_word_document_is_named(tmp_path: Path, content: bytes) -> None:
    template = tmp_path / "fake.docx"
    template.write_bytes(content)
    with pytest.raises(ReportTemplateError, match=r"fake\.docx: not a Word \(\.docx\) document"):
        render("docx", template)


def test_non_utf8_text_template_is_named(tmp_path: Path) -> None:
    template = tmp_path / "latin.html.j2"
    template.write_bytes("caf\xe9 {{ report.title }}".encode("latin-1"))
    with pytest.raises(ReportTemplateError, match=r"latin\.html\.j2: not UTF-8 text"):
        render("html", template)


# ------------------------------------------------------------- the context


def test_context_is_plain_data_only() -> None:
    def walk(value: Any, where: str) -> None:
        assert type(value) in (str, int, float, bool, list, dict, type(None)), where
        if isinstance(value, dict):
            for key, item in value.items():
                assert type(key) is str
                walk(item, f"{where}.{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{where}[{index}]")

    context = report_context(sample_report())
    walk(context, "context")
    assert json.loads(json.dumps(context)) == context


def test_plain_refuses_objects() -> None:
    from itsskit.report.context import plain

    assert plain({"a": (1, "x", None, [2.5, True])}) == {"a": [1, "x", None, [2.5, True]]}
    with pytest.raises(TypeError, match=r"context\.a\[1\]: Markup is not plain data"):
        plain({"a": [1, Markup("<b>")]})
    with pytest.raises(TypeError, match="Path is not plain data"):
        plain({"a": Path("/")})


def test_ordinary_user_templates_keep_working(tmp_path: Path) -> None:
    """Templates that only read data (loops, namespace, cycler, filters) are unaffected."""
    text = textwrap.dedent(
        """\
        {% set ns = namespace(total=0) %}{% set rows = cycler('odd', 'even') %}
        {% for section in sections %}{% set ns.total = ns.total + section.tables|length %}
        {{ rows.next() }} {{ "%02d"|format(section.number) }} {{ section.title|upper }}
        {% endfor %}
        tables={{ ns.total }} big={{ "{:,}".format(12345678901234) }} {{ 2 ** 10 }}
        {{ figures.sla_attainment.value * 100 }} {{ (report.title ~ '!') * 2 }}
        """
    )
    template = write_template(tmp_path, "markdown", text)
    out = render("markdown", template).decode()
    assert "odd 01 " in out and "even 02 " in out
    assert "big=12,345,678,901,234 1024" in out
    assert "tables=" in out


# -------------------------------------------- time and size: in a child process

CHILD = """
import json, resource, sys, time
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
from itsskit.builtin import renderers
from itsskit.converter import converter
from itsskit.models import Report
report = converter.structure(json.loads(Path(sys.argv[1]).read_text()), Report)
try:
    from itsskit.report.sandbox import TemplateLimits
    options = TemplateLimits(seconds=float(sys.argv[2]))
except ImportError:  # a version without limits: render anyway
    options = None
classes = {"docx": renderers.DocxRenderer, "html": renderers.HtmlRenderer,
           "markdown": renderers.MarkdownRenderer}
for kind, template in json.loads(sys.argv[3]):
    start = time.monotonic()
    try:
        data = classes[kind](options).render(report, template=Path(template))
        outcome = f"rendered {len(data)} bytes"
    except BaseException as exc:
        outcome = f"{type(exc).__name__}: {exc}"[:500]
    print(json.dumps([template, outcome, time.monotonic() - start]), flush=True)
"""


def run_in_child(tmp_path: Path, probes: dict[str, tuple[str, str]], seconds: float) -> dict:
    """Render each ``name: (kind, text)`` probe in one child; name -> (outcome, seconds)."""
    report = tmp_path / "report.json"
    report.write_bytes(JsonRenderer().render(sample_report()))
    paths = {
        name: str(write_template(tmp_path, kind, text, name=f"probe{index}"))
        for index, (name, (kind, text)) in enumerate(probes.items())
    }
    pairs = [(probes[name][0], path) for name, path in paths.items()]
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(report), str(seconds), json.dumps(pairs)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        lines = done.stdout
    except subprocess.TimeoutExpired as expired:
        lines = expired.stdout.decode() if isinstance(expired.stdout, bytes) else ""
    results = {path: (outcome, took) for path, outcome, took in map(json.loads, lines.splitlines())}
    return {name: results.get(path, ("never finished", 120.0)) for name, path in paths.items()}


TIME_PROBES = {
    "nested loops": (
        "html",
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    ),
    "loops writing nothing": (
        "markdown",
        "{% for i in range(100000) %}{% for j in range(100000) %}{{ '' }}{% endfor %}{% endfor %}",
    ),
    "macro fan-out": (
        "html",
        "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}"
        "{{ f(60) }}",
    ),
    "docx loops": (
        "docx",
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    ),
}


@pytest.fixture(scope="module")
def timed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return run_in_child(tmp_path_factory.mktemp("timed"), TIME_PROBES, seconds=1.0)


@pytest.mark.parametrize("name", TIME_PROBES)
def test_a_slow_template_stops_at_the_time_limit(timed: dict, name: str) -> None:
    outcome, took = timed[name]
    assert outcome.startswith("ReportTemplateError: ")
    assert "probe" in outcome and "stopped after the time limit of 1 s" in outcome
    assert took < 10


SIZE_PROBES = {
    "string repeat": ("html", "{{ 'x' * 10**9 }}"),
    "list repeat": ("html", "{{ ([1] * 10**9)|length }}"),
    "huge power": ("html", "{{ 10 ** (10 ** 10) }}"),
    "center filter": ("html", "{{ 'x'|center(10**9) }}"),
    "ljust method": ("markdown", "{{ 'x'.ljust(10**9) }}"),
    "percent width": ("html", "{{ '%0999999999d' % 1 }}"),
    "format width": ("html", "{{ '{:>999999999}'.format(1) }}"),
    "format filter": ("html", "{{ '%*s'|format(999999999, 'x') }}"),
    "doubling": (
        "html",
        "{% set ns = namespace(s='x') %}{% for i in range(40) %}"
        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
    ),
    "replace": ("html", "{{ ('x' * 1000000).replace('', 'y' * 1000) }}"),
    "join": ("html", "{{ ('y' * 1000000).join(range(100000)|map('string')|list) }}"),
    "indent": ("html", "{{ ('a\\n' * 100000)|indent(100000) }}"),
    "join generator": ("html", "{{ range(100000)|map('string')|join('x' * 1000000) }}"),
    "batch fill": ("html", "{{ range(3)|batch(10**9, 'x')|list|length }}"),
    "macro doubling": (
        "html",
        "{% macro d(s, n) %}{% if n %}{{ d(s ~ s, n - 1) }}{% else %}{{ s|length }}{% endif %}"
        "{% endmacro %}{{ d('x', 40) }}",
    ),
    "shared references": ("html", "{{ ['x' * 1000000] * 1000 }}"),
    "shared references joined": ("html", "{{ (['x' * 1000000] * 1000)|join }}"),
    "dict of one big value": ("html", "{{ dict.fromkeys(range(100000), 'x' * 1000000) }}"),
    "accumulating list": (
        "html",
        "{% set ns = namespace(l=[]) %}{% for i in range(100000) %}"
        "{% set ns.l = ns.l + ['y' * 1000000] %}{% endfor %}{{ ns.l|length }}",
    ),
    "slice count": ("markdown", "{{ range(3)|slice(10**9)|list|length }}"),
    "output stream": ("markdown", "{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}"),
    "docx repeat": ("docx", "{{ 'x' * 10**9 }}"),
}


@pytest.fixture(scope="module")
def sized(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return run_in_child(tmp_path_factory.mktemp("sized"), SIZE_PROBES, seconds=30.0)


@pytest.mark.parametrize("name", SIZE_PROBES)
def test_a_huge_value_or_output_stops_at_the_size_limit(sized: dict, name: str) -> None:
    outcome, took = sized[name]
    assert outcome.startswith("ReportTemplateError: ")
    assert "probe" in outcome
    assert "size limit of 50,000,000 characters" in outcome or "limit of 65,536 bits" in outcome
    assert took < 10


def test_limits_are_renderer_options(tmp_path: Path) -> None:
    template = write_template(tmp_path, "html", "{% for i in range(1000) %}xxxxxxxxxx{% endfor %}")
    assert len(render("html", template)) == 10_000
    with pytest.raises(ReportTemplateError, match="output would exceed the size limit of 5,000"):
        render("html", template, max_chars=5_000)
    slow = write_template(tmp_path, "html", "{% for i in range(100000) %}{% endfor %}" * 50, "slow")
    start = time.monotonic()
    with pytest.raises(ReportTemplateError, match=r"time limit of 0\.05 s"):
        render("html", slow, seconds=0.05)
    assert time.monotonic() - start < 5
    from itsskit.report.sandbox import TemplateLimits

    with pytest.raises(ValueError, match="seconds must be > 0"):
        TemplateLimits(seconds=0)


# ----------------------------------------------------------------- the CLI

CONFIG = """\
[calendars.office]
preset = "china"

[slas.gold]
calendar = "office"
[slas.gold.targets.resolution]
P1 = "4h"

[sources.tickets]
plugin = "csv"
kind = "tickets"
path = "tickets.csv"

[projects.alpha]
sla = "gold"
sources = ["tickets"]

[reports.alpha-monthly]
project = "alpha"
title = "T"
template = "{template}"
"""


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("evil.html.j2", "{{ ''.__class__.__mro__ }}"),
        ("evil.docx", "{{ sections[0].tables[0].grid.tpl.save('pwned.docx') }}"),
        ("typo.html.j2", "<p>\n{% for x in sections %}\n{{ x.nope }}\n{% endfor %}"),
    ],
)
def test_cli_template_failure_is_one_line_and_exit_1(
    tmp_path: Path, name: str, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from itsskit.cli import main

    kind = "docx" if name.endswith(".docx") else "html"
    template = write_template(tmp_path, kind, text, name=name.split(".")[0])
    (tmp_path / "tickets.csv").write_text(
        "id,opened,priority,resolved\nT1,2025-10-09T09:00,P1,2025-10-09T10:00\n", encoding="utf-8"
    )
    config = tmp_path / "itsskit.toml"
    config.write_text(CONFIG.format(template=template.name), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    args = ["report", "build", str(config), "--project", "alpha", "--period", "2025-10"]
    result = CliRunner().invoke(main, [*args, "--format", kind, "--out", str(out)])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {kind} template {template}, line ")
    assert "Traceback" not in result.output
    assert not (tmp_path / "pwned.docx").exists()
    assert not out.exists() or list(out.iterdir()) == []


def test_output_render_passes_limits_to_the_template_renderers(tmp_path: Path) -> None:
    from itsskit.report.output import render as render_files
    from itsskit.report.sandbox import TemplateLimits

    template = write_template(tmp_path, "html", "{% for i in range(1000) %}xxxxxxxxxx{% endfor %}")
    out = tmp_path / "out"
    written = render_files(sample_report(), "html", out, template=template)
    assert written["html"].stat().st_size == 10_000
    with pytest.raises(ReportTemplateError, match="size limit of 5,000 characters"):
        render_files(
            sample_report(), "html", out, template=template, limits=TemplateLimits(max_chars=5_000)
        )
    json_only = render_files(sample_report(), "json", out, limits=TemplateLimits(max_chars=5_000))
    assert json_only["json"].stat().st_size > 5_000  # JSON has no template, no limits
