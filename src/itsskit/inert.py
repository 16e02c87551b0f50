"""Cells of CSV outputs that stay data in a spreadsheet (no formula injection).

A spreadsheet opening a CSV file runs a cell starting with ``=``, ``+``, ``-``
or ``@`` as a formula (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``), and a
leading tab or carriage return can hide such a start. Following OWASP's
advice on CSV injection, :func:`spreadsheet_cell` prefixes such text with a
single quote, which spreadsheets show as text. Numbers are left alone: an
``int`` or ``float`` cell, and text that is just a number (``-5``, ``+1.5e3``),
cannot be a formula and stays a number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["FORMULA_STARTS", "spreadsheet_cell", "spreadsheet_row"]

#: First characters that make a spreadsheet read a text cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def spreadsheet_cell(value: object) -> object:
    """``value`` as a CSV cell: formula-like text gets a leading ``'``; anything else as is."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def spreadsheet_row(values: Iterable[object]) -> list[object]:
    """:func:`spreadsheet_cell` applied to each value of a CSV row."""
    return [spreadsheet_cell(value) for value in values]
