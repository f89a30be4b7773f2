"""The independent proof step checker: it accepts every proof the prover prints (the example
problems, the rule witnesses, a synthetic sample, a sample of JGEX-231) and rejects mutated
proofs (over a thousand mutations: a premise dropped, a conclusion changed, a rule renamed,
an AR coefficient changed, steps reordered); its command's exit codes."""

from __future__ import annotations

import copy
import json
import random
from fractions import Fraction
from functools import cache
from pathlib import Path

import pytest

from symbolic.geometry.checker import BadProof, check_document, load, main
from symbolic.geometry.checker import meaning as M
from symbolic.geometry.facts import Fact
from symbolic.geometry.predicates import PREDICATES
from symbolic.geometry.problem import read_problems
from symbolic.geometry.proof import Proof
from symbolic.geometry.prover import prove
from symbolic.geometry.tables import rules
from symbolic.geometry.unify import match_rule

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "problems" / "geometry"
JGEX = ROOT / ".." / "shared" / "benchmarks" / "geometry" / "jgex_ag_231.txt"
CENTROID = ("a b c = triangle a b c; d = midpoint d b c; e = midpoint e a c; "
            "f = midpoint f a b; g = on_line g a d, on_line g b e ? coll c g f")


@cache
def proofs(path: Path, every: int = 1) -> tuple[Proof, ...]:
    out = []
    for k, p in enumerate(read_problems(path)):
        if k % every or isinstance(p, Exception):
            continue
        outcome = prove(p)
        if outcome.proved:
            assert outcome.proof is not None
            out.append(outcome.proof)
    return tuple(out)


@cache
def centroid() -> Proof:
    from symbolic.geometry.problem import parse_problem

    outcome = prove(parse_problem(CENTROID, name="centroid"))
    assert outcome.proof is not None
    return outcome.proof


@pytest.mark.parametrize("name", ["examples.txt", "rule_witnesses.txt", "synthetic_sample.txt"])
def test_accepts_every_proof_of_the_example_problems(name):
    found = proofs(EXAMPLES / name)
    assert len(found) >= {"examples.txt": 4, "rule_witnesses.txt": 40,
                          "synthetic_sample.txt": 10}[name]
    for proof in found:
        report = check_document(proof.document())
        assert report.valid, (proof.problem, report.errors)


def test_accepts_the_proofs_of_the_auxiliary_search():
    """solve-problem's default: the search adds auxiliary points (bisector_feet needs one)."""
    from reasoner.config import SolveConfig
    from reasoner.domains.geometry import solve

    problem = next(p for p in read_problems(EXAMPLES / "examples.txt")
                   if not isinstance(p, Exception) and p.name == "bisector_feet")
    result = solve(problem, config=SolveConfig(timeout=60, sources=("heuristic",)))
    proof = result.proof_object
    assert proof is not None and result.auxiliary
    assert proof.auxiliary_points and "on_line" in proof.statement
    assert check_document(proof.document()).valid


@pytest.mark.skipif(not JGEX.exists(), reason="shared benchmark data absent (../shared)")
def test_accepts_a_sample_of_jgex_231_proofs():
    found = proofs(JGEX, every=7)
    assert len(found) >= 25
    for proof in found:
        report = check_document(proof.document())
        assert report.valid, (proof.problem, report.errors)


def test_the_issue_proof_reads_step_by_step():
    """Issue 15: step 006 concluded a three-ratio fact printed with two ratios; now its text
    states the ratio the next step takes from it, and the checker accepts the proof (and
    rejects it printed the old way)."""
    proof = centroid()
    steps = proof.to_json()
    thales = [s for s in steps if s["rule"] == "r07"]
    assert thales
    for s in thales:
        after = [t for t in steps if t["premises"] == [s["id"]] and t["rule"] == "definition"]
        for t in after:
            part = Fact.make(PREDICATES["eqratio"], tuple(t["fact"].split()[1:]))
            a, b, c, d, p, q, u, v = part.args
            ratios = [r.split(":") for chain in s["text"].split(", ")
                      for r in chain.split(" = ")]
            segs = [frozenset(x) for r in ratios for x in r]
            assert all(frozenset(x) in segs for x in (a + b, c + d, p + q, u + v)), s["text"]
    doc = proof.document()
    assert check_document(doc).valid
    k = next(k for k, s in enumerate(steps) if s["rule"] == "r07")
    old_text = steps[k]["text"].split(" = ")[0] + " = " + steps[k]["text"].split(" = ")[1]
    errors = check_document(_with(doc, k, text=old_text)).errors
    assert errors and "does not say what eqratio3" in errors[0]


