"""The box every report template runs in: plain data in, bounded text out.

Templates (docx, HTML, Markdown; shipped or the user's own) are rendered by a
:class:`TemplateSandbox`: Jinja's immutable sandbox (no ``_`` attributes, no
unsafe callables, no mutation of the context), no loader (``{% include %}``,
``{% import %}`` and ``{% extends %}`` are errors), ``StrictUndefined``, and
:class:`TemplateLimits`:

* **time**: a template still running ``seconds`` after the render started is
  interrupted where it is (a timer raises in the rendering thread);
* **size**: output is counted as it streams; repetition (``*``, ``**``),
  concatenation (``+``), ``%``/``format`` widths, padding, joining and
  replacing are refused before they would build a value larger than
  ``max_chars`` (shared references counted as often as they would print), and
  every value a call or filter returns, or a ``namespace()`` gives back, is
  checked too.

Every failure becomes :class:`ReportTemplateError`: one line naming the
template, the line and the cause.
"""

from __future__ import annotations

import ctypes
import functools
import math
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sized
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import attrs
import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Namespace

__all__ = ["ReportTemplateError", "TemplateLimits", "TemplateSandbox", "template_error"]

#: Jinja's code for a template compiled from a string carries this file name.
TEMPLATE_CODE = "<template>"
#: The largest integer (in bits) a template may compute: about 20,000 digits.
MAX_INT_BITS = 65_536
#: str methods and filters whose second argument is a width to pad to.
PADDING = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs", "indent"})
#: Filters whose arguments can make their result much larger than their input.
GROWING_FILTERS = frozenset({"center", "indent", "format", "join", "replace", "batch", "slice"})


class ReportTemplateError(ValueError):
    """A report template failed: bad syntax, an unknown key, a forbidden access or a limit."""


class TemplateFailure(Exception):
    """A template stopped while rendering; the renderer adds the template's name."""

    def __init__(self, reason: str, line: int | None, text: str = "") -> None:
        super().__init__(reason)
        self.reason, self.line, self.text = reason, line, text


class _LimitReached(Exception):
    """Raised inside a render that went over its size limit."""


class _TimeUp(Exception):
    """Raised in the rendering thread when its time is up (by :func:`_interrupted_after`)."""


@contextmanager
def _interrupted_after(seconds: float) -> Iterator[None]:
    """Raise :class:`_TimeUp` in this thread if the body is still running after ``seconds``.

    A timer thread sets an asynchronous exception on this thread
    (``PyThreadState_SetAsyncExc``), which Python raises at the next bytecode
    boundary: a template loop stops wherever it is, at no cost per step. The
    lock makes sure nothing is raised once the body is done.
    """
    thread, lock, running = threading.get_ident(), threading.Lock(), [True]

    def interrupt() -> None:
        with lock:
            if running[0]:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(thread), ctypes.py_object(_TimeUp)
                )

    timer = threading.Timer(seconds, interrupt)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            running[0] = False
        timer.cancel()


