"""Service level management documents (SPEC §10, seed 0601) from the configuration.

The service catalogue (§5.2.1), each project's service level agreement (§5.2.3),
the change record between two SLA versions (§5.4.3) and the yearly SLA review
(§5.4.1, §5.4.2) are :class:`itsskit.models.Report` objects built from the very
configuration the SLA clocks measure with, and rendered by the renderer plugins.

- :mod:`~itsskit.slm.service`: one function per document (``*_document`` builds,
  ``write_*`` renders); ``itsskit slm`` calls these.
- :mod:`~itsskit.slm.catalogue`, :mod:`~itsskit.slm.agreement`,
  :mod:`~itsskit.slm.changes`, :mod:`~itsskit.slm.review`: the pure builders.
"""

from __future__ import annotations

from itsskit.slm.changes import SlaChange, sla_changes
from itsskit.slm.common import SlmError
from itsskit.slm.review import (
    ReviewInput,
    improvements_toml,
    load_review_input,
    review_improvements,
)
from itsskit.slm.service import (
    ReviewResult,
    agreement_document,
    catalogue_document,
    review_document,
    sla_change_document,
    write_agreement,
    write_catalogue,
    write_review,
    write_sla_change,
)

__all__ = [
    "ReviewInput",
    "ReviewResult",
    "SlaChange",
    "SlmError",
    "agreement_document",
    "catalogue_document",
    "improvements_toml",
    "load_review_input",
    "review_document",
    "review_improvements",
    "sla_change_document",
    "sla_changes",
    "write_agreement",
    "write_catalogue",
    "write_review",
    "write_sla_change",
]
