"""``python -m verify`` runs the ``verify-net`` command line."""

from .cli import main

raise SystemExit(main())