def _positive(_instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not value > 0:
        raise ValueError(f"{attribute.name} must be > 0, got {value!r}")


@attrs.frozen(kw_only=True)
class TemplateLimits:
    """Options of the template renderers: how long and how large one render may get.

    ``seconds``: wall-clock time a template may run (default 5);
    ``max_chars``: the largest output (and intermediate value) in characters
    (default 50,000,000).
    """

    seconds: float = attrs.field(default=5.0, validator=_positive)
    max_chars: int = attrs.field(default=50_000_000, validator=_positive)


class _NoLoader(jinja2.BaseLoader):
    """Refuses every template a template asks for: report templates stand alone."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        raise jinja2.TemplateError(
            f"{{% include/import/extends %}} of {template!r} is not allowed: a report template"
            " stands alone (copy what you need into it)"
        )


class GuardedTemplate(jinja2.Template):
    """A template whose :meth:`render` runs inside its environment's limits."""

    source: str = ""

    def render(self, *args: Any, **kwargs: Any) -> str:
        sandbox = self.environment
        assert isinstance(sandbox, TemplateSandbox)
        context = self.new_context(dict(*args, **kwargs))
        try:
            with sandbox.watch():
                return sandbox.joined(self.root_render_func(context))
        except Exception as exc:  # noqa: BLE001 - anything a template raises is its failure
            line = self._failed_line(exc.__traceback__)
            reason = _reason(exc, sandbox.limits.seconds)
            raise TemplateFailure(reason, line, self._line_text(line)) from None

    def generate(self, *args: Any, **kwargs: Any) -> Iterator[str]:
        """The whole render as one chunk: the limits apply however a template is used."""
        yield self.render(*args, **kwargs)

    def _failed_line(self, trace: TracebackType | None) -> int | None:
        line = None
        while trace is not None:
            if trace.tb_frame.f_code.co_filename == TEMPLATE_CODE:
                line = self.get_corresponding_lineno(trace.tb_lineno)
            trace = trace.tb_next
        return line

    def _line_text(self, line: int | None) -> str:
        lines = self.source.splitlines()
        return lines[line - 1] if line is not None and 0 < line <= len(lines) else ""


class TemplateSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with no loader, no ``lipsum`` and :class:`TemplateLimits`."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    template_class = GuardedTemplate

    def __init__(
        self,
        *,
        autoescape: bool,
        limits: TemplateLimits | None = None,
        finalize: Callable[[Any], Any] | None = None,
    ) -> None:
        super().__init__(
            autoescape=autoescape,
            loader=_NoLoader(),
            undefined=jinja2.StrictUndefined,
            finalize=finalize,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            cache_size=0,
        )
        self.limits = limits or TemplateLimits()
        self.deadline = time.monotonic() + self.limits.seconds
        self.written = 0
        del self.globals["lipsum"]  # nothing to report in lorem ipsum, and it loops in Python
        self.globals["namespace"] = _sized_namespace(self)
        self.filters = {name: self._guarded_filter(name, f) for name, f in self.filters.items()}

    def add_filter(self, name: str, function: Callable[..., Any]) -> None:
        """Give templates one more filter, under the same limits as the built-in ones."""
        self.filters[name] = self._guarded_filter(name, function)

    def from_string(  # type: ignore[override]
        self,
        source: str,
        globals: MutableMapping[str, Any] | None = None,
        template_class: Any = None,
    ) -> GuardedTemplate:
        """Compile ``source``, keeping it so errors can quote the failing line."""
        template = super().from_string(source, globals, template_class)
        assert isinstance(template, GuardedTemplate)
        template.source = source
        return template

    # ------------------------------------------------------------------ limits

    @contextmanager
    def watch(self) -> Iterator[None]:
        """Run the body under the time limit: past the deadline, the template is interrupted."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise _TimeUp
        with _interrupted_after(remaining):
            yield

    def joined(self, chunks: Iterable[str]) -> str:
        """``chunks`` joined, stopping as soon as the output passes ``max_chars``."""
        parts: list[str] = []
        written, limit = self.written, self.limits.max_chars
        for chunk in chunks:
            written += len(chunk)
            if written > limit:
                raise _LimitReached(self._too_large("the output"))
            parts.append(chunk)
        self.written = written
        return self.concat(parts)

    def sized(self, value: Any, what: str = "a value") -> Any:
        """``value`` unless it is text, or a collection whose text, over ``max_chars``."""
        if isinstance(value, _SIZED) and self.size_of(value) > self.limits.max_chars:
            raise _LimitReached(self._too_large(what))
        if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
            raise _LimitReached(_too_big(what))
        return value

    def size_of(self, value: Any) -> int:
        """About how many characters ``value`` is as text (counting stops past the limit)."""
        return _text_size(value, self.limits.max_chars)

    def refuse_growth(self, size: float, what: str) -> None:
        """Stop before building a value of ``size`` characters over ``max_chars``."""
        if size > self.limits.max_chars:
            raise _LimitReached(self._too_large(what))

    def _too_large(self, what: str) -> str:
        return f"{what} would exceed the size limit of {self.limits.max_chars:,} characters"

    # ------------------------------------------------- sandbox interception

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        """``*``, ``**``, ``+`` and ``%`` with their results' sizes checked first."""
        self._check_binop(operator, left, right)
        return self.sized(super().call_binop(context, operator, left, right))

    def _check_binop(self, operator: str, left: Any, right: Any) -> None:
        what = f"the result of {operator!r}"
        if operator == "*":
            if isinstance(left, int) and isinstance(right, int):
                if left.bit_length() + right.bit_length() > MAX_INT_BITS:
                    raise _LimitReached(_too_big(what))
            elif isinstance(right, int) and isinstance(left, Sized):
                self.refuse_growth(self.size_of(left) * right, what)
            elif isinstance(left, int) and isinstance(right, Sized):
                self.refuse_growth(self.size_of(right) * left, what)
        elif operator == "**" and isinstance(left, int) and isinstance(right, int):
            if right > 0 and abs(left) > 1 and right * math.log2(abs(left)) > MAX_INT_BITS:
                raise _LimitReached(_too_big(what))
        elif operator == "+" and isinstance(left, Sized) and isinstance(right, Sized):
            self.refuse_growth(self.size_of(left) + self.size_of(right), what)
        elif operator == "%" and isinstance(left, str):
            self._check_format(left, right if isinstance(right, tuple) else (right,), what)

    def _check_format(self, text: str, args: Iterable[Any], what: str) -> None:
        """Refuse a ``%`` or ``str.format`` whose widths pad past the limit."""
        self.refuse_growth(len(text) + _format_widths(text, args), what)

    def call(
        __self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any
    ) -> Any:  # noqa: N805 - Jinja's signature
        """A call from a template, refused when it would build a value over the limit."""
        name = getattr(__obj, "__name__", "")
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str):
            __self._check_str_method(owner, name, args, kwargs)
        for value in (*args, *kwargs.values()):  # text built by ``~`` is first seen here
            if isinstance(value, str) and len(value) > __self.limits.max_chars:
                raise _LimitReached(__self._too_large("an argument"))
        return __self.sized(
            super().call(__context, __obj, *args, **kwargs), f"the result of {name or 'a call'}()"
        )

    def _check_str_method(
        self, text: str, name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]
    ) -> None:
        what = f"the result of str.{name}()"
        numbers = [v for v in (*args, *kwargs.values()) if isinstance(v, int)]
        if name in PADDING:
            self.refuse_growth(max(numbers, default=0) * (1 + text.count("\t")), what)
        elif name == "format" or name == "format_map":
            self._check_format(text, (*args, *kwargs.values()), what)
        elif name == "replace" and len(args) >= 2:
            self._check_replace(text, str(args[0]), str(args[1]), what)
        elif name == "join" and args and isinstance(args[0], Sized):
            self.refuse_growth(len(text) * len(args[0]) + self.size_of(args[0]), what)

    def _check_replace(self, text: str, old: str, new: str, what: str) -> None:
        count = len(text) + 1 if not old else text.count(old)
        self.refuse_growth(len(text) + count * len(new), what)

    def _guarded_filter(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        """``function`` with its result size-checked, and its arguments first if it can grow."""
        what = f"the result of the {name} filter"

        @functools.wraps(function)
        def growing(*args: Any, **kwargs: Any) -> Any:
            if name == "join":  # a generator's length is unknown: count it first
                args = tuple(_listed(arg) for arg in args)
            values = [v for v in (*args, *kwargs.values()) if not isinstance(v, _CONTEXTS)]
            self._check_filter(name, values)
            return self.sized(function(*args, **kwargs), what)

        @functools.wraps(function)
        def bounded(*args: Any, **kwargs: Any) -> Any:
            return self.sized(function(*args, **kwargs), what)

        return growing if name in GROWING_FILTERS else bounded

    def _check_filter(self, name: str, values: list[Any]) -> None:
        what = f"the result of the {name} filter"
        if not values:
            return
        first, rest = values[0], values[1:]
        numbers = [v for v in rest if isinstance(v, int) and not isinstance(v, bool)]
        if name in PADDING:
            lines = str(first).count("\n") + 1 if name == "indent" else 1
            self.refuse_growth(len(str(first)) + max(numbers, default=0) * lines, what)
        elif name == "format":
            self._check_format(str(first), rest, what)
        elif name == "join" and isinstance(first, Sized):
            separator = len(str(rest[0])) if rest else 0
            self.refuse_growth(separator * len(first) + self.size_of(first), what)
        elif name == "replace" and len(rest) >= 2:
            self._check_replace(str(first), str(rest[0]), str(rest[1]), what)
        elif name in ("batch", "slice"):  # their count (and fill) builds lists that long
            self.refuse_growth(max(numbers, default=0), what)


_SIZED = (str, bytes, list, tuple, dict, set)
_CONTEXTS = (jinja2.runtime.Context, jinja2.nodes.EvalContext, jinja2.Environment)
_PERCENT = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?")
_FIELD_SPEC = re.compile(r"\{[^{}]*:([^{}]*)\}")
_NESTED_FIELD = re.compile(r"\{[^{}]*:[^{}]*\{")


def _format_widths(text: str, args: Iterable[Any]) -> int:
    """The most characters the widths of a ``%``- or ``{}``-format ``text`` may pad to."""
    widths = [w for match in _PERCENT.finditer(text) for w in match.groups() if w]
    widths += [w for spec in _FIELD_SPEC.findall(text) for w in re.findall(r"\d+", spec)]
    total = sum(int(width) for width in widths if width != "*")
    if "*" in widths or _NESTED_FIELD.search(text):  # widths given as arguments
        total += sum(a for a in args if isinstance(a, int) and not isinstance(a, bool) and a > 0)
    return total


def _text_size(value: Any, budget: int) -> int:
    """About how many characters ``value`` takes as text; stops counting past ``budget``.

    Shared references count each time they appear (``[s] * n`` is ``n`` copies of
    ``s`` once printed), which is what makes a small list print as gigabytes.
    """
    if isinstance(value, str | bytes):
        return len(value)
    total, stack = 0, [value]
    while stack and total <= budget:
        item = stack.pop()
        if isinstance(item, str | bytes):
            total += len(item)
        elif isinstance(item, dict):
            total += 4 * len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            total += 2 * len(item)
            stack.extend(item)
        else:
            total += 8
    return total


def _listed(value: Any) -> Any:
    """``value`` as a list when it is an iterator or a generator (anything without a length)."""
    if isinstance(value, Iterable) and not isinstance(value, (Sized, *_CONTEXTS)):
        return list(value)
    return value


def _sized_namespace(sandbox: TemplateSandbox) -> type[Namespace]:
    """``namespace`` whose values are size-checked as they are read back.

    A namespace is the only thing a template can change from one loop step to
    the next, so it is how ``~`` (which cannot be intercepted) could double a
    string forty times; reading the value back is where that stops.
    """

    class SizedNamespace(Namespace):
        def __getattribute__(self, name: str) -> Any:
            return sandbox.sized(super().__getattribute__(name))

    return SizedNamespace


def _too_big(what: str) -> str:
    return f"{what} would be a number over the limit of {MAX_INT_BITS:,} bits"


def _reason(exc: BaseException, seconds: float) -> str:
    """The cause of a template failure, on one line."""
    if isinstance(exc, _TimeUp):
        text = f"stopped after the time limit of {seconds:g} s"
    elif isinstance(exc, _LimitReached | jinja2.TemplateError):
        text = str(exc)
    elif isinstance(exc, RecursionError):
        text = "too deeply nested (a macro calling itself?)"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return " ".join(text.split()) or type(exc).__name__


def template_error(kind: str, path: Path, exc: Exception) -> ReportTemplateError:
    """One line naming the ``kind`` template at ``path``, the failing line and the cause.

    ``exc`` is a :class:`TemplateFailure` from rendering or a
    :class:`jinja2.TemplateSyntaxError` from compiling. For docx templates the
    line is that of the document's XML (one line per paragraph); its text is quoted.
    """
    if isinstance(exc, TemplateFailure):
        reason, line, text = exc.reason, exc.line, exc.text
    else:
        reason, line = _reason(exc, 0), getattr(exc, "lineno", None)
        source = getattr(exc, "source", None) or ""
        lines = source.splitlines()
        text = lines[line - 1] if line and 0 < line <= len(lines) else ""
    where = f"{kind} template {path}"
    if line is not None:
        where += f", line {line}"
    quoted = " ".join(re.sub(r"<[^>]*>", "", text).split()) if kind == "docx" else ""
    if quoted:
        where += f" ({quoted[:120]})"
    return ReportTemplateError(f"{where}: {reason}")
