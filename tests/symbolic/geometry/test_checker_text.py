"""The checker reads proofs as people read them: the text ``solve-problem --proof`` prints.
It accepts every printed proof of the example problems and rejects mutated texts."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from symbolic.geometry.checker import check_document, main
from symbolic.geometry.checker.text_form import TextError, read_text
from symbolic.geometry.problem import read_problems
from symbolic.geometry.prover import prove
from symbolic.geometry.tables import rules

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "problems" / "geometry"


def _proofs(name: str) -> list[tuple[str, dict[str, str]]]:
    """(printed proof, step id -> the predicate it concludes) of each proved problem."""
    out = []
    for p in read_problems(EXAMPLES / name):
        if not isinstance(p, Exception):
            outcome = prove(p)
            if outcome.proof is not None:
                preds = {s["id"]: s["fact"].split()[0] for s in outcome.proof.to_json()}
                out.append((f"{p.name}: proved in 0.1 s\n" + outcome.proof.text(), preds))
    return out


def _texts(name: str) -> list[str]:
    return [t for t, _ in _proofs(name)]


def _concludes(rule) -> set[str]:
    """The stored predicates a table rule may conclude."""
    p = rule.conclusion.pred
    return {c.stored.name for c in p.cases or (p,)}


@pytest.mark.parametrize("name", ["examples.txt", "rule_witnesses.txt", "synthetic_sample.txt"])
def test_accepts_every_printed_proof(name):
    texts = _texts(name)
    assert texts
    for text in texts:
        report = check_document(read_text(text))
        assert report.valid, (text.splitlines()[0], report.errors)


def _mutants(text: str, preds: dict[str, str], rng: random.Random):
    """Printed proofs with one step changed so that it no longer follows: a premise dropped
    (not from merges and folds, which may have one to spare), or the rule renamed to a table
    rule that cannot conclude the step's predicate."""
    lines = text.splitlines()
    table = {r.id: r for r in rules()}
    for k, line in enumerate(lines):
        m = re.match(r"^(\s*\d+\. )(.*) => (.*?)(\s+)\[(.+)\]$", line)
        if not m:
            continue
        head, prem, concl, gap, rule = m.groups()
        parts = re.split(r" \((G\d+|\d+)\)(?:, |$)", prem)  # text, id, text, id, ''
        cited = list(zip(parts[0::2], parts[1::2]))
        if cited and not rule.startswith(("same", "by definition")):
            drop = rng.randrange(len(cited))  # a premise dropped (a fold may have one to spare)
            rest = ", ".join(f"{t} ({i})" for j, (t, i) in enumerate(cited) if j != drop)
            body = f"{rest} => {concl}" if rest else concl
            yield "drop premise", "\n".join(lines[:k] + [f"{head}{body}{gap}[{rule}]"]
                                            + lines[k + 1:])
        pred = preds[head.strip().rstrip(".")]
        other = rng.choice([r for r in table if pred not in _concludes(table[r])])
        yield "rename rule", "\n".join(lines[:k] + [f"{head}{prem} => {concl}{gap}[{other}]"]
                                       + lines[k + 1:])


def test_rejects_mutated_printed_proofs():
    rng = random.Random(15)
    found = [(t, p) for t, p in _proofs("examples.txt") + _proofs("synthetic_sample.txt")
             if t.count(" => ") >= 6][:5]
    rejected = tried = 0
    for text, preds in found:
        for _kind, mutant in _mutants(text, preds, rng):
            if mutant == text:
                continue
            tried += 1
            try:
                rejected += not check_document(read_text(mutant)).valid
            except TextError:
                rejected += 1
    assert tried >= 100
    assert rejected == tried


def test_command_reads_the_printed_output(tmp_path, capsys):
    from reasoner.cli import main as solve_problem

    chosen = [str(EXAMPLES / "examples.txt"), "--no-aux", "--proof", "--problem", "euler"]
    assert solve_problem(chosen) == 0
    one = tmp_path / "euler.txt"
    one.write_text(capsys.readouterr().out)
    assert main([str(one)]) == 0
    assert capsys.readouterr().out == "euler: valid (23 steps)\n"
    assert solve_problem(chosen + ["--problem", "orthocenter_aux"]) == 0  # a batch
    many = tmp_path / "batch.txt"
    many.write_text(capsys.readouterr().out)
    assert main([str(many)]) == 0
    assert capsys.readouterr().out.count(": valid (") == 2
    no_statement = tmp_path / "old.txt"
    no_statement.write_text("\n".join(x for x in one.read_text().splitlines()
                                      if not x.startswith("Statement: ")))
    assert main([str(no_statement)]) == 2
