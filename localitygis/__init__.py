"""localitygis: locality working for a county council.

Build localities from civil parishes and secondary school catchments, attach tiers,
locate community assets, find co-location opportunities, plan service hubs and map it all.
"""

from __future__ import annotations

from localitygis.errors import (
    CRSError,
    DataError,
    GeometryError,
    InputFileError,
    LocalityGISError,
    SchemeError,
)

__version__ = "0.1.0"

__all__ = [
    "CRSError",
    "DataError",
    "GeometryError",
    "InputFileError",
    "LocalityGISError",
    "SchemeError",
    "__version__",
]
