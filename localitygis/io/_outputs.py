"""Whole files and whole sets of files (private; see :mod:`localitygis.io`).

Every file localitygis writes appears whole or not at all, and a command's files are
replaced as one set:

* :func:`atomic_path` yields a temporary name beside the target (same folder, hence same
  file system); the caller writes there, and the file is renamed into place only when the
  block ends without an error. An interrupted write leaves the previous file untouched.
* :class:`OutputSet` stages a command's files in a hidden folder inside the output
  folder, and only when all are written renames them into place, removes the files its
  previous run wrote that are no longer in the set, and writes ``manifest.json`` last,
  listing each file with its size, SHA-256 and row count (per layer for GeoPackages) and
  the run. Ctrl-C and SIGTERM are held back during those few renames, so an interrupted
  command leaves the previous run's set intact.
* :func:`check_out_folder` checks that an output folder can be written *before* the work
  starts, so a read-only folder or a file in the way is one clear error, not a failure
  after the whole computation.
* :func:`verify_outputs` checks a folder against its manifest: a reader can trust the
  files it lists.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as _dt
import hashlib
import json
import os
import shutil
import signal
import sys
import threading
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import pyogrio

from localitygis.errors import InputFileError
from localitygis.io._paths import PathType

MANIFEST = "manifest.json"
_STAGING_PREFIX = ".localitygis-staging-"
_FORMAT = "localitygis-manifest/1"


def _temporary_name(target: Path) -> Path:
    """Return a hidden name beside ``target`` with its suffix (drivers choose formats by it)."""
    return target.with_name(f".{target.stem}.{uuid.uuid4().hex[:8]}.part{target.suffix}")


def _remove_partial(temporary: Path) -> None:
    """Remove a temporary file and any side files a driver left (``-journal``, ``-wal``)."""
    for leftover in temporary.parent.glob(temporary.name + "*"):
        with contextlib.suppress(OSError):
            leftover.unlink()


@contextlib.contextmanager
def atomic_path(path: PathType) -> Iterator[Path]:
    r"""Yield a temporary path beside ``path``; rename it onto ``path`` if the block succeeds.

    Write the whole file to the yielded path. On success it replaces ``path`` in one
    rename; on any error or interruption it is removed and ``path`` is left as it was.

    Parameters
    ----------
    path : str or path-like
        The file to (re)write. Its folder is created if needed.

    Yields
    ------
    pathlib.Path
        A hidden temporary name in the same folder, with the same suffix.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "table.csv"
    >>> with atomic_path(target) as temporary:
    ...     _ = temporary.write_text("a\n1\n")
    >>> target.read_text()
    'a\n1\n'
    >>> try:
    ...     with atomic_path(target) as temporary:
    ...         _ = temporary.write_text("half a fi")
    ...         raise KeyboardInterrupt
    ... except KeyboardInterrupt:
    ...     pass
    >>> target.read_text(), sorted(p.name for p in target.parent.iterdir())
    ('a\n1\n', ['table.csv'])
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = _temporary_name(target)
    try:
        yield temporary
        if not temporary.exists():
            raise InputFileError(f"nothing was written to {target}.")
        os.replace(temporary, target)
    finally:
        _remove_partial(temporary)


