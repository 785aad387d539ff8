"""The command line's error handling: one clear line and an exit code, never a bare traceback."""

from __future__ import annotations

import pytest

from localitygis.cli import build as build_module
from localitygis.cli import main
from localitygis.errors import DataError


def test_help_lists_every_command(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("build", "assets", "locate", "colocate", "hubs", "profile", "map", "atlas"):
        assert command in out
    assert "demo" in out


def test_missing_option_is_a_usage_error(capsys):
    assert main(["build"]) == 2
    err = capsys.readouterr().err
    assert "Missing option '--parishes'" in err
    assert "Traceback" not in err


def test_unknown_command(capsys):
    assert main(["nosuch"]) == 2
    assert "No such command 'nosuch'" in capsys.readouterr().err


def test_localitygis_errors_are_one_line(tmp_path, capsys):
    code = main(["build", "--parishes", str(tmp_path / "none.gpkg"), "--lookup", "x.csv"])
    assert code == 2
    err = capsys.readouterr().err
    assert "error: Vector file not found" in err
    assert "none.gpkg" in err
    assert "Traceback" not in err


def test_debug_shows_the_traceback(tmp_path):
    with pytest.raises(Exception, match="not found"):
        main(["--debug", "build", "--parishes", str(tmp_path / "none.gpkg"), "--lookup", "x"])


def test_unexpected_errors_are_reported_not_dumped(monkeypatch, tmp_path, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(build_module, "read_parishes", broken)
    code = main(["build", "--parishes", str(tmp_path / "p.gpkg"), "--lookup", "x.csv"])
    assert code == 1
    err = capsys.readouterr().err
    assert "unexpected error: RuntimeError: disk on fire" in err
    assert "--debug" in err
    assert "Traceback" not in err


def test_data_errors_keep_their_message(monkeypatch, tmp_path, capsys):
    def refuse(*args, **kwargs):
        raise DataError("p.gpkg: parish codes repeat: E1 (features 1, 2)")

    monkeypatch.setattr(build_module, "read_parishes", refuse)
    assert main(["build", "--parishes", "p.gpkg", "--lookup", "x.csv"]) == 2
    assert "parish codes repeat: E1" in capsys.readouterr().err


def _panic(message: str) -> BaseException:
    """A Rust extension's panic as pyo3 raises it: ``pyo3_runtime.PanicException``."""
    kind = type("PanicException", (BaseException,), {"__module__": "pyo3_runtime"})
    return kind(message)


def test_ctrl_c_inside_a_rust_extension_is_an_interruption(monkeypatch, tmp_path, capsys):
    def interrupted(*args, **kwargs):
        raise _panic(
            "Failed to access NumPy array API capsule: PyErr { type: <class "
            "'KeyboardInterrupt'>, value: KeyboardInterrupt() }"
        )

    monkeypatch.setattr(build_module, "read_parishes", interrupted)
    code = main(["build", "--parishes", str(tmp_path / "p.gpkg"), "--lookup", "x.csv"])
    assert code == 130
    err = capsys.readouterr().err
    assert err == "interrupted; no files were changed\n"


def test_ctrl_c_wrapped_by_python_is_an_interruption(monkeypatch, tmp_path, capsys):
    # a Ctrl-C while a class is made: Python raises RuntimeError from the KeyboardInterrupt
    def interrupted(*args, **kwargs):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as interrupt:
            raise RuntimeError("Error calling __set_name__ on 'Field' instance") from interrupt

    monkeypatch.setattr(build_module, "read_parishes", interrupted)
    code = main(["build", "--parishes", str(tmp_path / "p.gpkg"), "--lookup", "x.csv"])
    assert code == 130
    assert capsys.readouterr().err == "interrupted; no files were changed\n"


def test_a_plain_runtime_error_is_still_unexpected(monkeypatch, tmp_path, capsys):
    def broken(*args, **kwargs):
        try:
            raise ValueError("inner")
        except ValueError as inner:
            raise RuntimeError("outer") from inner

    monkeypatch.setattr(build_module, "read_parishes", broken)
    code = main(["build", "--parishes", str(tmp_path / "p.gpkg"), "--lookup", "x.csv"])
    assert code == 1
    assert "unexpected error: RuntimeError: outer" in capsys.readouterr().err


def test_a_rust_extension_panic_is_reported_not_dumped(monkeypatch, tmp_path, capsys):
    def panicked(*args, **kwargs):
        raise _panic("index out of bounds")

    monkeypatch.setattr(build_module, "read_parishes", panicked)
    code = main(["build", "--parishes", str(tmp_path / "p.gpkg"), "--lookup", "x.csv"])
    assert code == 1
    err = capsys.readouterr().err
    assert "unexpected error: PanicException: index out of bounds" in err
    assert "Traceback" not in err
