"""The ``prometheus`` outage source and its registration hook.

Configure it in the itsskit TOML file::

    [sources.monitoring]
    plugin = "prometheus"
    kind = "outages"
    url = "http://prometheus.example.com:9090"
    step = "1m"

    [sources.monitoring.queries.erp]
    expr = 'up{job="erp"} == 0'
    service = "erp"

Each query is read over the grid of :mod:`itsskit_prometheus.outages`, in
chunks of at most ``max_points`` instants, and each run of firing samples of a
series becomes one :class:`~itsskit.models.Outage`.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from itsskit.contracts import Source, SourceContext, SourceRegistry
from itsskit.hookspecs import hookimpl
from itsskit.models import DataQualityFinding, Outage
from requests.auth import AuthBase, HTTPBasicAuth

from itsskit_prometheus.client import (
    BearerAuth,
    PrometheusClient,
    PrometheusError,
    Series,
    make_session,
)
from itsskit_prometheus.options import PrometheusOptions, QueryOptions
from itsskit_prometheus.outages import Grid, Labels, Run, RunStitcher, grid_for, series_text

__all__ = ["DEFAULT_RANGE", "PrometheusSource", "register_sources"]

#: The range read when neither the host nor ``start`` says where to begin.
DEFAULT_RANGE = timedelta(days=30)


def now() -> datetime:
    """The current instant (a function, so tests can fix it)."""
    return datetime.now(UTC)


class PrometheusSource(Source):
    """Outages from range queries: one outage per run of firing samples of a series."""

    name: ClassVar[str] = "prometheus"
    kinds: ClassVar[tuple[str, ...]] = ("outages",)
    options_class: ClassVar[type[Any]] = PrometheusOptions

    def __init__(self, options: PrometheusOptions, context: SourceContext) -> None:
        super().__init__(options, context)
        self.options: PrometheusOptions = options

    def read(self) -> Iterator[Outage | DataQualityFinding]:
        """Yield each query's outages (chunk by chunk) and its unmappable series as findings."""
        grid, ongoing = self.grid()
        if grid is None:
            return
        client = self.connect()
        try:
            for name, query in sorted(self.options.queries.items()):
                yield from self._read_query(client, name, query, grid, ongoing)
        finally:
            client.close()

    def grid(self) -> tuple[Grid | None, bool]:
        """The grid to read, and whether its end is now (a run firing there is ongoing).

        From the host's window (else ``[start, end)``, else the last 30 days)
        widened by ``lookback`` before it, and cut at the current instant.
        """
        options = self.options
        current = now()
        if self.context.window is not None:
            start, end = self.context.window
        else:
            end = options.end or current
            start = options.start or end - DEFAULT_RANGE
        start -= timedelta(seconds=options.lookback_seconds)
        ongoing = end >= current
        grid = grid_for(_seconds(start), _seconds(min(end, current)), options.step_seconds)
        return grid, ongoing

    def connect(self) -> PrometheusClient:
        """A client for the server with the configured auth, TLS and retries."""
        options = self.options
        auth: AuthBase | None = None
        if options.auth == "basic":
            auth = HTTPBasicAuth(options.username, self._secret(options.password_env))
        elif options.auth == "bearer":
            auth = BearerAuth(self._secret(options.token_env))
        verify: str | bool = not options.insecure
        if options.ca_file:
            ca_file = self.context.resolve(options.ca_file)
            if not ca_file.is_file():
                raise PrometheusError(f"prometheus {options.url}: ca_file {ca_file} does not exist")
            verify = str(ca_file)
        return PrometheusClient(
            options.url,
            make_session(max_retries=options.max_retries, backoff=options.backoff),
            auth=auth,
            verify=verify,
            timeout=options.timeout,
            max_retries=options.max_retries,
        )

    def _secret(self, variable: str) -> str:
        secret = os.environ.get(variable, "")
        if not secret:
            raise PrometheusError(
                f"prometheus {self.options.url}: environment variable {variable!r} "
                f"(auth = {self.options.auth!r}) is not set"
            )
        return secret

    def _read_query(
        self, client: PrometheusClient, name: str, query: QueryOptions, grid: Grid, ongoing: bool
    ) -> Iterator[Outage | DataQualityFinding]:
        stitcher = RunStitcher(grid.step)
        services: dict[Labels, str | None] = {}
        warned: set[str] = set()
        for first, last in grid.chunks(self.options.max_points):
            answer = client.query_range(name, query.expr, first, last, grid.step)
            for warning in sorted(set(answer.warnings) - warned):
                warned.add(warning)
                yield self._warned(client, name, query, warning)
            where = client.describe(name, query.expr)
            samples = [_firing(series, where) for series in answer.series]
            for labels, _ in samples:
                if labels not in services:
                    services[labels] = self._service(query, labels)
                    if services[labels] is None:
                        yield self._unmapped(name, query, labels)
            runs = stitcher.add(last, samples)
            yield from self._outages(name, query, runs, services, grid, ongoing)
        yield from self._outages(name, query, stitcher.finish(), services, grid, ongoing)

    def _service(self, query: QueryOptions, labels: Labels) -> str | None:
        """The service a series measures; None when its label has no mapping."""
        if query.service:
            return query.service
        value = dict(labels).get(query.service_label, "")
        if not query.service_map:
            return value or None
        return query.service_map.get(value)

    def _unmapped(self, name: str, query: QueryOptions, labels: Labels) -> DataQualityFinding:
        value = dict(labels).get(query.service_label)
        why = (
            f"has no label {query.service_label!r}"
            if value is None
            else f"label {query.service_label}={value!r} is not in service_map"
        )
        return DataQualityFinding(
            record_id=None,
            reason=f"query {name!r}: series {series_text(labels)} {why}; its outages are skipped",
            source=self.context.name,
        )

    def _warned(
        self, client: PrometheusClient, name: str, query: QueryOptions, warning: str
    ) -> DataQualityFinding:
        """A server warning (partial data, say): its outages may be incomplete."""
        return DataQualityFinding(
            record_id=None,
            reason=f"{client.describe(name, query.expr)}: the server warned: {warning}; "
            "its outages may be incomplete",
            source=self.context.name,
        )

    def _outages(
        self,
        name: str,
        query: QueryOptions,
        runs: list[Run],
        services: dict[Labels, str | None],
        grid: Grid,
        ongoing: bool,
    ) -> Iterator[Outage]:
        """One outage per run of a mapped series; a run firing at the grid's end, now, is open."""
        for run in sorted(runs, key=lambda run: (run.first, run.labels)):
            service = services[run.labels]
            if service is None:
                continue
            still_firing = ongoing and run.last == grid.last
            end = None if still_firing else datetime.fromtimestamp(run.last + grid.step, UTC)
            yield self._outage(name, query, run, service, end)

    def _outage(
        self, name: str, query: QueryOptions, run: Run, service: str, end: datetime | None
    ) -> Outage:
        labels = dict(run.labels)
        series = series_text(run.labels)
        start = datetime.fromtimestamp(run.first, UTC)
        digest = hashlib.sha1(series.encode(), usedforsecurity=False).hexdigest()[:10]
        return Outage(
            id=f"{self.context.name}:{name}:{digest}:{start:%Y%m%dT%H%M%SZ}",
            service=service,
            start=start,
            end=end,
            planned=query.planned or self._planned(labels),
            cause=_cause(query, labels, series),
            attributes={
                "query": name,
                "expr": query.expr,
                "series": series,
                "step": self.options.step,
                "server": self.options.url,
            },
        )

    def _planned(self, labels: dict[str, str]) -> bool:
        label = self.options.planned_label
        return bool(label) and labels.get(label) in self.options.planned_values


