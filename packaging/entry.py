"""Entry point of the frozen app (PyInstaller runs this script as ``__main__``).

``coze-desktop [Qt options]`` runs :func:`coze_desktop.app.main` like ``python -m coze_desktop``.
Two hidden flags exist for CI and support:

- ``--frozen-check``: checks what freezing can break (keyring backends and their metadata,
  certifi's CA bundle, the demo server and one chat through ``CozeClient``, Pygments lexers and
  styles, Qt plugins and the app's resources), prints one line per check and exits 0 only if all
  passed. It never opens a window or touches the data folder.
- ``--smoke`` is the app's own flag: build the main window, print ``smoke ok: …``, exit.
"""

from __future__ import annotations

import sys


def main() -> int:
    """Dispatch to the frozen self-check or to the app."""
    if "--frozen-check" in sys.argv[1:]:
        import frozen_check

        return frozen_check.main()
    from coze_desktop.app import main as app_main

    return app_main()


if __name__ == "__main__":
    raise SystemExit(main())
