"""Two or more runs of ``solve-problem --json`` side by side: what each proves, and which
problems the others gain or lose against the first.

Reads the JSON rows of each run (plain or ``.gz``; ``LABEL=PATH`` names a run, else the
file's name does; ``PATH+PATH`` reads both, the second's rows replacing the first's) and
prints, per run, the problems, those proved, those proved with auxiliary points (by the
sources of their clauses), the search's attempts and seconds and their rate; then, per later
run, the problems it proves and the first does not (gained) and the other way round (lost),
with the seconds each run took. Runs over different problems
are compared on the problems they share (the table says how many). ``--attempts`` adds, per
run, the search's attempts before each proof by its number of auxiliary points, and on the
problems left unproved: whether the proofs come early in the search or after thousands of
attempts says what a better order of candidates could gain.

    python bench/compare_runs.py all=bench/results/hageo_dev_120s_35b7f03.jsonl.gz \\
        no-neural=bench/results/hageo_dev_120s_589224d_no_neural.jsonl.gz --attempts
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from neural.jsonl import rows as read_rows  # noqa: E402


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", nargs="+", metavar="[LABEL=]ROWS",
                    help="JSON rows of solve-problem --json (.gz too); the first is the base")
    ap.add_argument("--json", action="store_true", help="one JSON object instead of tables")
    ap.add_argument("--attempts", action="store_true",
                    help="a table per run of the attempts before each proof, by its number of "
                         "auxiliary points, and on the unproved problems")
    return ap.parse_args(argv)


def load(spec: str) -> tuple[str, dict[str, dict]]:
    """``LABEL=PATH`` or ``PATH``: the label and the rows by problem name (a problem listed
    twice keeps its last row, as a re-run replaces an earlier one). ``PATH+PATH...`` reads
    several files in turn: a run of a build on the problems its change touches, after the
    run of the build before on all of them, stands for the later build's run of all."""
    label, sep, path = spec.partition("=")
    if not sep:
        label, path = Path(spec).name, spec
    return label, {row["problem"]: row for part in path.split("+") for row in read_rows(part)}


def proved(row: dict) -> bool:
    return row.get("status") == "proved"


def summary(rows: dict[str, dict], names: Sequence[str]) -> dict:
    """Counts over the rows of ``names``: proved, with auxiliary points by source, and the
    search's attempts, seconds and rate (over the rows that record them)."""
    chosen = [rows[n] for n in names]
    done = [r for r in chosen if proved(r)]
    aux = [r for r in done if r.get("auxiliary")]
    sources: Counter[str] = Counter()
    for r in aux:
        kinds = sorted(set(r.get("auxiliary_sources") or ["unknown"]))
        sources["+".join(kinds)] += 1
    searches = [r.get("search", {}) for r in chosen]
    attempts = sum(s.get("tried", 0) for s in searches)
    seconds = sum(s.get("search_seconds", 0.0) for s in searches)
    return {"problems": len(chosen), "proved": len(done), "with_aux": len(aux),
            "aux_sources": dict(sorted(sources.items())), "attempts": attempts,
            "search_seconds": round(seconds, 1),
            "attempts_per_second": round(attempts / seconds, 1) if seconds else None}


def attempts_by_points(rows: dict[str, dict], names: Sequence[str]) -> dict[str, dict]:
    """The search's attempts (``tried``) on the rows of ``names`` that record them: for the
    proofs with k auxiliary points (key ``str(k)``, k >= 1) and for the problems not proved
    (key ``unproved``), how many, the median and the most, and the median of the single
    points tried on the statement (``tried_by_depth``'s depth 1)."""
    groups: dict[str, list[int]] = {}
    singles: dict[str, list[int]] = {}
    for n in names:
        row = rows[n]
        tried = (row.get("search") or {}).get("tried")
        if tried is None:
            continue
        if proved(row):
            k = len(row.get("auxiliary") or ())
            if k == 0:  # proved by DD+AR on a restated goal: no attempt was a point
                continue
            key = str(k)
        else:
            key = "unproved"
        groups.setdefault(key, []).append(tried)
        singles.setdefault(key, []).append(int((row["search"].get("tried_by_depth") or {})
                                               .get("1", 0)))
    order = sorted((k for k in groups if k != "unproved"), key=int) + \
        (["unproved"] if "unproved" in groups else [])
    return {k: {"problems": len(groups[k]), "median": statistics.median(groups[k]),
                "most": max(groups[k]), "single_points_median": statistics.median(singles[k])}
            for k in order}


