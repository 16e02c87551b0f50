"""Records as Arrow columns: the schemas of each record kind and the conversions.

:mod:`itsskit.columnar.arrow` holds the Arrow form of every record kind (the
columns of SPEC §9, typed) and turns records into tables in batches; the
``parquet`` source (:mod:`itsskit.builtin.parquet_source`) reads that form
back, and :func:`itsskit.services.convert_source` writes it.
"""

from __future__ import annotations
