"""The command: check saved proofs, say which are valid.

    python -m symbolic.geometry.checker PROOF.json [--json] [--seed N]

PROOF.json holds one proof document (``Proof.document()``), or the JSON rows (one per line)
of ``solve-problem FILE --json --proof``, whose proved rows carry their proofs, or the text
``solve-problem FILE --proof`` prints (``text_form``: the witnesses it does not print, rule
instances and AR weights, are searched for, then checked like the rest). Exit codes:
0 every proof is valid, 1 some proof is invalid (each error on one line, naming the problem,
the step and what failed), 2 bad input (unreadable file, not a proof, no proof in it).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .check import BadProof, check_document
from .text_form import TextError, read_text

PROG = "python -m symbolic.geometry.checker"


def document(obj: Any) -> dict[str, Any] | None:
    """The proof document an object holds: itself, or a proved row's proof with its context
    (``proof_context``); None for a row without a proof (not proved). BadProof otherwise."""
    if not isinstance(obj, dict):
        raise BadProof("expected a JSON object")
    if isinstance(obj.get("steps"), list):
        return obj
    if "proof" in obj:
        if not isinstance(obj.get("proof_context"), dict):
            raise BadProof(f"row {obj.get('problem', '?')}: a proof without its "
                           "'proof_context' (written by solve-problem --json --proof)")
        return {**obj["proof_context"], "steps": obj["proof"]}
    if "status" in obj and obj.get("status") != "proved":
        return None
    if obj.get("status") == "proved":
        raise BadProof(f"row {obj.get('problem', '?')}: proved, but the row has no proof "
                       "(write it with solve-problem --json --proof)")
    raise BadProof("neither a proof document nor a solve-problem row with a proof")


def load(path: str | Path) -> list[dict[str, Any]]:
    """The proof documents of a file; BadProof when it holds none or is not JSON."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise BadProof(f"{path}: cannot read: {getattr(e, 'strerror', None) or e}") from None
    if "\nStatement: " in "\n" + text:
        return _printed(text, path)
    try:
        objs = [json.loads(text)]
    except json.JSONDecodeError:
        try:
            objs = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as e:
            raise BadProof(f"{path}: neither a printed proof nor JSON (line {e.lineno}: "
                           f"{e.msg})") from None
    docs = [d for d in (document(o) for o in objs) if d is not None]
    if not docs:
        raise BadProof(f"{path}: no proof in it")
    return docs


def _printed(text: str, path: str | Path) -> list[dict[str, Any]]:
    """The documents of printed proofs (``solve-problem --proof`` output: one block per
    proved problem, each after its problem's line: 'NAME: proved in ...' for one problem, a
    batch row 'proved  SECONDS s  NAME  FILE' for many)."""
    blocks: list[list[str]] = [[]]
    lines = text.splitlines()
    for k, line in enumerate(lines):
        if line.startswith("Goal: "):  # a proof starts, after its problem's line
            head = blocks[-1].pop() if k and blocks[-1] and blocks[-1][-1] == lines[k - 1] else ""
            blocks.append([head] if head else [])
        blocks[-1].append(line)
    docs = []
    for block in blocks:
        if any(x.startswith("Statement: ") for x in block):
            try:
                docs.append(read_text("\n".join(block)))
            except TextError as e:
                raise BadProof(f"{path}: {e}") from None
    return docs


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Check saved geometry proofs step by step, independently of "
        "the prover: every premise given or concluded earlier, every step an instance of its "
        "rule, an exact AR combination or a definition, every fact true on a fresh diagram, "
        "the last step the goal. Exit 0: all valid, 1: some invalid, 2: bad input.")
    parser.add_argument("path", metavar="PROOF",
                        help="a proof document, the rows of solve-problem --json --proof, or "
                        "the text of solve-problem --proof")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object per proof: problem, steps, valid, errors")
    parser.add_argument("--seed", type=int, default=20240615,
                        help="seed of the fresh diagram (default: 20240615)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parse_args(argv)
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else 2
    try:
        reports = [check_document(d, seed=args.seed) for d in load(args.path)]
    except BadProof as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 2
    for r in reports:
        if args.json:
            print(json.dumps(r.to_json()), flush=True)
        elif r.valid:
            print(f"{r.problem}: valid ({r.steps} steps)")
        else:
            print(f"{r.problem}: INVALID ({len(r.errors)} errors)")
            for error in r.errors:
                print(f"{r.problem}: {error}")
    return 0 if all(r.valid for r in reports) else 1
