"""``python -m neural.sygus harvest|train``: teacher data and training of the SyGuS guidance."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .splits import DEFAULT_ROOT


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m neural.sygus", description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    h = sub.add_parser("harvest", help="teacher solutions of train-split files, as JSONL")
    h.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    h.add_argument("--engine", choices=("cvc5", "neurosym"), default="cvc5",
                   help="the teacher: cvc5, or our synthesizer under uniform rule weights")
    h.add_argument("--per-track", type=int, default=40)
    h.add_argument("--offset", type=int, default=0,
                   help="skip the first files of each track's sample order")
    h.add_argument("--timeout", type=float, default=5.0)
    h.add_argument("--jobs", type=int, default=2)
    h.add_argument("--cluster", metavar="ADDRESS",
                   help="solve on a Ray cluster (local, auto or HOST:PORT; pip install "
                        "'neurosym[cluster]'), the files read by its workers (several machines: "
                        "a shared file system), the records written here in the same order")
    h.add_argument("--no-seconds", dest="seconds", action="store_false",
                   help="leave each solve's seconds out of the records, so that two runs "
                        "(local or --cluster, any --jobs) write the same bytes")
    h.add_argument("--out", type=Path, default=Path("sygus_harvest.jsonl"))
    t = sub.add_parser("train", help="fit the model on harvested solutions, write weights")
    t.add_argument("data", type=Path, nargs="+", help="harvest JSONL files (or .jsonl.gz)")
    t.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    t.add_argument("--epochs", type=int, default=300)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--out", type=Path, default=None, help="default: the shipped weights")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    root = args.root.resolve()
    if args.cmd == "harvest":
        from symbolic.cluster import ClusterError

        from .harvest import harvest

        try:
            solved = harvest(root, args.out, args.per_track, args.timeout, args.jobs,
                             args.engine, args.offset, cluster=args.cluster,
                             seconds=args.seconds)
        except ClusterError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        print(" ".join(f"{t}={n}" for t, n in solved.items()), f"total={sum(solved.values())}",
              f"-> {args.out}")
        return 0
    from .train import train

    report = train(args.data, root, args.out, epochs=args.epochs, seed=args.seed)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
