"""The typer application behind the ``localitygis`` command, and its error handling.

Each area of the package registers its commands from its own module
(``cli/build.py``, ``cli/assets.py``, ``cli/stats.py``, ``cli/colocate.py``, ``cli/hubs.py``,
``cli/profile.py``, ``cli/maps.py``, ``cli/demo.py``).
"""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Annotated, NoReturn, Protocol, TypeGuard

import typer
from rich.console import Console
from rich.markup import escape

from localitygis._startup import finished
from localitygis.errors import LocalityGISError
from localitygis.io import OutputSet

__all__ = ["app", "console", "err_console", "fail", "main"]

console = Console()
err_console = Console(stderr=True)

app = typer.Typer(
    name="localitygis",
    help="Locality working for a county council: localities, assets, hubs and maps.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Help texts are plain text with Markdown-ish code spans: Rich markup would swallow
    # "[vocabulary]" and the like.
    rich_markup_mode="markdown",
)


#: typer turns Ctrl-C during a command into this return value (commands return None).
_TYPER_INTERRUPTED = 130


class _State:
    debug = False


@app.callback()
def _root(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show full tracebacks for errors.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress.")] = False,
) -> None:
    """Locality working for a county council: localities, assets, hubs and maps."""
    _State.debug = debug
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


def fail(message: str, *, code: int = 2) -> NoReturn:
    """Print one clear error line and exit with ``code``.

    ``message`` is plain text (it may quote file names and data): it is escaped, so
    ``[brackets]`` in it are printed as they are, never read as Rich markup.
    """
    _error_line("error:", message)
    raise typer.Exit(code)


def _error_line(label: str, message: str) -> None:
    err_console.print(f"[bold red]{label}[/] {escape(message)}", highlight=False, soft_wrap=True)


def _interrupted() -> str:
    """Say what Ctrl-C or SIGTERM left: which output sets (if any) were already complete."""
    done = OutputSet.committed
    if not done:
        return "interrupted; no files were changed"
    folders = ", ".join(dict.fromkeys(f"{s.key} in {s.folder}" for s in done))
    return (
        f"interrupted; the outputs already complete were kept ({folders}); nothing else was changed"
    )


def _terminate(number: int, frame: object) -> NoReturn:
    """SIGTERM is handled as Ctrl-C is, so partial outputs are cleaned away."""
    raise KeyboardInterrupt


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    try:
        previous = signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code.

    Errors from localitygis become one line on stderr and exit code 2; anything else
    unexpected becomes one line and exit code 1. ``--debug`` shows the traceback. Ctrl-C
    and SIGTERM exit with code 130 and one line saying which files, if any, were changed.
    """
    args = sys.argv[1:] if argv is None else argv
    _State.debug = "--debug" in args
    OutputSet.committed.clear()
    try:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.default_int_handler)  # see localitygis._startup
        with _sigterm_as_interrupt():
            return _run(args)
    except KeyboardInterrupt:
        err_console.print(_interrupted(), highlight=False, markup=False, soft_wrap=True)
        return 130
    finally:
        finished()


def _run(args: list[str]) -> int:
    try:
        result = app(args=args, prog_name="localitygis", standalone_mode=False)
    except typer.Exit as stop:
        return int(stop.exit_code or 0)
    except LocalityGISError as error:
        if _State.debug:
            raise
        _error_line("error:", str(error))
        return 2
    except typer.Abort:
        err_console.print("aborted")
        return 1
    except Exception as error:  # the last line of defence: one line, not a traceback
        if _is_usage_error(error):
            error.show()
            return int(error.exit_code)
        if _caused_by_interrupt(error):  # Ctrl-C wrapped by Python, e.g. in __set_name__
            raise KeyboardInterrupt from error
        return _unexpected(error)
    except BaseException as error:  # a Rust extension's panic is not an Exception
        if not _is_panic(error):
            raise  # KeyboardInterrupt and SystemExit: main and Python handle them
        if "KeyboardInterrupt" in str(error):  # Ctrl-C landed inside the extension
            raise KeyboardInterrupt from error
        return _unexpected(error)
    if result == _TYPER_INTERRUPTED:
        raise KeyboardInterrupt
    return result if isinstance(result, int) else 0


def _unexpected(error: BaseException) -> int:
    """Say in one line that something nobody expected went wrong (``--debug``: raise it)."""
    if _State.debug:
        raise error
    _error_line(
        "unexpected error:",
        f"{type(error).__name__}: {error} "
        "(run again with --debug for the traceback, and please report it)",
    )
    return 1


def _caused_by_interrupt(error: BaseException) -> bool:
    """Tell whether a KeyboardInterrupt lies behind ``error`` (its causes and contexts).

    Python wraps an exception raised while a class is being made (a ``__set_name__`` hook,
    as pydantic's dataclasses have) in a RuntimeError; a Ctrl-C that lands there arrives
    as that RuntimeError, its cause the KeyboardInterrupt.
    """
    seen: set[int] = set()
    link: BaseException | None = error
    while link is not None and id(link) not in seen:
        if isinstance(link, KeyboardInterrupt):
            return True
        seen.add(id(link))
        link = link.__cause__ or link.__context__
    return False


def _is_panic(error: BaseException) -> bool:
    """Tell whether ``error`` is a panic of a Rust extension (pyo3's ``PanicException``).

    convertbng (OSTN15) is one: a Ctrl-C while it first loads NumPy's API reaches Python as
    a panic naming the KeyboardInterrupt, and a panic derives from ``BaseException``.
    """
    kind = type(error)
    return kind.__name__ == "PanicException" and kind.__module__ == "pyo3_runtime"


class _UsageError(Protocol):
    """What the command-line parser's own errors offer: their message and exit code."""

    exit_code: int

    def show(self) -> None: ...


def _is_usage_error(error: Exception) -> TypeGuard[_UsageError]:
    """Tell whether ``error`` is the command-line parser's own (missing option, bad value...).

    typer 0.29 carries its own copy of click, so its usage errors are not
    ``click.ClickException`` instances; recognise both by their class hierarchy's name.
    """
    return any(
        cls.__name__ == "ClickException" and cls.__module__.endswith("click.exceptions")
        for cls in type(error).__mro__
    )


# Each area registers its commands on ``app`` when imported (they import ``app`` from here),
# so the help lists them in this order: the pipeline, then the demo that runs it.
from localitygis.cli import build  # noqa: E402, I001
from localitygis.cli import assets  # noqa: E402
from localitygis.cli import stats  # noqa: E402
from localitygis.cli import colocate, hubs, profile  # noqa: E402
from localitygis.cli import maps  # noqa: E402
from localitygis.cli import demo  # noqa: E402

__all__ += ["assets", "build", "colocate", "demo", "hubs", "maps", "profile", "stats"]