def differences(base: dict[str, dict], other: dict[str, dict], names: Sequence[str]
                ) -> dict[str, list[tuple[str, float | None, float | None]]]:
    """Problems of ``names`` that ``other`` proves and ``base`` does not (gained) and the
    other way round (lost), each with both runs' seconds."""
    out: dict[str, list[tuple[str, float | None, float | None]]] = {"gained": [], "lost": []}
    for n in names:
        a, b = proved(base[n]), proved(other[n])
        if a != b:
            out["lost" if a else "gained"].append(
                (n, base[n].get("seconds"), other[n].get("seconds")))
    return out


def compare(runs: Sequence[tuple[str, dict[str, dict]]]) -> dict:
    names = sorted(set.intersection(*(set(rows) for _, rows in runs)))
    base_label, base = runs[0]
    return {"shared_problems": len(names),
            "runs": [dict(label=label, **summary(rows, names),
                          attempts_by_points=attempts_by_points(rows, names))
                     for label, rows in runs],
            "against_first": [dict(label=label, **differences(base, rows, names))
                              for label, rows in runs[1:]],
            "first": base_label}


def render(result: dict, attempts: bool = False) -> str:
    lines = [f"{result['shared_problems']} problems in every run", "",
             "| run | proved | with auxiliary points (sources) | attempts | search s "
             "| attempts/s |",
             "|---|---|---|---|---|---|"]
    for r in result["runs"]:
        srcs = ", ".join(f"{k} {v}" for k, v in r["aux_sources"].items()) or "-"
        rate = "-" if r["attempts_per_second"] is None else f"{r['attempts_per_second']:.1f}"
        lines.append(f"| {r['label']} | {r['proved']} / {r['problems']} | {r['with_aux']} ({srcs})"
                     f" | {r['attempts']:,} | {r['search_seconds']:,.1f} | {rate} |")
    if attempts:
        for r in result["runs"]:
            lines += ["", f"{r['label']}: attempts before the proof, by auxiliary points",
                      "| auxiliary points | problems | median attempts | most | median single "
                      "points on the statement |",
                      "|---|---|---|---|---|"]
            for k, g in r["attempts_by_points"].items():
                what = "not proved" if k == "unproved" else k
                lines.append(f"| {what} | {g['problems']} | {g['median']:,g} | {g['most']:,} | "
                             f"{g['single_points_median']:,g} |")
    for d in result["against_first"]:
        lines += ["", f"{d['label']} against {result['first']}: "
                      f"{len(d['gained'])} gained, {len(d['lost'])} lost"]
        for what in ("gained", "lost"):
            for name, a, b in d[what]:
                lines.append(f"  {what:6s} {name}  ({_s(a)} -> {_s(b)})")
    return "\n".join(lines)


def _s(seconds: float | None) -> str:
    return "?" if seconds is None else f"{seconds:.1f} s"


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        runs = [load(spec) for spec in args.runs]
    except (OSError, ValueError, KeyError) as e:
        print(f"compare_runs: cannot read the rows: {e}", file=sys.stderr)
        return 2
    result = compare(runs)
    print(json.dumps(result) if args.json else render(result, args.attempts))
    return 0


if __name__ == "__main__":
    from _cli import main_of

    raise SystemExit(main_of(main))
