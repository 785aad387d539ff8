"""Placeholder."""


def county_overview_png(*a, **k):
    """X."""


def locality_atlas_pdf(*a, **k):
    """X."""