def check_out_folder(folder: PathType) -> Path:
    """Check that ``folder`` is (or can be made) a folder localitygis can write to.

    Run it before the work starts, so that a read-only folder or a file standing where the
    folder should be is one clear error rather than a failure after the computation.

    Parameters
    ----------
    folder : str or path-like
        The output folder; created (with its parents) if it does not exist.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    InputFileError
        The path is an existing file, or the folder cannot be created or written.

    Examples
    --------
    >>> import tempfile
    >>> base = Path(tempfile.mkdtemp())
    >>> check_out_folder(base / "out").is_dir()
    True
    >>> _ = (base / "taken").write_text("x")
    >>> check_out_folder(base / "taken")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    localitygis.errors.InputFileError: output folder .../taken is an existing file; ...
    """
    target = Path(folder)
    blocker = next((p for p in (target, *target.parents) if p.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise InputFileError(
            f"output folder {target} is an existing file ({blocker}); give a folder, "
            "or move the file."
        )
    try:
        target.mkdir(parents=True, exist_ok=True)
        probe = target / f".localitygis-write-test-{uuid.uuid4().hex[:8]}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise InputFileError(
            f"cannot write to output folder {target} ({reason}); choose another --out or "
            "fix its permissions."
        ) from None
    return target


def check_out_file(path: PathType) -> Path:
    """Check that the file ``path`` can be written: not a folder, its folder writable.

    Examples
    --------
    >>> import tempfile
    >>> base = Path(tempfile.mkdtemp())
    >>> check_out_file(base / "maps" / "county.html").name
    'county.html'
    >>> check_out_file(base)  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    localitygis.errors.InputFileError: output file ... is a folder; ...
    """
    target = Path(path)
    if target.is_dir():
        raise InputFileError(f"output file {target} is a folder; give a file name.")
    check_out_folder(target.parent)
    return target


class OutputSet:
    r"""A command's output files, written to a staging folder and put in place together.

    Use it as a context manager; :meth:`path` gives the staging path to write each file
    to. When the block ends without an error the files are renamed into ``folder``, the
    files the same ``key`` wrote before and no longer writes are removed, and
    ``manifest.json`` is updated last. On an error or interruption nothing in ``folder``
    changes.

    Parameters
    ----------
    folder : str or path-like
        The output folder (checked with :func:`check_out_folder` on entry).
    key : str
        The name of the set in the manifest, e.g. the command (``"build"``). Sets with
        other keys sharing the folder are left alone.
    optional : iterable of str, default ()
        Files the set writes only when it has something to put in them (``rejects.csv``):
        one this run does not write is removed, even if no manifest lists it, since a
        stale copy would mislead.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with OutputSet(folder, "example") as files:
    ...     _ = files.path("a.csv").write_text("x\n1\n2\n")
    >>> [p.name for p in files.written]
    ['a.csv']
    >>> read_manifest(folder)["sets"]["example"]["files"]["a.csv"]["rows"]
    2
    >>> with OutputSet(folder, "example") as files:
    ...     _ = files.path("b.csv").write_text("y\n")
    >>> sorted(p.name for p in folder.iterdir()), verify_outputs(folder)
    (['b.csv', 'manifest.json'], [])
    """

    #: Sets committed in this process (the CLI says which, if it is interrupted later).
    committed: list[OutputSet] = []  # noqa: RUF012

    def __init__(self, folder: PathType, key: str, *, optional: Iterable[str] = ()) -> None:
        self.folder = Path(folder)
        self.key = key
        self.optional = frozenset(optional)
        self.written: list[Path] = []
        self._names: list[str] = []
        self._stage: Path | None = None

    def __enter__(self) -> OutputSet:
        check_out_folder(self.folder)
        _remove_abandoned_stages(self.folder)
        self._stage = self.folder / f"{_STAGING_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._stage.mkdir()
        return self

    def path(self, name: str) -> Path:
        """Return the staging path for the output file ``name`` (a plain file name)."""
        if self._stage is None:
            raise RuntimeError("OutputSet.path() is used inside a `with` block")
        if Path(name).name != name or name == MANIFEST:
            raise ValueError(f"{name!r} is not a plain output file name")
        if name not in self._names:
            self._names.append(name)
        return self._stage / name

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if kind is None:
                self._commit()
        finally:
            if self._stage is not None:
                shutil.rmtree(self._stage, ignore_errors=True)

    def _commit(self) -> None:
        assert self._stage is not None
        present = [n for n in self._names if (self._stage / n).exists()]
        entries = {name: describe_file(self._stage / name) for name in present}
        manifest = read_manifest(self.folder)
        previous = set(manifest["sets"].get(self.key, {}).get("files", {})) | self.optional
        manifest["sets"][self.key] = {"run": _run(), "files": entries}
        with _signals_held():
            for name in present:
                os.replace(self._stage / name, self.folder / name)
            for name in previous - set(entries) - _claimed(manifest, self.key):
                with contextlib.suppress(FileNotFoundError):
                    (self.folder / name).unlink()
            _write_json(self.folder / MANIFEST, manifest)
            self.written = [self.folder / name for name in present]
            OutputSet.committed.append(self)


def _remove_abandoned_stages(folder: Path) -> None:
    """Remove staging folders left by runs killed outright (their process is gone)."""
    for stage in folder.glob(f"{_STAGING_PREFIX}*"):
        pid = stage.name.removeprefix(_STAGING_PREFIX).split("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(stage, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _claimed(manifest: dict[str, Any], key: str) -> set[str]:
    """Files listed by the folder's other sets (never removed as this set's stale files)."""
    return {
        name
        for other, entry in manifest["sets"].items()
        if other != key
        for name in entry.get("files", {})
    }


def _run() -> dict[str, Any]:
    from localitygis import __version__

    return {
        "argv": ["localitygis", *sys.argv[1:]],
        "finished": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "localitygis": __version__,
    }


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold back SIGINT and SIGTERM for the duration, then deliver any that came."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM)
    before = {s: signal.signal(s, lambda number, _frame: caught.append(number)) for s in held}
    try:
        yield
    finally:
        for held_signal, handler in before.items():
            signal.signal(held_signal, handler)
        for number in caught[:1]:
            signal.raise_signal(number)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    with atomic_path(path) as temporary:
        temporary.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")


def describe_file(path: PathType) -> dict[str, Any]:
    r"""Size, SHA-256 and row count of an output file, as the manifest lists it.

    ``rows`` is the number of data rows of a CSV, the number of features of a GeoJSON,
    a mapping of layer → features for a GeoPackage, and absent for other files.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = path.write_text('a,b\n1,"two\nlines"\n3,4\n')
    >>> describe_file(path)["rows"]
    2
    """
    file = Path(path)
    digest = hashlib.sha256()
    with file.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    entry: dict[str, Any] = {"bytes": file.stat().st_size, "sha256": digest.hexdigest()}
    rows = _rows(file)
    if rows is not None:
        entry["rows"] = rows
    return entry


def _rows(file: Path) -> int | dict[str, int] | None:
    suffix = file.suffix.lower()
    if suffix == ".csv":
        with file.open(encoding="utf-8-sig", newline="") as stream:
            return max(sum(1 for _ in csv.reader(stream)) - 1, 0)
    if suffix == ".geojson":
        return int(pyogrio.read_info(file)["features"])
    if suffix == ".gpkg":
        return {
            str(name): int(pyogrio.read_info(file, layer=str(name))["features"])
            for name, _ in pyogrio.list_layers(file)
        }
    return None


def read_manifest(folder: PathType) -> dict[str, Any]:
    """Return the ``manifest.json`` of ``folder`` (an empty manifest if there is none).

    Examples
    --------
    >>> import tempfile
    >>> read_manifest(tempfile.mkdtemp())
    {'format': 'localitygis-manifest/1', 'sets': {}}
    """
    path = Path(folder) / MANIFEST
    empty: dict[str, Any] = {"format": _FORMAT, "sets": {}}
    if not path.exists():
        return empty
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return empty
    if not isinstance(data, dict) or not isinstance(data.get("sets"), dict):
        return empty
    return data


def verify_outputs(folder: PathType) -> list[str]:
    r"""Check every file the manifest of ``folder`` lists; return the problems (none: ``[]``).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with OutputSet(folder, "example") as files:
    ...     _ = files.path("a.csv").write_text("x\n1\n")
    >>> _ = (folder / "a.csv").write_text("x\n")
    >>> verify_outputs(folder)
    ['a.csv (set example): its contents differ from the manifest']
    """
    base = Path(folder)
    problems = []
    for key, entry in read_manifest(base)["sets"].items():
        for name, wanted in entry.get("files", {}).items():
            file = base / name
            if not file.is_file():
                problems.append(f"{name} (set {key}): missing")
            elif describe_file(file).get("sha256") != wanted.get("sha256"):
                problems.append(f"{name} (set {key}): its contents differ from the manifest")
    return problems
