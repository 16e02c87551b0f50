"""Service reports: building a :class:`~itsskit.models.Report`, its charts and template context."""

from itsskit.report.builder import ReportContext, build_report
from itsskit.report.notes import Notes, NotesError, load_notes
from itsskit.report.output import render
from itsskit.report.texts import Texts

__all__ = ["Notes", "NotesError", "ReportContext", "Texts", "build_report", "load_notes", "render"]