# ---------------------------------------------------------------- mutations

def _by_id(doc):
    return {s["id"]: s for s in doc["steps"]}


def _mutants(doc, proof: Proof, rng: random.Random):
    """(kind, mutated document) pairs, each a proof the checker must reject; a mutation that
    may leave a valid proof is not produced (see each kind)."""
    steps = doc["steps"]
    points = sorted(doc["diagram"])
    coords = {p: __import__("numpy").array(xy) for p, xy in doc["diagram"].items()}
    table = {r.id: r for r in rules()}
    index = {s["id"]: k for k, s in enumerate(steps)}
    for k, s in enumerate(steps):
        # a premise dropped: rule steps need exactly their premises; an AR step's equations
        # cite theirs (a merge or a fold may have premises to spare: not dropped)
        if s["rule"] in table or "terms" in s:
            for p in s["premises"]:
                if s["rule"] in table or any(t["premise"] == p for t in s.get("terms", ())):
                    yield "drop premise", _with(doc, k, premises=[
                        x for x in s["premises"] if x != p])
        # a conclusion changed: one point replaced so that the fact is false on the proof's
        # own diagram (the engine's numeric check decides: an oracle apart from the checker)
        words = s["fact"].split()
        pred = PREDICATES[words[0]]
        npts = len(pred.points(tuple(words[1:])))
        for i in range(1, 1 + npts):
            for q in rng.sample(points, min(3, len(points))):
                if q == words[i]:
                    continue
                args = tuple(words[1:i] + [q] + words[i + 1:])
                try:
                    false = not pred.holds(args, coords)
                except (TypeError, ValueError, ZeroDivisionError):
                    continue
                if false:  # printed in words too: the text is not what gives it away
                    yield "change conclusion", _with(doc, k, fact=" ".join([words[0], *args]),
                                                     text=pred.text(args))
        # a rule renamed: to another table rule of which the engine's matcher says the step is
        # not an instance (under any mapping), or to a derivation of another kind
        if s["rule"] != "given":
            prem = [_fact(steps[index[p]]["fact"]) for p in s["premises"]]
            concl = _fact(s["fact"])
            others = rng.sample(sorted(table), 4) + rng.sample(
                ["angle chase", "ratio chase", "distance chase", "squared-length chase",
                 "same line", "same circle",
                 "definition", "by definition"], 2)
            for other in others:
                if other == s["rule"]:
                    continue
                if other in table and match_rule(table[other], prem, concl,
                                                 lambda p, a: p.holds(a, coords)):
                    continue
                if other in ("definition", "by definition") and s["rule"] in (
                        "definition", "by definition"):
                    continue
                yield "rename rule", _with(doc, k, rule=other)
        # a printed text changed: the text of another step saying something else
        other = rng.choice(steps)
        if M.key(M.read(other["fact"])) != M.key(M.read(s["fact"])):
            yield "change text", _with(doc, k, text=other["text"])
        # an AR coefficient changed: the weighted sum was the conclusion's equation, so a
        # changed weight on a non-empty equation makes it another one
        for j, t in enumerate(s.get("terms", ())):
            if t["equation"]:
                for delta in (1, Fraction(1, 2)):
                    terms = list(s["terms"])
                    terms[j] = {**t, "coefficient": str(Fraction(t["coefficient"]) + delta)}
                    yield "change coefficient", _with(doc, k, terms=terms)
        # reordered: a step moved before the step concluding one of its premises
        for p in s["premises"]:
            j = index[p]
            if steps[j]["rule"] != "given":
                order = list(steps)
                order.insert(j, order.pop(k))
                yield "reorder", {**doc, "steps": order}


def _with(doc, k: int, **changes):
    """``doc`` with step ``k`` changed (the rest shared, never changed in place)."""
    steps = list(doc["steps"])
    steps[k] = {**steps[k], **changes}
    return {**doc, "steps": steps}


def _fact(text: str) -> Fact:
    words = text.split()
    return Fact.make(PREDICATES[words[0]], tuple(words[1:]))


