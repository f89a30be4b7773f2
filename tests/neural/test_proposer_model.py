"""The neural proposer: tokenizer, clause grammar, model cache, beam search, weights, training."""

from __future__ import annotations

import itertools
import json
import math
import shutil

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from grammars.constrained import Matcher, bind  # noqa: E402
from neural.model import ConstructionLM, ModelConfig, reorder_cache  # noqa: E402
from neural.proposer import WEIGHTS, WeightsError, beam_search, load, load_default  # noqa: E402
from neural.tokenizer import (  # noqa: E402
    ConstructionTokenizer,
    canonical,
    clause_grammar,
    point_names,
)
from symbolic.geometry.problem import (  # noqa: E402
    degrees_taken,
    overdetermined,
    parse_problem,
    read_problems,
)
from symbolic.geometry.tables import definitions  # noqa: E402

TOK = ConstructionTokenizer()
ORTHO = "a b c = triangle a b c; h = on_tline h b a c, on_tline h c a b ? perp a h b c"


def tiny_model(seed: int = 0) -> ConstructionLM:
    torch.manual_seed(seed)
    return ConstructionLM(ModelConfig(len(TOK), d_model=32, n_layers=2, n_heads=4, d_ff=64,
                                      max_len=128, dropout=0.0)).eval()


def test_canonical_names_follow_the_clauses():
    can = canonical(parse_problem(ORTHO))
    assert can.clauses == ("a b c = triangle a b c", "d = on_tline d b a c, on_tline d c a b")
    assert can.goal == "perp a d b c"
    assert can.to_canonical["h"] == "d" and can.next_point == "e"
    assert can.from_canonical()["d"] == "h"


def test_tokens_round_trip_and_bytes():
    ids = TOK.target("e = on_line e a b, on_circle e c d")
    assert ids[-1] == TOK.eos_id and TOK.unk_id not in ids
    assert TOK.decode(ids) == "e = on_line e a b, on_circle e c d"
    vb = TOK.vocab_bytes()
    assert vb[TOK.ids["midpoint"]] == b"midpoint " and vb[TOK.eos_id] is None
    assert TOK.encode_words("s_angle a b c 30")[-3:] == [TOK.num_id, TOK.ids["3"], TOK.ids["0"]]
    assert TOK.encode_words("zzz_unknown") == [TOK.unk_id]
    assert point_names(28)[-2:] == ["a1", "b1"]


def test_every_construction_and_predicate_is_a_word():
    words = set(TOK.words)
    assert set(definitions()) <= words


def _random_sentence(index, rng) -> list[int]:
    m = Matcher(index)
    out: list[int] = []
    while True:
        allowed = [int(t) for t in m.allowed_ids()]
        t = allowed[int(rng.integers(len(allowed)))]
        if t == TOK.eos_id:
            return out
        m.advance(t)
        out.append(t)


def test_clause_grammar_sentences_are_clauses_over_existing_points():
    problem = parse_problem(ORTHO)
    can = canonical(problem)
    index = bind(clause_grammar(len(can.to_canonical)), TOK)
    rng = np.random.default_rng(0)
    for _ in range(40):
        clause = TOK.decode(_random_sentence(index, rng))
        head, body = clause.split(" = ")
        assert head == can.next_point
        for part in body.split(", "):
            name, *args = part.split()
            c = definitions()[name]
            assert len(args) == len(c.args) and len(c.new_points) == 1 and c.inputs
            assert set(args) <= set(can.to_canonical.values()) | {can.next_point}
        # it reads as a clause of the problem language (renamed back to the problem's names)
        text = "; ".join(can.clauses + (clause,)) + " ? " + can.goal
        extended = parse_problem(text)
        assert overdetermined(extended.clauses[-1]) is None, clause


def test_clause_grammar_refuses_overdetermined_clauses():
    """Two constructions only when both put the point on a curve: a midpoint or a foot with
    anything else would state a fact about the points before it."""
    from lark import Lark
    from lark.exceptions import LarkError

    parser = Lark(clause_grammar(4), parser="earley")

    def reads(text: str) -> bool:
        try:
            parser.parse(text)
            return True
        except LarkError:
            return False

    assert reads("e = midpoint e a b ")
    assert reads("e = on_line e a b , on_circle e c d ")  # the tokens' bytes
    assert reads("e = on_tline e a b c ")
    assert not reads("e = midpoint e a b , on_line e c d ")
    assert not reads("e = on_line e c d , foot e a b c ")
    # a pair of constructions reads exactly when their loci take two degrees of freedom
    # (``overdetermined`` sums the same ``degrees_taken``)
    defs = definitions()
    one = [n for n, c in defs.items()
           if len(c.new_points) == 1 and not c.numeric_args and c.inputs and len(c.inputs) <= 4]
    for first, second in itertools.product(one, repeat=2):
        words = [f"{n} " + " ".join("e" if a in defs[n].new_points else "abcd"[i % 4]
                                    for i, a in enumerate(defs[n].args)) for n in (first, second)]
        text = f"e = {words[0]} , {words[1]} "
        assert reads(text) == (degrees_taken(defs[first]) + degrees_taken(defs[second]) <= 2), \
            text


def test_incremental_forward_matches_full_forward():
    model = tiny_model()
    ids = torch.randint(0, len(TOK), (3, 17))
    full = model(ids)
    a, past = model(ids[:, :11], [])
    b, past = model(ids[:, 11:], past)
    assert torch.allclose(torch.cat([a, b], 1), full, atol=1e-5)
    swapped = reorder_cache(past, torch.tensor([2, 0]))
    c, _ = model(ids[[2, 0], 17 - 1:], [(k[:, :, :-1], v[:, :, :-1]) for k, v in swapped])
    assert torch.allclose(c[:, -1], full[[2, 0], -1], atol=1e-5)


