"""The one cattrs converter of itsskit (models <-> JSON-ready data, config -> models).

Built by :func:`make_converter` from cattrs' preconfigured JSON converter, with
``forbid_extra_keys=True`` so a misspelt key is an error, and explicit hooks for
aware datetimes, dates, bytes and durations. Use :data:`converter`; never the
global cattrs converter.
"""

from __future__ import annotations

import base64
from datetime import date, datetime
from typing import Any, get_args, get_origin

from cattrs.preconf.json import JsonConverter
from cattrs.preconf.json import make_converter as _make_json_converter

__all__ = ["converter", "make_converter", "parse_aware_datetime"]


def parse_aware_datetime(value: str | datetime) -> datetime:
    """Parse ISO 8601 text into an aware datetime; a value without offset is an error."""
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError(f"expected an ISO 8601 time with a UTC offset, got {value!r}")
    return parsed


def _structure_datetime(value: Any, _type: type) -> datetime:
    if not isinstance(value, (str, datetime)):
        raise TypeError(f"expected an ISO 8601 time string, got {type(value).__name__}")
    return parse_aware_datetime(value)


def _structure_date(value: Any, _type: type) -> date:
    if isinstance(value, datetime):
        raise TypeError("expected a date, got a datetime")
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO date string, got {type(value).__name__}")
    return date.fromisoformat(value)


def _structure_bool(value: Any, _type: type) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {type(value).__name__} {value!r}")
    return value


def _structure_bytes(value: Any, _type: type) -> bytes:
    if isinstance(value, bytes):
        return value
    return base64.b64decode(value, validate=True)


def _is_homogeneous_tuple(type_: Any) -> bool:
    args = get_args(type_)
    return get_origin(type_) is tuple and len(args) == 2 and args[1] is Ellipsis


def _tuple_hook_factory(type_: Any, conv: JsonConverter) -> Any:
    """Structure ``tuple[X, ...]`` from a list; a lone string is an error, not characters."""
    as_list: Any = list[get_args(type_)[0]]  # type: ignore[misc]

    def structure(value: Any, _type: type) -> tuple[Any, ...]:
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"expected a list, got {type(value).__name__} {value!r}")
        return tuple(conv.structure(list(value), as_list))

    return structure


def make_converter() -> JsonConverter:
    """Build a fresh converter (the module-level :data:`converter` is one of these)."""
    conv = _make_json_converter(forbid_extra_keys=True)
    conv.register_unstructure_hook(datetime, lambda value: value.isoformat())
    conv.register_structure_hook(datetime, _structure_datetime)
    conv.register_unstructure_hook(date, lambda value: value.isoformat())
    conv.register_structure_hook(date, _structure_date)
    conv.register_unstructure_hook(bytes, lambda value: base64.b64encode(value).decode("ascii"))
    conv.register_structure_hook(bytes, _structure_bytes)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook_factory(
        _is_homogeneous_tuple, lambda type_: _tuple_hook_factory(type_, conv)
    )
    return conv


converter: JsonConverter = make_converter()
