"""The typer application behind the ``localitygis`` command, and its error handling.

Each area of the package registers its commands from its own module
(``cli/build.py``, ``cli/assets.py``, ``cli/analysis.py``, ``cli/maps.py``, ``cli/demo.py``).
"""

from __future__ import annotations

import logging
import sys
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from localitygis.errors import LocalityGISError

__all__ = ["app", "console", "err_console", "fail", "main"]

console = Console()
err_console = Console(stderr=True)

app = typer.Typer(
    name="localitygis",
    help="Locality working for a county council: localities, assets, hubs and maps.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


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
    """Print one clear error line and exit with ``code``."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code.

    Errors from localitygis become one line on stderr and exit code 2; anything else
    unexpected becomes one line and exit code 1. ``--debug`` shows the traceback.
    """
    args = sys.argv[1:] if argv is None else argv
    _State.debug = "--debug" in args
    try:
        result = app(args=args, prog_name="localitygis", standalone_mode=False)
    except typer.Exit as stop:
        return int(stop.exit_code or 0)
    except LocalityGISError as error:
        if _State.debug:
            raise
        err_console.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
        return 2
    except KeyboardInterrupt:
        err_console.print("interrupted")
        return 130
    except typer.Abort:
        err_console.print("aborted")
        return 1
    except Exception as error:  # the last line of defence: one line, not a traceback
        if _is_usage_error(error):
            error.show()  # type: ignore[attr-defined]
            return int(error.exit_code)  # type: ignore[attr-defined]
        if _State.debug:
            raise
        err_console.print(
            f"[bold red]unexpected error:[/] {type(error).__name__}: {error} "
            "(run again with --debug for the traceback, and please report it)",
            highlight=False,
            soft_wrap=True,
        )
        return 1
    return result if isinstance(result, int) else 0


def _is_usage_error(error: Exception) -> bool:
    """Tell whether ``error`` is the command-line parser's own (missing option, bad value...).

    typer 0.29 carries its own copy of click, so its usage errors are not
    ``click.ClickException`` instances; recognise both by their class hierarchy's name.
    """
    return any(
        cls.__name__ == "ClickException" and cls.__module__.endswith("click.exceptions")
        for cls in type(error).__mro__
    )


# Each area registers its commands on ``app`` when imported (they import ``app`` from here).
from localitygis.cli import analysis, assets, build, demo, maps, stats  # noqa: E402

__all__ += ["analysis", "assets", "build", "demo", "maps", "stats"]
