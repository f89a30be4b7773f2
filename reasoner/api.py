"""Public API: ``solve`` one problem in-process, ``solve_file`` for every problem of a file.

Which engine solves a problem is the domain registry's business (``reasoner.domains``): a
problem line or a parsed geometry ``Problem`` is proved by DD+AR and the auxiliary search, a
``SygusSource`` or parsed ``Spec`` is synthesized. Hard per-problem limits (killing a runaway
search, or one past ``SolveConfig.memory_limit``) live in ``reasoner.batch``, which runs each
problem in a worker process; ``solve`` and ``solve_file`` run in the calling process and stop
cooperatively at ``SolveConfig.timeout``: a call with ``timeout=S`` ends within S + 1 s
(measured: from 0.15 s before S to 0.11 s past it on large HAGeo problems with the search,
whose loop keeps 2% of S for what follows it; 0.04 s past S on SyGuS) once the engines are
loaded. The first call of a process also imports them, inside its time: the
geometry engine (~0.2 s; numba's kernels, ~1.3 s more, only once the process has spent a second
in their vectorised twins, ``symbolic.geometry.kernels``), and torch with the neural proposer
(~3.5 s) when the search uses that source;
``memory_limit`` is not enforced here. For a limit that holds whatever the engine does (stuck
in z3 or numba), run the problems through ``reasoner.batch.run_batch``.
"""

from __future__ import annotations

from pathlib import Path

from . import domains
from .batch import error_result
from .config import SOURCES, SolveConfig
from .domains.geometry import proposers
from .domains.sygus import SygusSource, solve_sygus, sygus_proposer
from .result import Result

__all__ = ["SOURCES", "SolveConfig", "SygusSource", "proposers", "solve", "solve_file",
           "solve_sygus", "sygus_proposer"]


def solve(problem: object, *, name: str = "problem", file: str = "<string>",
          config: SolveConfig | None = None) -> Result:
    """Solve one problem of any domain: a geometry problem line or ``Problem``, a
    ``SygusSource`` or ``Spec``. Never raises for bad input: a problem that cannot be read,
    drawn, or whose goal is false on the diagram comes back with ``Status.ERROR`` and a
    one-line ``error``."""
    return domains.solve(problem, name=name, file=file, config=config)


def solve_file(path: str | Path, config: SolveConfig | None = None) -> list[Result]:
    """Solve every problem of a problem file in this process, in order; the file's suffix
    chooses the domain. Raises ``InputError`` when the file cannot be read."""
    path = Path(path)
    domain = domains.by_suffix(path.suffix) or domains.DEFAULT
    out = []
    for item in domain.read(path):
        if item.error is not None:
            out.append(error_result(item, item.error))
        else:
            out.append(domain.solve(item.problem, name=item.name, file=item.file,
                                    config=config))
    return out
