"""The orchestrator: public API (``solve``), the search loop and the ``solve-problem`` CLI."""

from .api import solve, solve_file
from .result import Result, Status

__all__ = ["solve", "solve_file", "Result", "Status"]
