"""An auxiliary point is constructed, never assumed: a clause whose constructions fix its
point more than its two degrees of freedom (``midpoint y o h, on_line y o g``: the midpoint
is already fixed, and lying on og states that h does) would let a proof assume the fact it
states. The search's extension refuses such a clause and the independent checker rejects a
proof whose statement has one among its auxiliary points."""

import pytest

from symbolic.geometry.checker import check_document
from symbolic.geometry.errors import ConstructionError
from symbolic.geometry.problem import overdetermined, parse_problem, read_problems
from symbolic.geometry.prover import prove
from symbolic.geometry.sketches import SKETCHES, codimension

EULER = ("a b c = triangle; o = circle o a b c; h = orthocenter h a b c; m = midpoint m b c; "
         "n = midpoint n a c; g = on_line g a m, on_line g b n ? coll o h g")
# the clause that states the goal: the midpoint of oh lies on og exactly when h does
CIRCULAR = "y = midpoint y o h, on_line y o g"


def test_every_sketch_has_a_known_codimension():
    kinds = {name: codimension(name) for name in SKETCHES}
    assert kinds["line"] == kinds["circle"] == kinds["aline"] == 1
    assert kinds["midp"] == kinds["reflect"] == 2
    assert kinds["triangle"] is None and kinds["trisect"] is None
    # every sketch declares a locus type codimension knows (it raises KeyError otherwise)
    assert sum(k == 1 for k in kinds.values()) == 15  # line, pline, tline, circle, ...
    assert sum(k == 2 for k in kinds.values()) == 7  # midp, reflect, shift, ...


@pytest.mark.parametrize("text, over", [
    ("y = midpoint y o h", False),
    ("y = on_line y o h, on_circle y o a", False),
    ("y = foot y a b c", False),             # tline and line: two
    ("y = on_line y o h", False),            # one: a free point on the line
    (CIRCULAR, True),
    ("y = foot y a b c, on_line y o h", True),
    ("y = on_line y a b, on_line y o h, on_circle y o a", True),
])
def test_a_clause_past_two_degrees_of_freedom_is_overdetermined(text, over):
    problem = parse_problem(EULER)
    (clause,) = problem.parse_clauses([text])
    assert (overdetermined(clause) is not None) == over
    if over:
        with pytest.raises(ConstructionError, match="degrees of freedom"):
            problem.with_auxiliary([clause])
    else:
        problem.with_auxiliary([clause])


def test_no_benchmark_statement_has_an_overdetermined_clause():
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    files = sorted((root / "problems" / "geometry").glob("*.txt"))
    hageo = root / ".." / "shared" / "benchmarks" / "geometry" / "hageo_dev.txt"
    files += [hageo] if hageo.exists() else []
    for f in files:
        for p in read_problems(f):
            if not isinstance(p, Exception):
                assert all(overdetermined(c) is None for c in p.clauses), (f, p.name)


def test_the_checker_rejects_a_proof_assuming_an_auxiliary_fact():
    """The centroid's proof, its statement given a point whose clause states the goal (the
    midpoint of cg on cf exactly when g is): the checker refuses the statement; the prover,
    which checks what it finds, never returns a proof of it."""
    import numpy as np

    centroid = ("a b c = triangle a b c; d = midpoint d b c; e = midpoint e a c; "
                "f = midpoint f a b; g = on_line g a d, on_line g b e ? coll c g f")
    outcome = prove(parse_problem(centroid, name="centroid"))
    assert outcome.proved and outcome.proof is not None
    doc = outcome.proof.document()
    assert check_document(doc).valid
    circular = "y = midpoint y c g, on_line y c f"
    doc["statement"] = doc["statement"].replace(" ? ", f"; {circular} ? ")
    xy = doc["diagram"]
    doc["diagram"] = {**xy, "y": list((np.array(xy["c"]) + np.array(xy["g"])) / 2)}
    report = check_document(doc)
    assert not report.valid
    assert any(f"auxiliary clause {circular}" in e and "degrees of freedom" in e
               for e in report.errors), report.errors
    assumed = prove(parse_problem(centroid.replace(" ? ", f"; {circular} ? ")))
    assert not assumed.proved
