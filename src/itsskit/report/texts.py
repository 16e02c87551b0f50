"""Report wording, kept for imports written for 0.1.0; the catalogue is :mod:`itsskit.wording`.

``ZH`` and ``EN`` are the report domain's phrases (:mod:`itsskit.wording.report`);
``TEXTS`` and :class:`Texts` cover every domain.
"""

from __future__ import annotations

from itsskit.wording import LANGUAGES, NOT_APPLICABLE, TEXTS, Texts
from itsskit.wording.report import EN, ZH

__all__ = ["EN", "LANGUAGES", "NOT_APPLICABLE", "TEXTS", "ZH", "Texts"]
