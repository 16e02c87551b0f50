"""Adversarial paths (issue 8, item 3): ids used in file names never lead outside their
folder. The config refuses such ids naming the key; a report built through the Python
API with any id still writes only inside ``--out``, the archive and the outbox."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from itsskit.builtin.channels import FolderChannel, FolderOptions
from itsskit.builtin.stores import FolderStore, FolderStoreOptions
from itsskit.cli import main
from itsskit.config import ConfigError, load_config
from itsskit.models import Report, ReportSpec, ReportStatus
from itsskit.periods import Period
from itsskit.report.output import render

#: The longest file name made from an id, in UTF-8 bytes (itsskit.files.MAX_NAME_BYTES).
MAX_NAME_BYTES = 120

HOSTILE = [
    "../escaped",
    "../../escaped",
    "..",
    ".",
    "",
    "/tmp/itsskit-absolute-escape",
    "a/b",
    "a\\b",
    "nul\x00byte",
    "new\nline",
    "CON",
    "nul.txt",
    "com1",
    "LPT9.docx",
    ".hidden",
    "trailing.",
    "with space",
    "x" * 300,
    "长" * 100,
    "C:\\Windows\\evil",
    "<script>?*|:",
]

BASE = """\
[calendars.always]
preset = "always"
timezone = "Asia/Shanghai"
[slas.gold]
calendar = "always"
[slas.gold.targets.response]
P1 = "15m"
"""


def config_with(tmp_path: Path, table: str, key: str) -> Path:
    """A config whose ``[table.KEY]`` (projects, reports or services) has a hostile key."""
    quoted = json.dumps(key)  # a TOML basic string: JSON escapes are TOML escapes here
    project = quoted if table == "projects" else '"alpha"'
    service = quoted if table == "services" else '"erp"'
    report = quoted if table == "reports" else '"alpha-monthly"'
    text = BASE + (
        f'[services.{service}]\nname = "ERP"\n'
        f'[projects.{project}]\nsla = "gold"\nservices = [{service}]\n'
        f"[reports.{report}]\nproject = {project}\n"
    )
    path = tmp_path / "itsskit.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("table", ["projects", "reports", "services"])
@pytest.mark.parametrize("key", [k for k in HOSTILE if k])
def test_an_id_that_is_no_safe_file_name_is_a_config_error_naming_the_key(
    tmp_path: Path, table: str, key: str
) -> None:
    path = config_with(tmp_path, table, key)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert (
        f"{path}: {table}.{json.dumps(key, ensure_ascii=False)}: the id is used in file names"
        in str(info.value)
    )
    result = CliRunner().invoke(main, ["report", "list", str(path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert (
        f"{table}.{json.dumps(key, ensure_ascii=False)}: the id is used in file names"
        in result.output
    )
    assert "\x00" not in result.output


@pytest.mark.parametrize(
    "key", ["alpha", "dianchi-monthly", "滇池_月报", "a.b", "cio@x.cn", "v1+2"]
)
def test_ordinary_ids_stay_valid(tmp_path: Path, key: str) -> None:
    for table in ("projects", "reports", "services"):
        assert load_config(config_with(tmp_path, table, key))


def hostile_report(report_id: str, project: str) -> Report:
    p = Period.parse("2025-10", "Asia/Shanghai")
    spec = ReportSpec(id=report_id, project=project, title="t", distribution=("x@y.cn",))
    return Report(
        id=report_id, project=project, spec=spec, period_label=p.label,
        period_start=p.start, period_end=p.end, generated=p.start,
        status=ReportStatus.REVIEWED, version=1,
    )  # fmt: skip


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("hostile", HOSTILE)
def test_api_built_reports_write_only_inside_their_folders(tmp_path: Path, hostile: str) -> None:
    """Render, archive and distribute a report whose ids are hostile: all stays in the roots."""
    root = tmp_path / "box"
    out, archive, outbox = root / "out", root / "archive", root / "outbox"
    report = hostile_report(hostile, hostile)
    written = render(report, "json,markdown", out)
    location = FolderStore(FolderStoreOptions(root=archive)).archive(report, written)
    FolderChannel(FolderOptions(root=outbox)).send(report, written, [hostile, "../" + hostile])
    everything = files_under(tmp_path)
    assert everything == files_under(root)  # nothing beside the box
    for path in everything:
        assert any(path.is_relative_to(r) for r in (out, archive, outbox)), path
        assert len(path.name.encode("utf-8")) <= MAX_NAME_BYTES + len(".manifest.json")
    assert {p.parent for p in written.values()} == {out}
    assert Path(location).parent.parent.parent == archive
    assert all(folder.is_dir() for folder in outbox.iterdir())  # one level: recipient folders
    assert not Path("/tmp/itsskit-absolute-escape").exists()
    assert not os.path.lexists(tmp_path / "escaped")


@given(st.text(max_size=400))
def test_safe_name_is_one_safe_component(text: str) -> None:
    from itsskit.files import is_safe_name, safe_name, safe_path

    name = safe_name(text)
    assert is_safe_name(name)
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES
    assert safe_name(name) == name
    root = Path("/srv/reports")
    assert safe_path(root, text, text).parent.parent == root
    assert name not in (".", "..") and "/" not in name and "\\" not in name and "\x00" not in name
    if is_safe_name(text):
        assert name == text


@given(st.text(max_size=60), st.text(max_size=60))
def test_different_ids_never_share_a_file_name(a: str, b: str) -> None:
    from itsskit.files import safe_name

    if a != b:
        assert safe_name(a) != safe_name(b)