def test_a_shared_prefix_reads_as_the_prompt_repeated_in_every_row():
    """Beam search's form: one prompt's cache (batch 1) before each row's own continuation,
    fed several tokens at once and then one at a time, gives the full forward's logits."""
    model = tiny_model()
    prompt = torch.randint(0, len(TOK), (1, 9))
    rows = torch.randint(0, len(TOK), (3, 5))
    full = model(torch.cat([prompt.expand(3, -1), rows], 1))
    _, prefix = model(prompt, [])
    a, past = model(rows[:, :3], [], prefix=prefix)
    assert all(k.shape[2] == 3 for k, _ in past)  # the rows' own keys only
    b, past = model(rows[:, 3:4], past, prefix=prefix)
    swapped = reorder_cache(past, torch.tensor([2, 0]))
    c, _ = model(rows[[2, 0], 4:], swapped, prefix=prefix)
    assert torch.allclose(torch.cat([a, b], 1), full[:, 9:13], atol=1e-5)
    assert torch.allclose(c[:, -1], full[[2, 0], -1], atol=1e-5)
    with pytest.raises(ValueError, match="prefix"):
        model(rows, [], pad=torch.zeros(3, 5, dtype=torch.bool), prefix=prefix)
    with pytest.raises(ValueError, match="one row"):
        model(rows, [], prefix=[(k.expand(2, -1, -1, -1), v) for k, v in prefix])


def _sequence_logp(model, prompt, seq) -> float:
    with torch.no_grad():
        logp = torch.log_softmax(model(torch.tensor([prompt + seq]))[0].float(), -1)
    return sum(float(logp[len(prompt) - 1 + i, t]) for i, t in enumerate(seq))


def test_beam_search_finds_the_most_probable_sentences_of_a_small_grammar():
    model = tiny_model(3)
    grammar = 'start: ("a " | "b ") ("c " | "d " | "e ") "f "?'
    index = bind(grammar, TOK)
    prompt = TOK.prompt(["a b c = triangle a b c"], "perp a b b c")
    words = [["a", "b"], ["c", "d", "e"], [[], ["f"]]]
    exact = []
    for x, y, z in itertools.product(*words):
        seq = [TOK.ids[w] for w in [x, y, *z]]
        exact.append((seq, _sequence_logp(model, prompt, seq + [TOK.eos_id])))
    exact.sort(key=lambda s: -s[1])
    found = beam_search(model, prompt, index, width=len(exact), max_tokens=6, eos=TOK.eos_id)
    assert [s for s, _ in found] == [s for s, _ in exact]
    assert all(math.isclose(a, b, abs_tol=1e-4) for (_, a), (_, b) in zip(found, exact))


def test_shipped_weights_load_and_propose_well_formed_clauses():
    proposer = load_default()
    assert proposer is not None, "neural/weights/proposer.pt should ship with the repo"
    assert proposer.model.n_parameters() <= 20_000_000
    assert WEIGHTS.stat().st_size <= 50 * 2**20
    problem = read_problems("problems/geometry/examples.txt")[1]
    cands = proposer.propose(problem, 6)
    assert len(cands) == 6 and all(c.source == "neural" for c in cands)
    assert [c.score for c in cands] == sorted((c.score for c in cands), reverse=True)
    for cand in cands:
        (clause,) = cand.clauses
        (new,) = clause.points
        assert new not in problem.points
        for step in clause.steps:  # no construction names a point twice
            assert len(set(step.args)) == len(step.args)
        problem.with_auxiliary(cand.clauses)  # fits the problem


def test_a_damaged_checkpoint_is_refused(tmp_path):
    copy = tmp_path / "proposer.pt"
    shutil.copy(WEIGHTS, copy)
    shutil.copy(WEIGHTS.with_name("proposer.pt.sha256"), tmp_path / "proposer.pt.sha256")
    assert load(copy).meta == load_default().meta
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy.write_bytes(bytes(data))
    with pytest.raises(WeightsError, match="SHA-256"):
        load(copy)
    (tmp_path / "proposer.pt.sha256").unlink()
    with pytest.raises(WeightsError, match="checksum file missing"):
        load(copy)


def test_training_writes_a_loadable_checkpoint(tmp_path):
    from neural.train import main, sequences

    rows = [{"statement": ["a b c = triangle a b c"], "auxiliary": ["d = midpoint d a b",
             "e = midpoint e a c"], "goal": "para b c d e", "split": split}
            for split in ("train", "eval")]
    seqs = sequences(rows, TOK, 512)
    assert len(seqs) == 2  # one per auxiliary clause; the eval copy repeats the train pairs
    assert TOK.decode(seqs[1].target) == "e = midpoint e a c"
    assert TOK.ids["midpoint"] in seqs[1].prompt  # the first aux clause is in the prompt
    rows[1]["statement"] = ["a b c = triangle a b c", "d = foot d a b c"]
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "w.pt"
    assert main([str(data), "--out", str(out), "--steps", "3", "--eval-every", "2",
                 "--batch", "2", "--d-model", "32", "--layers", "1", "--heads", "2",
                 "--device", "cpu"]) == 0
    proposer = load(out)
    assert proposer.meta["steps"] == 3
    assert len(proposer.propose(parse_problem(ORTHO), 3)) == 3


def test_training_reports_bad_data(tmp_path, capsys):
    from neural.train import main

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"statement": []}\nnot json\n')
    assert main([str(bad), "--out", str(tmp_path / "w.pt")]) == 2
    assert "bad.jsonl:2: not a JSON line" in capsys.readouterr().err
    assert main([str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "w.pt")]) == 2
