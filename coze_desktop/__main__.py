"""``python -m coze_desktop``: run the desktop app."""

from coze_desktop.app import main

raise SystemExit(main())
