"""The model as a ranker: log-probabilities of other sources' candidates, read as a tree."""

from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")

from neural.model import ConstructionLM, ModelConfig  # noqa: E402
from neural.proposer import NeuralProposer  # noqa: E402
from neural.ranker import ModelRanker, RankedSource  # noqa: E402
from neural.tokenizer import ConstructionTokenizer  # noqa: E402
from reasoner.config import SolveConfig  # noqa: E402
from reasoner.domains import geometry as geometry_domain  # noqa: E402
from symbolic.geometry.heuristics import HeuristicProposer  # noqa: E402
from symbolic.geometry.problem import Clause, Step, parse_problem  # noqa: E402
from symbolic.geometry.proposal import Candidate  # noqa: E402

TOK = ConstructionTokenizer()
PROBLEM = parse_problem("a b c = triangle a b c; d = midpoint d a b; e = midpoint e a c; "
                        "f = on_line f b c, on_line f d e ? para d e b c")


def tiny_proposer(seed: int = 0, max_len: int = 128) -> NeuralProposer:
    torch.manual_seed(seed)
    model = ConstructionLM(ModelConfig(len(TOK), d_model=32, n_layers=2, n_heads=4, d_ff=64,
                                       max_len=max_len, dropout=0.0))
    return NeuralProposer(model.eval(), TOK)


def direct_logp(proposer: NeuralProposer, prompt, target) -> float:
    """The plain way: the whole sequence through the model, no cache, no tree."""
    ids = torch.tensor([list(prompt) + list(target)])
    with torch.no_grad():
        lp = torch.log_softmax(proposer.model(ids)[0].float(), dim=-1)
    return sum(float(lp[len(prompt) - 1 + j, t]) for j, t in enumerate(target))


@pytest.mark.parametrize("chunk", [1, 7, 512])
def test_tree_scores_equal_the_plain_sequence_log_probabilities(chunk):
    proposer = tiny_proposer()
    ranker = ModelRanker(proposer, chunk=chunk)
    cands = HeuristicProposer().propose(PROBLEM, 60)
    assert len(cands) > 20
    scores = ranker.score(PROBLEM, cands)
    for cand, score in zip(cands, scores):
        (prompt, target), = ranker.items(PROBLEM, cand)
        assert score == pytest.approx(direct_logp(proposer, prompt, target), abs=1e-4)
    assert ranker.calls == 1 and ranker.scored == len(cands)


def test_a_candidate_of_two_clauses_scores_the_second_after_the_first():
    proposer = tiny_proposer(1)
    ranker = ModelRanker(proposer)
    two = Candidate((Clause(("x",), (Step.of("midpoint", "x", "b", "c"),)),
                     Clause(("y",), (Step.of("foot", "y", "a", "b", "c"),))), 0.0, "memory")
    items = ranker.items(PROBLEM, two)
    assert [TOK.decode(t) for _, t in items] == ["g = midpoint g b c", "h = foot h a b c"]
    assert TOK.decode(items[1][0]).endswith("g = midpoint g b c ? para d e b c")
    (score,) = ranker.score(PROBLEM, [two])
    assert score == pytest.approx(sum(direct_logp(proposer, p, t) for p, t in items), abs=1e-4)


def test_candidates_of_several_prompts_share_the_statements_cache_and_score_the_same():
    """Each clause after a candidate's first has a prompt of its own; they are read after
    one cache of the statement's tokens, and score as the plain sequences do."""
    proposer = tiny_proposer(2)
    ranker = ModelRanker(proposer, chunk=5)
    steps = [("midpoint", "x", "b", "c"), ("foot", "x", "a", "b", "c"),
             ("midpoint", "x", "a", "f")]
    cands = [Candidate((Clause(("x",), (Step.of(*s),)),), 0.0, "memory") for s in steps]
    cands += [Candidate((Clause(("x",), (Step.of(*s),)), Clause(("y",), (Step.of(*t),))),
                        0.0, "memory")
              for s, t in [(steps[0], ("foot", "y", "a", "b", "c")),
                           (steps[1], ("midpoint", "y", "x", "d"))]]
    groups = {p for c in cands for p, _ in ranker.items(PROBLEM, c)}
    assert len(groups) == 3
    done, cache = ranker._base(list(groups))
    shared = 0
    while all(p[shared] == next(iter(groups))[shared] for p in groups):
        shared += 1
    assert 0 < done == shared < min(len(p) for p in groups)
    assert cache[0][0].shape[2] == done
    scores = ranker.score(PROBLEM, cands)
    for cand, score in zip(cands, scores):
        plain = sum(direct_logp(proposer, p, t) for p, t in ranker.items(PROBLEM, cand))
        assert score == pytest.approx(plain, abs=1e-4)


