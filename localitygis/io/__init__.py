"""Reading and writing files: the only place (with the CLI) where localitygis touches disk.

Vector layers (GeoPackage, Shapefile, GeoJSON, FlatGeobuf — anything OGR reads) come in
through pyogrio, or fiona when asked, and leave in EPSG:27700. Tables come from CSV (UTF-8,
or Windows-1252 as council systems often write) or Excel. ONS boundary files name their
fields by vintage (``PAR21CD``/``PAR21NM``, ``PARNCP21CD``/``PARNCP21NM``, ``PAR24CD``…);
these are recognised, and any other name can be given explicitly.

Writers carry provenance into every file: GeoPackage layers get metadata, and every table
gets an ``attribution`` column.

The work is split by job into private modules, whose public names are re-exported here:

* ``_vectors`` — :func:`list_layers`, :func:`read_vector` and the provenance of a file.
* ``_tables`` — :func:`read_table` (CSV and Excel, every column as text) and
  ``decode_text``, the one UTF-16 / UTF-8 / Windows-1252 decoder every CSV reader uses,
  and ``fold_name``, how column names are compared.
* ``_fields`` — the ONS field-name patterns and :func:`find_field`.
* ``_boundaries`` — :func:`read_parishes`, :func:`select_district`,
  :func:`read_catchments`, :func:`read_lookup` and their checks.
* ``_writers`` — :func:`write_geopackage`, :func:`write_geojson`, :func:`write_csv` and
  :func:`neutralise_formulas` (spreadsheet-safe CSV cells).
* ``_outputs`` — whole files and whole sets of files: :func:`atomic_path`,
  :class:`OutputSet` (a command's files put in place together, ``manifest.json`` last),
  :func:`check_out_folder`, :func:`check_out_file`, :func:`read_manifest`,
  :func:`verify_outputs`.
* ``_paths`` — the path type and the missing-file check the others share.

Examples
--------
>>> from localitygis.io import find_field, PARISH_CODE_PATTERNS
>>> find_field(["FID", "PAR21CD"], PARISH_CODE_PATTERNS, what="parish code", source="x")
'PAR21CD'
"""

from __future__ import annotations

from localitygis.io._boundaries import read_catchments, read_lookup, read_parishes, select_district
from localitygis.io._fields import (
    CATCHMENT_PATTERNS,
    DISTRICT_CODE_PATTERNS,
    DISTRICT_NAME_PATTERNS,
    PARISH_CODE_PATTERNS,
    PARISH_NAME_PATTERNS,
    POPULATION_PATTERNS,
    find_field,
)
from localitygis.io._outputs import (
    MANIFEST,
    OutputSet,
    atomic_path,
    check_out_file,
    check_out_folder,
    describe_file,
    read_manifest,
    verify_outputs,
)
from localitygis.io._paths import PathType
from localitygis.io._tables import read_table
from localitygis.io._vectors import Engine, list_layers, read_vector
from localitygis.io._writers import (
    FORMULA_STARTS,
    neutralise_formulas,
    write_csv,
    write_geojson,
    write_geopackage,
)

__all__ = [
    "CATCHMENT_PATTERNS",
    "DISTRICT_CODE_PATTERNS",
    "DISTRICT_NAME_PATTERNS",
    "FORMULA_STARTS",
    "MANIFEST",
    "PARISH_CODE_PATTERNS",
    "PARISH_NAME_PATTERNS",
    "POPULATION_PATTERNS",
    "Engine",
    "OutputSet",
    "PathType",
    "atomic_path",
    "check_out_file",
    "check_out_folder",
    "describe_file",
    "find_field",
    "list_layers",
    "neutralise_formulas",
    "read_catchments",
    "read_lookup",
    "read_manifest",
    "read_parishes",
    "read_table",
    "read_vector",
    "select_district",
    "verify_outputs",
    "write_csv",
    "write_geojson",
    "write_geopackage",
]
