"""The neural source of auxiliary constructions: the shipped model, decoded under a grammar.

``NeuralProposer.propose(problem, k)`` shows the model the problem in canonical names
(``neural.tokenizer``) and runs a beam search whose every step is masked by the
grammar-constrained decoder (``grammars.constrained``) with the clause grammar of that problem
(:func:`neural.tokenizer.clause_grammar`): one new point, one or two one-point constructions
with the right number of arguments, all over existing points, two only when each puts the
point on a curve. So every proposal is a well-formed clause that constructs its point and
states nothing about the others (an overdetermined one could assume the goal); whether it
helps is decided by the prover, like any other candidate. The ``k`` best finished clauses
come back as ``Candidate``s (score: the model's log-probability), read as typed clauses in
the canonical problem and renamed back into the problem's own point names
(``Clause.rename``; the new point named by ``Problem.fresh_point``).

``load_default()`` loads ``neural/weights/proposer.pt`` after checking its SHA-256 against
``proposer.pt.sha256`` (``torch.load(weights_only=True)``); it gives None when torch or the
weights are not installed, so the search simply runs without this source.
"""

from __future__ import annotations

import functools
import math
import sys
from pathlib import Path
from typing import Any

from symbolic.geometry.errors import GeometryError
from symbolic.geometry.problem import Problem
from symbolic.geometry.proposal import Candidate

from .jsonl import sha256_of
from .tokenizer import MAX_POINTS, ConstructionTokenizer, canonical, clause_grammar, point_names

WEIGHTS = Path(__file__).with_name("weights") / "proposer.pt"


class WeightsError(RuntimeError):
    """The checkpoint is missing, corrupted (checksum) or of another format."""


class NeuralProposer:
    """Proposes the next auxiliary clause of a (possibly already extended) problem."""

    source = "neural"

    def __init__(self, model: Any, tokenizer: ConstructionTokenizer, beam: int = 16,
                 max_tokens: int = 24, meta: dict | None = None, max_beam: int = 128):
        self.model, self.tokenizer = model.eval(), tokenizer
        self.beam, self.max_tokens = beam, max_tokens
        # the beam's cost grows with its width (k = 400 took 7 s on an olympiad problem on
        # one core, against about 30 ms for one DD+AR attempt): at most this wide
        self.max_beam = max_beam
        self.meta = meta or {}
        self._indices: dict[int, Any] = {}
        words = tokenizer.ids
        self._constructions = {i for w, i in words.items() if w in _construction_names()}
        self._points = {i for w, i in words.items() if w in set(point_names(MAX_POINTS))}

    def _repeats(self, tokens: list[int], t: int) -> bool:
        """Whether point ``t`` is already an argument of the construction being written
        (no construction takes the same point twice; the grammar alone cannot say so)."""
        if t not in self._points:
            return False
        for prev in reversed(tokens):
            if prev in self._constructions:
                return False
            if prev == t:
                return True
        return False

    def index(self, n_points: int):
        """The clause grammar for ``n_points`` canonical points, bound to the vocabulary."""
        if n_points not in self._indices:
            from grammars.constrained import bind

            self._indices[n_points] = bind(clause_grammar(n_points), self.tokenizer)
        return self._indices[n_points]

    def propose(self, problem: Problem, k: int) -> list[Candidate]:
        can = canonical(problem)
        n = len(can.to_canonical)
        if n + 1 > MAX_POINTS or problem.goal is None:
            return []
        prompt = self.tokenizer.prompt(can.clauses, can.goal)
        if len(prompt) + self.max_tokens > self.model.config.max_len:
            return []
        new = problem.fresh_point()
        out = []
        import torch

        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # small matrices: one thread is fastest, and workers share cores
        try:
            width = max(min(k, self.max_beam), self.beam)
            found = beam_search(self.model, prompt, self.index(n), width,
                                self.max_tokens, self.tokenizer.eos_id, self._repeats)
        finally:
            torch.set_num_threads(threads)
        for ids, logp in found[:k]:
            try:
                clause = can.read_back(self.tokenizer.decode(ids), new)
            except GeometryError:
                continue  # cannot happen for a sentence of the clause grammar
            out.append(Candidate((clause,), logp, self.source))
        return out


def _construction_names() -> set[str]:
    from symbolic.geometry.tables import definitions

    return set(definitions())


