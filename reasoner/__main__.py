"""``python -m reasoner``: the ``solve-problem`` command."""

from .cli import main

raise SystemExit(main())
