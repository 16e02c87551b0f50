"""Service reports: building a :class:`~itsskit.models.Report`, its charts and template context."""