def beam_search(model, prompt: list[int], index, width: int, max_tokens: int, eos: int,
                reject=None) -> list[tuple[list[int], float]]:
    """The ``width`` most probable complete sentences of ``index``'s grammar after ``prompt``
    (token ids without EOS, total log-probability), best first. ``reject(tokens, t)`` may
    veto a grammatical next token ``t`` after ``tokens``."""
    import torch

    from grammars.constrained import Matcher

    from .model import reorder_cache

    with torch.no_grad():
        # the prompt's cache is shared by every beam (``prefix``): only the continuations'
        # own keys and values are kept per beam and reordered, not width copies of the prompt
        logits, prefix = model(torch.tensor([prompt]), [])
        past: list = []
        beams: list[tuple[list[int], float, Matcher]] = [([], 0.0, Matcher(index))]
        last = logits[:, -1].float()
        done: list[tuple[list[int], float]] = []
        for _ in range(max_tokens):
            logp = torch.log_softmax(last, dim=-1).numpy()
            expansions = []
            for b, (toks, score, matcher) in enumerate(beams):
                allowed = matcher.allowed_ids()
                for t in allowed:
                    if reject is not None and reject(toks, int(t)):
                        continue
                    s = score + float(logp[b, t])
                    if t == eos:
                        if matcher.is_complete():
                            done.append((toks, s))
                    else:
                        expansions.append((s, b, int(t)))
            done.sort(key=lambda x: -x[1])
            del done[width:]
            expansions.sort(key=lambda x: -x[0])
            expansions = expansions[:width]
            worst_done = done[-1][1] if len(done) >= width else -math.inf
            expansions = [e for e in expansions if e[0] > worst_done]
            if not expansions:
                break
            new_beams = []
            for s, b, t in expansions:
                m = beams[b][2].fork()
                m.advance(t)
                new_beams.append((beams[b][0] + [t], s, m))
            rows = torch.tensor([b for _, b, _ in expansions])
            past = reorder_cache(past, rows)
            feed = torch.tensor([[t] for _, _, t in expansions])
            logits, past = model(feed, past, prefix=prefix)
            last = logits[:, -1].float()
            beams = new_beams
    return sorted(done, key=lambda x: -x[1])[:width]


def check_checkpoint(path: Path | str) -> None:
    """Raise ``WeightsError`` unless ``path`` is a file whose SHA-256 matches the
    ``<path>.sha256`` beside it (as ``neural.train`` writes them); needs no torch."""
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"{path}: no such checkpoint")
    sums = path.with_name(path.name + ".sha256")
    if not sums.is_file():
        raise WeightsError(f"{sums}: checksum file missing")
    text = sums.read_text(encoding="utf-8", errors="replace").split()
    want = text[0] if text else ""
    got = sha256_of(path)
    if got != want:
        raise WeightsError(f"{path}: SHA-256 {got[:16]}... does not match {sums.name} "
                           f"({want[:16]}...); the file is corrupted or was replaced")


def load(path: Path | str = WEIGHTS, check: bool = True) -> NeuralProposer:
    """The proposer from a checkpoint written by ``neural.train`` (SHA-256 checked)."""
    import torch

    from .model import ConstructionLM, ModelConfig
    from .train import FORMAT

    path = Path(path)
    if check:
        check_checkpoint(path)
    elif not path.is_file():
        raise WeightsError(f"{path}: no such checkpoint")
    blob = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(blob, dict) or blob.get("format") != FORMAT:
        raise WeightsError(f"{path}: not a {FORMAT} checkpoint")
    tokenizer = ConstructionTokenizer(blob["words"])
    model = ConstructionLM(ModelConfig(**blob["config"]))
    model.load_state_dict({k: v.float() if v.is_floating_point() else v
                           for k, v in blob["state_dict"].items()})
    return NeuralProposer(model.eval(), tokenizer, meta=dict(blob.get("meta", {})))


@functools.lru_cache(maxsize=1)
def load_default() -> NeuralProposer | None:
    """The shipped proposer, or None (with a note on stderr if the weights are damaged) when
    torch or the weights are not installed."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return None
    if not WEIGHTS.is_file():
        return None
    try:
        return load(WEIGHTS)
    except WeightsError as e:
        print(f"warning: neural proposer disabled: {e}", file=sys.stderr)
        return None
