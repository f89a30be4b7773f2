"""What every bench script does with input it cannot use: one line on stderr naming the file
(and, where the engine says it, the line), exit 2, no traceback; Ctrl-C exits 130.

Each script ends with ``raise SystemExit(main_of(main))``. The errors caught are the ones the
engines raise for bad input (each a one-line message naming the file) and a file or folder
named on the command line that is missing or unreadable; anything else is a bug and keeps
its traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

# the engines' input errors: (module, class); a class whose module was never imported cannot
# have been raised, so only the loaded ones are looked up (no import here: this folder's
# scripts, first on ``sys.path``, would shadow packages of the same name, ``verify``)
ENGINE_ERRORS = (("reasoner.domains.base", "InputError"),
                 ("symbolic.geometry.errors", "GeometryError"),
                 ("symbolic.sygus.errors", "SygusError"),
                 ("verify.errors", "VerifyError"),
                 ("neural.proposer", "WeightsError"))


def input_errors() -> tuple[type[BaseException], ...]:
    """The exception types that mean the input cannot be used: a file or folder that is
    missing or unreadable, and the loaded engines' input errors."""
    found: list[type[BaseException]] = [FileNotFoundError, IsADirectoryError,
                                        NotADirectoryError, PermissionError]
    for module, name in ENGINE_ERRORS:
        loaded = sys.modules.get(module)
        if loaded is not None:
            found.append(getattr(loaded, name))
    return tuple(found)


def message(error: BaseException) -> str:
    """One line: an OS error as the file and the reason, an engine's error as it says it."""
    if isinstance(error, OSError) and error.filename is not None:
        return f"cannot read {error.filename}: {error.strerror}"
    return " ".join(str(error).split()) or type(error).__name__


def main_of(main: Callable[[], int | None], prog: str | None = None) -> int:
    """``main()``'s exit code, or 2 with one line on stderr for input it cannot use."""
    prog = prog or Path(sys.argv[0]).name
    try:
        return main() or 0
    except KeyboardInterrupt:
        return 130
    except Exception as e:
        if not isinstance(e, input_errors()):
            raise
        print(f"{prog}: error: {message(e)}", file=sys.stderr)
        return 2
