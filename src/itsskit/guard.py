"""Calls into plugin code with a deadline; the errors that name the plugin.

Python cannot stop a running thread, so :class:`Guard` runs each plugin call
in a helper thread and waits for it at most ``timeout`` seconds. A call that
overruns raises :class:`PluginTimeout` naming the plugin; the helper thread is
abandoned (a daemon thread: it runs on until it returns or the process ends)
and :attr:`Guard.abandoned` counts it. A source's records are pulled by the
helper thread in chunks, and its timeout counts from its last record, so a
long but steady source is never stopped.

``SystemExit`` raised by plugin code (``sys.exit``) becomes a
:class:`PluginError`; it never ends the host. What a thread cannot survive —
``os._exit``, a signal that kills the process, a C extension that holds the
interpreter lock forever — only a separate process can: ``report batch``
builds in worker processes, and the parent stops and replaces a worker whose
plugin call overruns (it reads the call in progress from :class:`CallWatch`).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

__all__ = ["CallWatch", "Guard", "PluginError", "PluginTimeout", "describe_seconds"]

T = TypeVar("T")

#: Records a source hands over at once (fewer when they come slowly).
_CHUNK = 512
#: Seconds after which a partial chunk is handed over anyway.
_FLUSH = 0.05


class PluginError(Exception):
    """A plugin failed in a way the host must name: it exited, hung or returned the wrong type."""


class PluginTimeout(PluginError):
    """A plugin call did not return within the timeout."""


def describe_seconds(seconds: float) -> str:
    """``2`` -> ``"2s"``, ``0.5`` -> ``"0.5s"``."""
    return f"{seconds:g}s"


class CallWatch:
    """Where a batch worker writes the plugin call in progress, for its parent to read.

    ``label`` and ``started`` are shared-memory values (``multiprocessing``
    ``Array('c')`` and ``Value('d')``); an empty label means no plugin call.
    """

    def __init__(self, label: Any, started: Any) -> None:
        self._label = label
        self._started = started

    def begin(self, label: str) -> None:
        """A plugin call starts (or a source makes progress)."""
        self._label.value = label.encode("utf-8")[: len(self._label) - 1]
        self._started.value = time.monotonic()

    def progress(self) -> None:
        """The call in progress is still making progress (a source yielded records)."""
        self._started.value = time.monotonic()

    def end(self) -> None:
        """No plugin call in progress."""
        self._label.value = b""

    def current(self) -> tuple[str, float] | None:
        """``(label, seconds since it started)``, or None between calls."""
        label = self._label.value.decode("utf-8", "replace")
        return (label, time.monotonic() - self._started.value) if label else None


class Guard:
    """Runs plugin calls with a deadline (``timeout`` seconds; None: no deadline)."""

    def __init__(self, timeout: float | None = None, watch: CallWatch | None = None) -> None:
        self.timeout = timeout
        self.watch = watch
        self.abandoned = 0

    def call(self, label: str, function: Callable[[], T]) -> T:
        """``function()`` for the plugin ``label``; its errors pass, SystemExit is named."""
        if self.watch is not None:
            self.watch.begin(label)
        try:
            if self.timeout is None:
                return _named(label, function)
            return self._in_thread(label, function)
        finally:
            if self.watch is not None:
                self.watch.end()

    def iterate(self, label: str, items: Iterator[T], *, in_thread: bool = True) -> Iterator[T]:
        """The items of a plugin's iterator, each within ``timeout`` of the one before.

        ``in_thread=False`` pulls them in the calling thread with no deadline at
        all (for the built-in file sources: trusted, and their speed matters; a
        source that reads a whole file before its first record is no hang).
        """
        if not in_thread or self.timeout is None:
            yield from _named_items(label, items)
            return
        if self.watch is not None:
            self.watch.begin(label)
        try:
            yield from self._chunks(label, items, self.timeout)
        finally:
            if self.watch is not None:
                self.watch.end()

    def _in_thread(self, label: str, function: Callable[[], T]) -> T:
        outcome: list[tuple[bool, Any]] = []

        def run() -> None:
            try:
                outcome.append((True, function()))
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
                outcome.append((False, exc))

        thread = threading.Thread(target=run, name=f"itsskit {label}", daemon=True)
        thread.start()
        thread.join(self.timeout)
        if thread.is_alive():
            raise self._timed_out(label)
        ok, value = outcome[0]
        if ok:
            return value  # type: ignore[no-any-return]
        raise _translated(label, value)

    def _chunks(self, label: str, items: Iterator[T], timeout: float) -> Iterator[T]:
        channel: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=8)
        stop = threading.Event()
        last = [time.monotonic()]

        def produce() -> None:
            try:
                _pull(items, channel, stop, last)
            except BaseException as exc:  # noqa: BLE001 - handed to the consuming thread
                _put(channel, stop, ("error", exc))

        thread = threading.Thread(target=produce, name=f"itsskit {label}", daemon=True)
        thread.start()
        try:
            while True:
                try:
                    kind, payload = channel.get(timeout=min(timeout, 1.0))
                except queue.Empty:
                    if time.monotonic() - last[0] > timeout:
                        raise self._timed_out(label) from None
                    continue
                if kind == "end":
                    return
                if kind == "error":
                    raise _translated(label, payload)
                if self.watch is not None:
                    self.watch.progress()
                yield from payload
        finally:
            stop.set()

    def _timed_out(self, label: str) -> PluginTimeout:
        self.abandoned += 1
        seconds = describe_seconds(self.timeout or 0)
        return PluginTimeout(
            f"{label} did not return within {seconds} (the plugin timeout); it was stopped"
        )


def _pull(
    items: Iterator[Any], channel: queue.Queue[tuple[str, Any]], stop: threading.Event,
    last: list[float],
) -> None:  # fmt: skip
    """Move ``items`` into ``channel`` in chunks, noting the time of each in ``last``."""
    chunk: list[Any] = []
    flushed = time.monotonic()
    for item in items:
        chunk.append(item)
        now = last[0] = time.monotonic()
        if len(chunk) >= _CHUNK or now - flushed > _FLUSH:
            if not _put(channel, stop, ("items", chunk)):
                return
            chunk, flushed = [], now
    if chunk and not _put(channel, stop, ("items", chunk)):
        return
    _put(channel, stop, ("end", None))


def _put(channel: queue.Queue[tuple[str, Any]], stop: threading.Event, message: Any) -> bool:
    """Put ``message`` unless the consumer has gone (then False)."""
    while not stop.is_set():
        try:
            channel.put(message, timeout=0.5)
        except queue.Full:
            continue
        return True
    return False


def _named(label: str, function: Callable[[], T]) -> T:
    try:
        return function()
    except SystemExit as exc:
        raise _translated(label, exc) from None


def _named_items(label: str, items: Iterator[T]) -> Iterator[T]:
    try:
        yield from items
    except SystemExit as exc:
        raise _translated(label, exc) from None


def _translated(label: str, exc: BaseException) -> BaseException:
    """The exception to raise for ``exc`` from plugin ``label``: SystemExit is named."""
    if isinstance(exc, SystemExit):
        return PluginError(f"{label} called sys.exit({exc.code!r}); a plugin must raise instead")
    if isinstance(exc, KeyboardInterrupt | Exception):
        return exc
    return PluginError(f"{label} raised {type(exc).__name__}: {exc}")
