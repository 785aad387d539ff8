"""Ctrl-C while the ``localitygis`` command starts: one line, not a traceback (private).

Importing the package (geopandas, shapely, scipy...) takes a second or two. When the
package is imported by the ``localitygis`` command (the console script, or
``python -m localitygis.cli``), SIGINT and SIGTERM in that time end the process with the
line ``interrupted; no files were changed`` and exit code 130 — no file has been touched
yet. :func:`localitygis.cli.main` hands the signals back to Python (and to its own
handling) as soon as it runs, and calls :func:`finished` when it has done. Imported any
other way (a notebook, a script), nothing is installed.
"""

from __future__ import annotations

import itertools
import os
import signal
import sys
import threading
from pathlib import Path

__all__ = ["finished"]

_MESSAGE = b"interrupted; no files were changed\n"


def _launched_as_cli() -> bool:
    argv = list(getattr(sys, "orig_argv", sys.argv))
    as_module = any(pair == ("-m", "localitygis.cli") for pair in itertools.pairwise(argv))
    return as_module or Path(sys.argv[0]).stem == "localitygis"


def _quit(number: int, frame: object) -> None:
    os.write(2, _MESSAGE)
    os._exit(130)


def finished() -> None:
    """Ignore SIGINT and SIGTERM once the command has done its work and said so.

    Only when launched as the command: a signal while the interpreter shuts down would
    otherwise end it by that signal, as if the finished command had failed.
    """
    if _LAUNCHED:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)


_LAUNCHED = _launched_as_cli() and threading.current_thread() is threading.main_thread()
if _LAUNCHED:
    signal.signal(signal.SIGINT, _quit)
    signal.signal(signal.SIGTERM, _quit)