def test_rejects_over_a_thousand_mutated_proofs():
    rng = random.Random(15)
    sources = [centroid()] + [p for p in proofs(EXAMPLES / "examples.txt")
                              if len(p.steps) >= 7][:2]
    sources += sorted(proofs(EXAMPLES / "synthetic_sample.txt"), key=lambda p: -len(p.steps))[:2]
    by_kind: dict[str, list] = {}
    for proof in sources:
        doc = proof.document()
        assert check_document(doc).valid
        for kind, mutant in _mutants(doc, proof, rng):
            by_kind.setdefault(kind, []).append((proof.problem, mutant))
    counts: dict[str, int] = {}
    accepted = []
    for kind, mutants in sorted(by_kind.items()):  # at most 300 of a kind, to stay quick
        for problem, mutant in rng.sample(mutants, min(300, len(mutants))):
            counts[kind] = counts.get(kind, 0) + 1
            if check_document(mutant).valid:
                accepted.append((problem, kind))
    assert sum(counts.values()) >= 1000, counts
    assert all(counts.get(k, 0) >= 20 for k in ("drop premise", "change conclusion",
                                                 "rename rule", "change coefficient",
                                                 "reorder", "change text")), counts
    assert not accepted, accepted[:10]


def test_errors_name_the_step_and_what_failed():
    doc = centroid().document()
    m = copy.deepcopy(doc)
    last = m["steps"][-1]
    last["rule"] = "r06"
    errors = check_document(m).errors
    assert errors and errors[0].startswith(f"step {last['id']}: r06:")
    m = copy.deepcopy(doc)
    m["steps"] = m["steps"][:-1]
    assert any(e.startswith("goal:") for e in check_document(m).errors)
    m = copy.deepcopy(doc)
    m["steps"][0]["fact"] = "para a c d f"  # true, but proved, not given
    m["steps"][0]["text"] = "ac ∥ df"
    assert "not a premise of any construction" in check_document(m).errors[0]
    moved = {**doc, "diagram": {**doc["diagram"], "g": [0.5, 0.5]}}  # g off line ad
    assert check_document(moved).errors[0].startswith("diagram: not a drawing")


# ---------------------------------------------------------------- the command

def test_command_exit_codes_and_json(tmp_path, capsys):
    doc = centroid().document()
    good = tmp_path / "proof.json"
    good.write_text(json.dumps(doc))
    assert main([str(good)]) == 0
    assert capsys.readouterr().out == "centroid: valid (10 steps)\n"
    bad = copy.deepcopy(doc)
    bad["steps"][-1]["premises"] = []
    badf = tmp_path / "bad.json"
    badf.write_text(json.dumps(bad))
    assert main([str(badf), "--json"]) == 1
    row = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert row["valid"] is False and row["errors"]
    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    assert main([str(junk)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nor JSON" in err
    assert main([str(tmp_path / "missing.json")]) == 2
    no_statement = {k: v for k, v in doc.items() if k != "statement"}
    with pytest.raises(BadProof):
        check_document(no_statement)


def test_reads_the_rows_of_solve_problem(tmp_path, capsys):
    from reasoner.cli import main as solve_problem

    out = tmp_path / "rows.json"
    capsys.readouterr()
    chosen = [str(EXAMPLES / "examples.txt"), "--no-aux", "--json", "--problem", "euler",
              "--problem", "orthocenter_aux", "--problem", "bisector_feet"]
    assert solve_problem(chosen + ["--proof"]) == 1  # bisector_feet needs the search
    out.write_text(capsys.readouterr().out)
    docs = load(out)  # the unproved row is passed over
    assert sorted(d["problem"] for d in docs) == ["euler", "orthocenter_aux"]
    assert main([str(out)]) == 0
    assert capsys.readouterr().out.count(": valid (") == 2
    plain = tmp_path / "plain.json"
    assert solve_problem(chosen) == 1
    plain.write_text(capsys.readouterr().out)
    assert main([str(plain)]) == 2
    assert "--proof" in capsys.readouterr().err


def test_no_predicate_is_exempt():
    """The gaps of the replay check: a folded midp step is checked against its premises, and
    an eqratio3 conclusion on the diagrams, like every other."""
    doc = centroid().document()
    fold = next(k for k, s in enumerate(doc["steps"])
                if s["rule"] == "by definition" and s["fact"].startswith("midp"))
    step = doc["steps"][fold]
    other = next(s["id"] for s in doc["steps"][:fold]
                 if s["rule"] == "given" and s["id"] not in step["premises"])
    bad = _with(doc, fold, premises=[step["premises"][0], other])
    assert "do not make up" in " ".join(check_document(bad).errors)
    thales = next(k for k, s in enumerate(doc["steps"]) if s["fact"].startswith("eqratio3"))
    words = doc["steps"][thales]["fact"].split()
    x, y, z, w, m, n = words[1:]
    swapped = _with(doc, thales, fact=" ".join(["eqratio3", x, y, w, z, m, n]),
                    text=PREDICATES["eqratio3"].text((x, y, w, z, m, n)))
    errors = check_document(swapped).errors
    assert errors and errors[0].startswith(f"step {doc['steps'][thales]['id']}: eqratio3")
