"""Turn a configured source into Parquet (``itsskit convert``), with its findings.

The records are written in their Arrow form (:mod:`itsskit.columnar.arrow`);
tickets and surveys as a dataset partitioned by project (hive folders
``project=<id>/part-0.parquet``; records without a project under
``project=__HIVE_DEFAULT_PARTITION__``), outages and changes as one
``part-0.parquet``. The folder is written beside its final place and renamed
into it when complete, so a failed conversion leaves nothing half-written.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import attrs

from itsskit.collect import duplicate_finding, read_source
from itsskit.config import Config, ConfigError
from itsskit.contracts import Record
from itsskit.models import DataQualityFinding
from itsskit.plugins import PluginHost

__all__ = ["Conversion", "PARTITIONED_KINDS", "convert_source"]

#: Record kinds written partitioned by project (the others have no project).
PARTITIONED_KINDS = ("tickets", "surveys")


@attrs.frozen(kw_only=True)
class Conversion:
    """A converted source: where it went, how many records, the files, the findings."""

    source: str
    kind: str
    out: Path
    records: int
    files: tuple[Path, ...]
    findings: tuple[DataQualityFinding, ...]


def convert_source(config: Config, source_name: str, out: Path, *, host: PluginHost) -> Conversion:
    """Read source ``source_name`` once and write its records as Parquet into folder ``out``.

    ``out`` must not exist or be an empty folder. Rows that cannot be used are
    findings, as in ``itsskit sources check`` (a repeated id too: the first
    record is kept). Raises :class:`ConfigError` for an unknown source or a bad
    ``out``, and what :func:`itsskit.collect.read_source` raises.
    """
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ConfigError([f"--out {out}: exists; expected a new or empty folder"])
    if source_name not in config.sources:
        read_source(config, source_name, host)  # raises the usual unknown-source error
    records, findings = _read_unique(config, source_name, host)
    kind = config.sources[source_name].kind
    timezone = config.source_context(source_name).timezone
    partial = out.with_name(f".{out.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        _write(kind, records, timezone, partial)
        if out.exists():
            out.rmdir()
        partial.rename(out)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return Conversion(
        source=source_name,
        kind=kind,
        out=out,
        records=len(records),
        files=tuple(sorted(out.rglob("*.parquet"))),
        findings=tuple(findings),
    )


def _read_unique(
    config: Config, source_name: str, host: PluginHost
) -> tuple[list[Record], list[DataQualityFinding]]:
    """The source's records (each id once) and findings, in the order read."""
    records: list[Record] = []
    findings: list[DataQualityFinding] = []
    ids: set[str] = set()
    for item in read_source(config, source_name, host):
        if not isinstance(item, DataQualityFinding) and item.id in ids:
            item = duplicate_finding(item, source_name)
        if isinstance(item, DataQualityFinding):
            findings.append(item)
        else:
            ids.add(item.id)
            records.append(item)
    return records, findings


def _write(kind: str, records: list[Record], timezone: str, folder: Path) -> None:
    import pyarrow.parquet as pq  # loaded only when converting

    from itsskit.columnar.arrow import records_to_table

    table = records_to_table(kind, records, timezone)
    folder.mkdir(parents=True)
    if kind in PARTITIONED_KINDS and len(table):
        pq.write_to_dataset(
            table, folder, partition_cols=["project"], basename_template="part-{i}.parquet"
        )
    else:
        pq.write_table(table, folder / "part-0.parquet")
