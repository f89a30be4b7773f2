"""The orchestrator: public API (``solve``, ``generate``), the search loop and the
``solve-problem`` CLI."""

from .api import solve, solve_file
from .generate import Generation, IncompleteGeneration, generate
from .result import Result, Status

__all__ = ["solve", "solve_file", "generate", "Generation", "IncompleteGeneration", "Result",
           "Status"]
