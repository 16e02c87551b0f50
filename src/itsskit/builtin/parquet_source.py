"""Built-in Parquet source, for every record kind: one file or a dataset folder.

A dataset folder is read whole, with hive partitions (``project=<id>/…``, as
``itsskit convert`` writes them): the partition value is the ``project`` column.
Columns are those of SPEC §9 (``docs/sources.md``), typed or as text; a ticket's
status history is its ``history`` list of ``{time, status}``. Rows are read in
Arrow batches and each becomes a record through :mod:`itsskit.records`, so
values, timezones (a timestamp without a zone is in the source's
``timezone``) and findings read exactly as in the CSV source. A finding's row
is the row's number in the file or dataset, counting from 1.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, ClassVar

import attrs

from itsskit.builtin.file_sources import check_unique_header
from itsskit.contracts import RECORD_KINDS, Record, Registry, Source, SourceContext
from itsskit.hookspecs import hookimpl
from itsskit.models import DataQualityFinding
from itsskit.records import (
    REQUIRED_COLUMNS,
    RowError,
    SourceError,
    cell_text,
    check_header,
    record_from_row,
    zone,
)

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.dataset as ds

__all__ = ["ParquetOptions", "ParquetSource", "partitioning"]

_BATCH_ROWS = 65_536


def partitioning() -> ds.Partitioning:
    """How a dataset folder is split: hive folders ``project=<id>``, the id read as text."""
    import pyarrow as pa  # loaded only when a Parquet source is read
    import pyarrow.dataset as ds

    return ds.partitioning(pa.schema([("project", pa.string())]), flavor="hive")


@attrs.frozen(kw_only=True)
class ParquetOptions:
    """``[sources.NAME]`` of ``plugin = "parquet"``: ``path`` (one ``.parquet`` file) or
    ``dataset`` (a folder of them, hive-partitioned by project or not)."""

    path: str | None = None
    dataset: str | None = None
    timezone: str = "Asia/Shanghai"
    columns: Mapping[str, str] = attrs.field(factory=dict)


class ParquetSource(Source):
    """Parquet file or hive-partitioned dataset folder, read in Arrow batches."""

    name: ClassVar[str] = "parquet"
    kinds: ClassVar[tuple[str, ...]] = RECORD_KINDS
    options_class: ClassVar[type[ParquetOptions]] = ParquetOptions
    options: ParquetOptions

    def __init__(self, options: ParquetOptions, context: SourceContext):
        super().__init__(options, context)
        self.timezone = zone(options.timezone)
        if (options.path is None) == (options.dataset is None):
            raise SourceError(
                f"{self.name} source {context.name!r}: expected either path (a .parquet file) "
                "or dataset (a folder), not both or neither"
            )
        self.where: str = options.path or options.dataset or ""

    def _dataset(self) -> ds.Dataset:
        import pyarrow as pa
        import pyarrow.dataset as ds

        path = self.context.resolve(self.where)
        wanted = "folder" if self.options.dataset is not None else "file"
        if not (path.is_dir() if wanted == "folder" else path.is_file()):
            raise SourceError(
                f"{self.name} source {self.context.name!r}: {wanted} not found: {path}"
            )
        try:
            dataset = ds.dataset(path, format="parquet", partitioning=partitioning())
        except (pa.ArrowInvalid, OSError) as error:
            raise SourceError(f"{path}: cannot be read as Parquet ({error})") from None
        names = dataset.schema.names
        check_header(
            names, REQUIRED_COLUMNS[self.context.kind], columns=self.options.columns, file=str(path)
        )
        check_unique_header(names, str(path))
        return dataset

    def read(self) -> Iterator[Record | DataQualityFinding]:
        import pyarrow as pa

        dataset = self._dataset()
        number = 0
        try:
            for batch in dataset.to_batches(batch_size=_BATCH_ROWS):
                for row in batch.to_pylist():
                    number += 1
                    yield self._record(row, number)
        except (pa.ArrowInvalid, OSError) as error:
            raise SourceError(
                f"{self.context.resolve(self.where)}: cannot be read as Parquet ({error})"
            ) from None

    def read_table(self) -> pa.Table | None:
        """The tickets as one Arrow table, when the host can use it as it is; else None.

        The columnar path (:mod:`itsskit.columnar.tickets`) takes the table
        only when :meth:`read` would give exactly its rows, unchanged and
        without a finding (:func:`itsskit.columnar.checks.canonical_tickets`),
        as ``itsskit convert`` writes them; otherwise the host reads records.
        """
        from itsskit.columnar.checks import canonical_tickets

        if self.context.kind != "tickets" or self.options.columns:
            return None
        return canonical_tickets(self._dataset().to_table())

    def _record(self, row: dict[str, object], number: int) -> Record | DataQualityFinding:
        row = {name: value for name, value in row.items() if value is not None}
        try:
            return record_from_row(
                self.context.kind, row, timezone=self.timezone, columns=self.options.columns
            )
        except RowError as error:
            record_id = cell_text(row.get(self.options.columns.get("id", "id")))
            return DataQualityFinding(
                record_id=record_id, reason=str(error), source=self.where, row=number
            )


def _register(registry: Registry[Source]) -> None:
    registry.add(ParquetSource)


@hookimpl
def register_ticket_sources(registry: Registry[Source]) -> None:
    _register(registry)


@hookimpl
def register_outage_sources(registry: Registry[Source]) -> None:
    _register(registry)


@hookimpl
def register_change_sources(registry: Registry[Source]) -> None:
    _register(registry)


@hookimpl
def register_survey_sources(registry: Registry[Source]) -> None:
    _register(registry)
