"""The ``localitygis`` command line."""

from __future__ import annotations

from localitygis.cli._app import app, main

__all__ = ["app", "main"]
