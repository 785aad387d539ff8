"""Input plumbing shared by the CLI commands: ``file#layer`` specs, layers, schemes, output lines.

Every command takes vector inputs as ``file`` or ``file#layer``; in a file with several layers
(the ``localities.gpkg`` written by ``localitygis build`` holds ``parishes``, ``catchments`` and
``localities``) the layer a command expects is read unless another is named.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd
from rich.markup import escape

from localitygis.cli._app import console
from localitygis.errors import DataError, InputFileError
from localitygis.io import list_layers, read_vector
from localitygis.localities.scheme import Scheme, demo_scheme, herefordshire_scheme, load_scheme

__all__ = [
    "PACKAGED_SCHEMES",
    "choose_layer",
    "looks_like_path",
    "numeric_tier",
    "print_written",
    "read_layer",
    "read_parish_layer",
    "read_sibling",
    "resolve_scheme",
    "split_spec",
    "with_tier_names",
]

#: Schemes that ship with the package, by the name ``--scheme`` accepts.
PACKAGED_SCHEMES: dict[str, Callable[[], Scheme]] = {
    "herefordshire": herefordshire_scheme,
    "demo": demo_scheme,
}

_PARISH_COLUMNS = ("parish_code", "locality")


def split_spec(spec: str, layer: str | None = None) -> tuple[Path, str | None]:
    """Split a ``file#layer`` spec into the path and the layer; an explicit ``layer`` wins.

    Parameters
    ----------
    spec : str
        ``file`` or ``file#layer`` (the last ``#`` separates the layer).
    layer : str, optional
        A layer named separately (e.g. ``--layer``); it takes precedence over ``#layer``.

    Returns
    -------
    tuple of (Path, str or None)
        The file and the layer named, or ``None`` when none is (an empty ``#`` names none).

    Examples
    --------
    >>> split_spec("build/localities.gpkg#parishes")
    (PosixPath('build/localities.gpkg'), 'parishes')
    >>> split_spec("a.gpkg#parishes", "wards"), split_spec("a.gpkg#")
    ((PosixPath('a.gpkg'), 'wards'), (PosixPath('a.gpkg'), None))
    """
    path, hashed = spec.rsplit("#", 1) if "#" in spec else (spec, None)
    return Path(path), layer or hashed or None


def choose_layer(path: Path, layer: str | None, *, preferred: str) -> str | None:
    """Return the layer to read: ``layer`` if named, else ``preferred`` in a multi-layer file.

    Parameters
    ----------
    path : Path
        The vector file (a missing file is left for the reader to report).
    layer : str or None
        The layer the user named, if any.
    preferred : str
        The layer the command expects, used when the file has several layers and one of
        them has this name.

    Returns
    -------
    str or None
        The layer name, or ``None`` to let the reader take the file's only (first) layer.

    Examples
    --------
    >>> choose_layer(Path("missing.gpkg"), None, preferred="parishes") is None
    True
    >>> choose_layer(Path("missing.gpkg"), "wards", preferred="parishes")
    'wards'
    """
    if layer is not None or not path.exists():
        return layer
    layers = list_layers(path)
    if len(layers) > 1 and preferred in layers:
        return preferred
    return None


def read_layer(
    spec: str, *, layer: str | None = None, preferred: str, drop_attribution: bool = False
) -> gpd.GeoDataFrame:
    """Read ``file[#layer]`` in EPSG:27700, preferring the layer named ``preferred``.

    Parameters
    ----------
    spec : str
        ``file`` or ``file#layer``.
    layer : str, optional
        A layer named separately; it wins over ``#layer``.
    preferred : str
        The layer read from a multi-layer file when none is named (see :func:`choose_layer`).
    drop_attribution : bool, default False
        Drop the ``attribution`` column localitygis writers add (the provenance stays in
        ``attrs["provenance"]``), for frames that will be written out again.

    Returns
    -------
    GeoDataFrame
        As :func:`localitygis.io.read_vector` returns it.

    Raises
    ------
    InputFileError
        The file or layer does not exist or cannot be read.

    Examples
    --------
    >>> import tempfile
    >>> from shapely import Point
    >>> from localitygis.io import write_geopackage
    >>> from localitygis.provenance import DEMO
    >>> folder = Path(tempfile.mkdtemp())
    >>> hubs = gpd.GeoDataFrame({"name": ["Hub"]}, geometry=[Point(350000, 240000)], crs=27700)
    >>> path = write_geopackage(folder / "f.gpkg", {"a": hubs, "hubs": hubs}, provenance=DEMO)
    >>> list(read_layer(str(path), preferred="hubs", drop_attribution=True).columns)
    ['name', 'geometry']
    """
    path, named = split_spec(spec, layer)
    frame = read_vector(path, layer=choose_layer(path, named, preferred=preferred))
    if drop_attribution:
        frame = frame.drop(columns=["attribution"], errors="ignore")
    return frame


def read_sibling(spec: str, layer: str) -> gpd.GeoDataFrame | None:
    """Read ``layer`` from the file of ``spec`` if that file exists and has such a layer.

    Parameters
    ----------
    spec : str
        ``file`` or ``file#layer``; any ``#layer`` is ignored.
    layer : str
        The layer wanted, e.g. ``"localities"`` from a ``localities.gpkg``.

    Returns
    -------
    GeoDataFrame or None
        The layer, or ``None`` when the file is missing or has no layer of that name.

    Examples
    --------
    >>> read_sibling("missing.gpkg#parishes", "localities") is None
    True
    """
    path, _ = split_spec(spec)
    if not path.exists() or layer not in list_layers(path):
        return None
    return read_vector(path, layer=layer)


def numeric_tier(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with its ``tier`` column (if any) as nullable integers.

    Files written elsewhere may hold the tier as text or floats; unreadable values become
    ``<NA>``. The input is not modified.

    Examples
    --------
    >>> numeric_tier(pd.DataFrame({"tier": ["1", "3.0", "x"]}))["tier"].tolist()
    [1, 3, <NA>]
    >>> list(numeric_tier(pd.DataFrame({"locality": ["A"]})).columns)
    ['locality']
    """
    if "tier" in frame.columns:
        frame = frame.copy()
        frame["tier"] = pd.to_numeric(frame["tier"], errors="coerce").astype("Int64")
    return frame


def read_parish_layer(
    localities: str,
    *,
    layer: str | None = None,
    required: Sequence[str] = _PARISH_COLUMNS,
    drop_attribution: bool = False,
) -> gpd.GeoDataFrame:
    """Read the annotated parish layer of a ``localities.gpkg`` (``tier`` as integers).

    Parameters
    ----------
    localities : str
        The file written by ``localitygis build`` (``file`` or ``file#layer``).
    layer : str, optional
        The parish layer, when not ``parishes`` (e.g. ``--parishes-layer``).
    required : sequence of str, default ("parish_code", "locality")
        Columns the parish layer must have.
    drop_attribution : bool, default False
        Drop the ``attribution`` column (see :func:`read_layer`).

    Returns
    -------
    GeoDataFrame
        The parishes, with ``tier`` (when present) as nullable integers.

    Raises
    ------
    DataError
        The layer lacks one of the ``required`` columns: not a build's parish layer.
    InputFileError
        The file or layer cannot be read.

    Examples
    --------
    >>> read_parish_layer("missing.gpkg")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    localitygis.errors.InputFileError: missing.gpkg not found
    """
    frame = numeric_tier(
        read_layer(localities, layer=layer, preferred="parishes", drop_attribution=drop_attribution)
    )
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise DataError(
            f"{localities}: the parish layer lacks {', '.join(missing)}; give the "
            "localities.gpkg written by `localitygis build` (layer parishes)."
        )
    return frame


def with_tier_names(parishes: gpd.GeoDataFrame, localities: str) -> gpd.GeoDataFrame:
    """Add ``tier_name`` to the parishes from the ``localities`` layer of the same file.

    Parishes that already have ``tier_name``, or whose file has no ``localities`` layer
    with ``locality`` and ``tier_name``, are returned as they are.

    Parameters
    ----------
    parishes : GeoDataFrame
        Parishes with a ``locality`` column (see :func:`read_parish_layer`).
    localities : str
        The ``localities.gpkg`` they came from (``file`` or ``file#layer``).

    Returns
    -------
    GeoDataFrame
        A copy with ``tier_name`` when it could be found, else ``parishes`` itself.

    Examples
    --------
    >>> from shapely import Point
    >>> frame = gpd.GeoDataFrame({"locality": ["A"]}, geometry=[Point(0, 0)], crs=27700)
    >>> "tier_name" in with_tier_names(frame, "missing.gpkg")
    False
    """
    if "tier_name" in parishes:
        return parishes
    table = read_sibling(localities, "localities")
    if table is None or not {"locality", "tier_name"} <= set(table.columns):
        return parishes
    names = dict(zip(table["locality"], table["tier_name"], strict=True))
    parishes = parishes.copy()
    parishes["tier_name"] = parishes["locality"].map(names)
    return parishes


def resolve_scheme(spec: str | None) -> Scheme:
    """Return the scheme ``--scheme`` names: a packaged scheme's name or a TOML file.

    The rule, the same for every command that takes a scheme: an argument that looks like
    a path — it has a suffix (``my.toml``) or a folder separator (``./demo``,
    ``schemes/demo``) — is a scheme file; any other argument is the name of a packaged
    scheme (any case). So a folder or file called ``demo`` in the current folder never
    hides the packaged ``demo`` scheme; name such a file ``./demo`` to read it.

    Parameters
    ----------
    spec : str or None
        ``"herefordshire"`` or ``"demo"``, or the path of a scheme TOML file. ``None``
        gives the Herefordshire scheme.

    Returns
    -------
    Scheme

    Raises
    ------
    InputFileError
        ``spec`` names no packaged scheme, or the scheme file does not exist.
    SchemeError
        The TOML file is not a valid scheme.

    Examples
    --------
    >>> resolve_scheme("demo").name == resolve_scheme("DEMO").name
    True
    >>> looks_like_path("demo"), looks_like_path("./demo"), looks_like_path("my.toml")
    (False, True, True)
    >>> resolve_scheme("atlantis")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    localitygis.errors.InputFileError: scheme 'atlantis' is not a packaged scheme ...
    """
    if spec is None:
        return herefordshire_scheme()
    if not looks_like_path(spec):
        if spec.lower() in PACKAGED_SCHEMES:
            return PACKAGED_SCHEMES[spec.lower()]()
        raise InputFileError(
            f"scheme {spec!r} is not a packaged scheme ({', '.join(PACKAGED_SCHEMES)}); "
            f"to read a scheme file, give its path, e.g. {spec}.toml or ./{spec}."
        )
    path = Path(spec)
    if not path.is_file():
        state = "is a folder" if path.is_dir() else "does not exist"
        raise InputFileError(f"scheme file {path} {state}; give the path of a TOML scheme.")
    return load_scheme(path)


def looks_like_path(spec: str) -> bool:
    r"""Tell whether a ``--scheme`` argument is a path: it has a suffix or a separator.

    Examples
    --------
    >>> [looks_like_path(s) for s in ("demo", "Herefordshire", "a/b", "b.toml", "c\\d")]
    [False, False, True, True, True]
    """
    return bool(Path(spec).suffix) or any(sep in spec for sep in ("/", "\\"))


def print_written(paths: Iterable[Path]) -> None:
    """Print one ``wrote a, b, c`` line naming the files a command wrote.

    Examples
    --------
    >>> print_written([Path("out/a.csv"), Path("out/b.gpkg")])
    wrote out/a.csv, out/b.gpkg
    """
    console.print(
        "wrote " + ", ".join(escape(str(p)) for p in paths), highlight=False, soft_wrap=True
    )
