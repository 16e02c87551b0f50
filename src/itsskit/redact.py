"""Credentials never leave: text for people, logs or storage is scrubbed of them.

A server may echo what it was sent (an SMTP ``535`` quoting the ``AUTH`` line,
an HTTP error page quoting the form body). Every message built from a server's
reply goes through :func:`redact` with the credentials of the exchange, which
replaces each secret in every form it travels in: as is, URL-encoded,
JSON-escaped, as the escapes of a ``bytes`` repr, and base64 (alone, as HTTP
basic ``user:secret`` and as SMTP ``AUTH PLAIN`` ``\\0user\\0secret``).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator
from urllib.parse import quote, quote_plus

__all__ = ["MASK", "redact"]

#: What a secret is replaced with.
MASK = "***"


def redact(text: str, secrets: Iterable[str], *, user: str = "") -> str:
    """``text`` with every form of each non-empty secret replaced by :data:`MASK`.

    ``user`` is the login that went with the secrets, for the combined forms
    (basic auth, SMTP AUTH PLAIN).
    """
    forms = {form for secret in secrets if secret for form in _forms(secret, user) if form}
    for form in sorted(forms, key=len, reverse=True):  # longest first: no half-masked secret
        text = text.replace(form, MASK)
    return text


def _forms(secret: str, user: str) -> Iterator[str]:
    for text in (secret, f"{user}:{secret}", f"\0{user}\0{secret}", f"{user}\0{secret}"):
        yield from _encodings(text)


def _encodings(text: str) -> Iterable[str]:
    data = text.encode("utf-8")
    encoded = base64.b64encode(data).decode("ascii")
    return {
        text,
        quote_plus(text),
        quote(text, safe=""),
        json.dumps(text)[1:-1],
        json.dumps(text, ensure_ascii=False)[1:-1],
        repr(data)[2:-1],
        repr(text)[1:-1],
        encoded,
        encoded.rstrip("="),
    }