def test_what_does_not_fit_the_context_scores_minus_infinity_and_goes_last():
    cands = HeuristicProposer().propose(PROBLEM, 30)
    prompt_len = len(ModelRanker(tiny_proposer()).items(PROBLEM, cands[0])[0][0])
    limit = prompt_len + 8  # room for "g = midpoint g a b", not for two on_line steps
    ranker = ModelRanker(tiny_proposer(2, max_len=limit))
    fits = [prompt_len + len(ranker.items(PROBLEM, c)[0][1]) <= limit for c in cands]
    assert any(fits) and not all(fits)  # on_line pairs are longer than the context left
    scores = ranker.score(PROBLEM, cands)
    assert [math.isinf(s) for s in scores] == [not f for f in fits]
    ranked = RankedSource(HeuristicProposer(), ranker, widen=1.0).propose(PROBLEM, 30)
    assert [c.score for c in ranked[:sum(fits)]] == sorted(
        (s for s in scores if not math.isinf(s)), reverse=True)
    assert all(math.isinf(c.score) for c in ranked[sum(fits):])


def test_ranked_source_hands_out_the_most_probable_of_a_wider_pool():
    proposer = tiny_proposer(3)
    base = HeuristicProposer()
    ranked = RankedSource(base, ModelRanker(proposer), widen=3.0)
    assert ranked.source == "heuristic"
    out = ranked.propose(PROBLEM, 10)
    pool = base.propose(PROBLEM, 30)
    scores = ModelRanker(proposer).score(PROBLEM, pool)
    best = sorted(range(len(pool)), key=lambda i: (-scores[i], i))[:10]
    assert [c.text() for c in out] == [pool[i].text() for i in best]
    assert [c.score for c in out] == sorted((c.score for c in out), reverse=True)
    assert all(c.source == "heuristic" for c in out)


def test_neural_ranking_wraps_the_heuristic_source_only_when_asked(monkeypatch):
    proposer = tiny_proposer(4)
    monkeypatch.setattr(geometry_domain, "load_neural", lambda path=None: proposer)
    plain = geometry_domain.proposers(PROBLEM, SolveConfig(sources=("heuristic", "neural")))
    assert [type(s).__name__ for s in plain] == ["HeuristicProposer", "NeuralProposer"]
    ranked = geometry_domain.proposers(
        PROBLEM, SolveConfig(sources=("heuristic", "neural"), neural_ranking=True))
    assert [type(s).__name__ for s in ranked] == ["RankedSource", "NeuralProposer"]
    # no model installed
    monkeypatch.setattr(geometry_domain, "load_neural", lambda path=None: None)
    fallback = geometry_domain.proposers(
        PROBLEM, SolveConfig(sources=("heuristic",), neural_ranking=True))
    assert [type(s).__name__ for s in fallback] == ["HeuristicProposer"]


def test_the_shipped_model_prefers_the_construction_it_proposes():
    from neural.proposer import load_default

    proposer = load_default()
    if proposer is None:
        pytest.skip("no shipped weights")
    own = proposer.propose(PROBLEM, 1)[0]
    others = HeuristicProposer().propose(PROBLEM, 40)
    scores = ModelRanker(proposer).score(PROBLEM, [own, *others])
    assert scores[0] == max(scores)  # the beam's best is the most probable clause
