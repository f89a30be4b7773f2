"""One problem searched by several workers at once: disjoint shares of the best-first search,
the first checked proof wins, the other workers are killed (no process left behind)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np
from fixed_proposer import Fixed
from needs_aux import BISECTOR_FEET, INCENTRE

from reasoner.batch import WorkItem, in_order, run_batch, spread
from reasoner.cli import main
from reasoner.config import SolveConfig
from reasoner.result import Result, Status
from reasoner.search import SearchConfig, search
from symbolic.geometry.numeric import build_diagram
from symbolic.geometry.problem import parse_problem
from symbolic.geometry.proof import check_proof

USELESS = ("x = midpoint x a b", "x = midpoint x b c", "x = midpoint x a c")
PROVES = INCENTRE  # DD+AR proves the goal with it


def test_the_workers_best_first_shares_are_disjoint_and_cover_the_one_worker_search():
    problem = parse_problem(BISECTOR_FEET)
    base = SearchConfig(timeout=60, depth=1, trajectory_depth=0)
    one = search(problem, [Fixed(*USELESS)], base)
    shares = [search(problem, [Fixed(*USELESS)],
                     SearchConfig(timeout=60, depth=1, trajectory_depth=0, worker=i, workers=2))
              for i in range(2)]
    assert not one.outcome.proved and one.tried == 3
    assert [s.tried for s in shares] == [2, 1]  # places 0, 2 and place 1
    assert all(s.stats["workers"] == 2 and s.stats["worker"] == i for i, s in enumerate(shares))


def test_the_worker_whose_share_holds_the_proving_point_proves_at_its_first_try():
    problem = parse_problem(BISECTOR_FEET, name="bisector_feet")
    found = search(problem, [Fixed(USELESS[0], PROVES)],
                   SearchConfig(timeout=60, depth=1, trajectory_depth=0, worker=1, workers=2))
    assert found.outcome.proved and found.tried == 1 and found.auxiliary == (PROVES,)
    coords = build_diagram(found.problem, np.random.default_rng(7)).coords
    check_proof(found.outcome.proof, coords, found.outcome.diagram.coords)


def test_workers_other_than_the_first_draw_trajectories_from_streams_of_their_own():
    from reasoner.search import _Run

    problem = parse_problem(BISECTOR_FEET)
    draws = []
    for worker in range(3):
        run = _Run(problem, [], SearchConfig(seed=5, worker=worker, workers=3), None, 0.0)
        draws.append(run.rng.random(4).tolist())
    assert draws[0] == np.random.default_rng(5).random(4).tolist()  # worker 0: the seed's
    assert len({tuple(d) for d in draws}) == 3


def test_spread_shares_the_jobs_among_fewer_searchable_problems():
    geo = [WorkItem(f"g{k}", "f.txt", "geometry", problem="p") for k in range(3)]
    sygus = WorkItem("s", "s.sl", "sygus", problem="p")
    config = SolveConfig()
    assert spread(geo[:1], config, jobs=4, workers=None) == [4]
    assert spread(geo, config, jobs=4, workers=None) == [2, 1, 1]
    assert spread(geo, config, jobs=2, workers=None) == [1, 1, 1]
    assert spread([*geo[:1], sygus], config, jobs=6, workers=None) == [3, 1]
    assert spread(geo[:2], config, jobs=1, workers=3) == [3, 3]
    assert spread(geo[:1], SolveConfig(aux=False), jobs=4, workers=None) == [1]
    assert spread(geo[:1], config, jobs=4) == [1]  # the API's default: one worker


def children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if entry.isdigit() and int(fields[1]) == pid and fields[0] != "Z":
            out.append(int(entry))
    return out


def racing_solver(problem, *, name, file, config):
    """Worker 1 proves at once; the others write their pid to ``problem`` and sleep."""
    if config.worker == 1:
        return Result(name, file, "geometry", Status.PROVED, 0.1, steps=3,
                      stats={"search": {"tried": 4}})
    Path(problem, str(config.worker)).write_text(str(os.getpid()))
    time.sleep(60)
    raise AssertionError("not killed")


def test_the_first_proof_wins_and_the_other_workers_are_killed(tmp_path):
    item = WorkItem("p", "f.txt", "geometry", problem=str(tmp_path))
    start = time.monotonic()
    (result,) = in_order(run_batch([item], SolveConfig(timeout=60), jobs=3, workers=None,
                                   solver=racing_solver))
    assert time.monotonic() - start < 30
    assert result.status is Status.PROVED
    assert result.stats["search"] == {"tried": 4, "worker": 1, "workers": 3, "tried_all": 4,
                                      "workers_answered": 1}
    assert children(os.getpid()) == []
    for pid in (int(f.read_text()) for f in tmp_path.iterdir()):  # the losers started...
        assert not Path(f"/proc/{pid}").exists() or \
            Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"


def failing_solver(problem, *, name, file, config):
    status = Status.TIMEOUT if config.worker == 1 else Status.UNKNOWN
    return Result(name, file, "geometry", status, 1.0 + config.worker,
                  stats={"search": {"tried": 10 + config.worker}})


def test_without_a_proof_every_worker_ends_and_the_row_is_the_worst_of_theirs():
    item = WorkItem("p", "f.txt", "geometry", problem="x")
    (result,) = in_order(run_batch([item], SolveConfig(timeout=60), jobs=1, workers=3,
                                   solver=failing_solver))
    assert result.status is Status.TIMEOUT and result.seconds == 3.0
    assert result.stats["search"]["tried_all"] == 10 + 11 + 12
    assert result.stats["search"]["worker"] == 1


def test_solve_problem_with_two_workers_per_problem_proves_and_says_which_won(tmp_path, capsys):
    f = tmp_path / "p.txt"
    f.write_text("bisector_feet\n" + BISECTOR_FEET + "\n")
    code = main([str(f), "--sources", "heuristic", "--workers-per-problem", "2", "--json",
                 "--timeout", "60"])
    (row,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0 and row["status"] == "proved" and row["auxiliary"]
    assert row["search"]["workers"] == 2 and row["search"]["worker"] in (0, 1)
    assert row["search"]["tried_all"] >= row["search"]["tried"] >= 1
    assert children(os.getpid()) == []