def _cause(query: QueryOptions, labels: dict[str, str], series: str) -> str:
    """The query's ``cause`` template filled from the labels; else alertname, else the series."""
    if query.cause:
        return query.cause.format_map(_Blank(labels))
    return labels.get("alertname") or series


class _Blank(dict[str, str]):
    """Labels for ``str.format_map``: a missing label is empty."""

    def __missing__(self, key: str) -> str:
        return ""


def _firing(series: Series, where: str) -> tuple[Labels, list[int]]:
    """A series' labels and the grid instants where it fired (it has a sample)."""
    metric, values = series.get("metric"), series.get("values")
    if not isinstance(metric, dict) or not isinstance(values, list):
        raise PrometheusError(f"{where}: malformed series {str(series)[:200]}")
    try:
        instants = [round(float(value[0])) for value in values]
    except (TypeError, ValueError, IndexError, KeyError):
        raise PrometheusError(f"{where}: malformed sample in series {str(metric)[:200]}") from None
    return tuple(sorted((str(k), str(v)) for k, v in metric.items())), instants


def _seconds(instant: datetime) -> int:
    """Whole Unix seconds, rounded up."""
    return math.ceil(instant.timestamp())


@hookimpl
def register_sources(registry: SourceRegistry) -> None:
    """Register :class:`PrometheusSource` as ``plugin = "prometheus"``."""
    registry.add(PrometheusSource)
