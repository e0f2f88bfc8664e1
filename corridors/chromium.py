"""Where the Chromium (or Chrome) that draws static charts and runs the browser tests is.

One rule for the whole project: ``CORRIDORS_CHROMIUM``, then ``BROWSER_PATH`` (the
variable kaleido reads), then the usual names on the ``PATH``. The dashboard's exports,
the command line, the test suite and ``scripts/ensure-chromium.sh`` all ask here.
``python -m corridors.chromium`` prints the path, or says what to do and exits 1.
"""

from __future__ import annotations

import os
import shutil
import sys

#: Environment variables naming a browser, in the order they are read.
BROWSER_VARIABLES = ("CORRIDORS_CHROMIUM", "BROWSER_PATH")
#: Executable names looked up on the PATH when no variable names one.
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
HINT = "install Debian's `chromium` (`make test` and `make run` do it as root) or set CORRIDORS_CHROMIUM=/path/to/chrome"


class ChromiumNotFound(RuntimeError):
    """No usable browser; the message says which setting is wrong or what to install."""


def find_chromium() -> str:
    """The path of the browser to drive.

    Raises
    ------
    ChromiumNotFound
        When a variable names something that is not an executable file (it is not
        silently skipped), or when nothing is found.
    """
    for variable in BROWSER_VARIABLES:
        named = os.environ.get(variable)
        if named:
            if os.path.isfile(named) and os.access(named, os.X_OK):
                return named
            raise ChromiumNotFound(f"{variable}={named} is not an executable browser; {HINT}")
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise ChromiumNotFound(f"no Chromium or Chrome was found; {HINT}")


def main() -> int:
    try:
        print(find_chromium())
    except ChromiumNotFound as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
