"""Test-suite settings.

Property tests explore new random examples on every developer run. In CI (``CI`` set) they
run derandomized: the same examples each time, so a landing is never decided by luck; a
failure found locally is fixed and its example kept by Hypothesis' database.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
