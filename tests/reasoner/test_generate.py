"""``reasoner.generate`` with tiny torch models made here: soundness, non-invasiveness, the
transformers LogitsProcessor adapter."""

from __future__ import annotations

import json
import random
import re
from types import SimpleNamespace

import pytest
from constrained_helpers import SCHEMA, rand_schema_doc, random_tokenization, small_vocab

from grammars.constrained import bind
from reasoner.generate import IncompleteGeneration, generate

torch = pytest.importorskip("torch")


class BytesTokenizer:
    """The minimal tokenizer interface: the vocabulary as bytes and an EOS id."""

    def __init__(self, vocab):
        self.vocab = vocab
        self.eos_token_id = vocab.eos_ids[0]

    def vocab_bytes(self):
        return self.vocab.tokens


class TinyLM(torch.nn.Module):
    """Random bigram-ish model: logits from the last token's embedding."""

    def __init__(self, size: int, seed: int):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.emb = torch.nn.Parameter(torch.randn(size, 16, generator=g))
        self.out = torch.nn.Parameter(torch.randn(16, size, generator=g) * 0.5)

    def forward(self, ids):
        return self.emb[ids] @ self.out


class Scripted(torch.nn.Module):
    """Greedily emits ``script`` after the prompt (one token per step), then EOS."""

    def __init__(self, size: int, script: list[int], eos: int, prompt_len: int = 1):
        super().__init__()
        self.size, self.script, self.eos, self.prompt_len = size, script, eos, prompt_len

    def forward(self, ids):
        pos = ids.shape[1] - self.prompt_len
        logits = torch.zeros(1, ids.shape[1], self.size)
        logits[0, -1, self.script[pos] if pos < len(self.script) else self.eos] = 10.0
        logits[0, -1, self.eos] += 1.0
        return logits


@pytest.fixture(scope="module")
def setup():
    rng = random.Random(0)
    vocab = small_vocab([rand_schema_doc(rng) for _ in range(40)], rng)
    tok = BytesTokenizer(vocab)
    return vocab, tok, bind(SCHEMA, tok)


def test_sampled_outputs_validate_against_schema(setup):
    jsonschema = pytest.importorskip("jsonschema")
    vocab, tok, index = setup
    model = TinyLM(len(vocab), seed=1)
    finished = 0
    for seed in range(12):
        try:
            text = generate(model, tok, grammar=index, prompt=[0], max_new_tokens=150,
                            temperature=1.0, top_p=0.95, seed=seed)
        except IncompleteGeneration:
            continue
        finished += 1
        jsonschema.validate(json.loads(text), SCHEMA)
    assert finished >= 6


def test_greedy_constrained_equals_unconstrained_when_valid(setup):
    vocab, tok, index = setup
    rng = random.Random(2)
    eos = vocab.eos_ids[0]
    for _ in range(5):
        doc = rand_schema_doc(rng)
        script = random_tokenization(vocab, doc.encode(), rng)
        model = Scripted(len(vocab), script, eos)
        free = generate(model, tok, prompt=[0], max_new_tokens=len(script) + 2)
        constrained = generate(model, tok, grammar=index, prompt=[0],
                               max_new_tokens=len(script) + 2)
        assert free == constrained == doc


def test_constrained_output_is_fixed_when_model_is_invalid(setup):
    vocab, tok, index = setup
    rng = random.Random(3)
    doc = "```json\n" + rand_schema_doc(rng) + "\n```"
    script = random_tokenization(vocab, doc.encode(), rng)
    model = Scripted(len(vocab), script, vocab.eos_ids[0])
    with pytest.raises(IncompleteGeneration):
        generate(model, tok, grammar=index, prompt=[0], max_new_tokens=3)
    text = generate(model, tok, grammar=index, prompt=[0], max_new_tokens=400)
    assert index.grammar.matches(text)


def test_transformers_logits_processor_adapter(setup):
    transformers = pytest.importorskip("transformers")
    from grammars.constrained.torch_mask import logits_processor

    vocab, _, index = setup
    config = transformers.GPT2Config(vocab_size=len(vocab), n_positions=256, n_embd=32,
                                     n_layer=1, n_head=2, eos_token_id=vocab.eos_ids[0],
                                     pad_token_id=vocab.eos_ids[0])
    torch.manual_seed(0)
    model = transformers.GPT2LMHeadModel(config).eval()
    out = model.generate(torch.tensor([[0]]), max_new_tokens=120, do_sample=False,
                         logits_processor=transformers.LogitsProcessorList(
                             [logits_processor(index)]))
    ids = [i for i in out[0, 1:].tolist() if i != vocab.eos_ids[0]]
    text = b"".join(vocab.tokens[i] for i in ids).decode()
    if out[0, -1].item() == vocab.eos_ids[0]:
        assert index.grammar.matches(text)
    else:  # ran out of tokens: still a viable prefix
        from grammars.constrained import Matcher

        m = Matcher(index)
        for i in ids:
            m.advance(i)


def test_generate_with_kv_cache_model(setup):
    transformers = pytest.importorskip("transformers")
    vocab, tok, index = setup
    config = transformers.GPT2Config(vocab_size=len(vocab), n_positions=256, n_embd=32,
                                     n_layer=1, n_head=2, eos_token_id=vocab.eos_ids[0])
    torch.manual_seed(1)
    model = transformers.GPT2LMHeadModel(config).eval()
    for seed in range(3):
        try:
            text = generate(model, tok, grammar=index, prompt=[0], max_new_tokens=150,
                            temperature=0.8, seed=seed)
        except IncompleteGeneration as e:
            text = None
            assert e.text
        if text is not None:
            assert index.grammar.matches(text)


def test_a_tokenizer_without_eos_is_a_clear_error(setup):
    vocab, _, _ = setup

    class NoEos:
        def vocab_bytes(self):
            return vocab.tokens

    with pytest.raises(ValueError, match="no end-of-sequence token"):
        generate(TinyLM(len(vocab), seed=1), NoEos(), grammar=SCHEMA, prompt=[0])


class LongestMatchTokenizer(BytesTokenizer):
    """A tokenizer with ``encode``, split as byte-level BPE tokenizers are: into pre-tokens
    (runs of letters, of digits, of other characters; a space joins the run after it), then
    longest vocabulary piece first within each. It exposes its pre-tokenizer the way
    ``transformers`` fast tokenizers do."""

    PRE = re.compile(r" ?[^\W\d_]+| ?\d+| ?[^\w\s]+|\s+")

    def __init__(self, vocab):
        super().__init__(vocab)
        self.ids = {t: i for i, t in enumerate(vocab.tokens) if t}
        split = lambda text: [(m.group(), m.span()) for m in self.PRE.finditer(text)]  # noqa: E731
        self.backend_tokenizer = SimpleNamespace(
            pre_tokenizer=SimpleNamespace(pre_tokenize_str=split))

    def encode(self, text, add_special_tokens=False):
        out = []
        for piece, _ in self.backend_tokenizer.pre_tokenizer.pre_tokenize_str(text):
            data, i = piece.encode(), 0
            while i < len(data):
                n = max(n for n in range(1, 8) if data[i:i + n] in self.ids)
                out.append(self.ids[data[i:i + n]])
                i += n
        return out


class Counting(torch.nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner, self.calls = inner, 0

    def forward(self, ids):
        self.calls += 1
        return self.inner(ids)


def test_jump_forward_same_greedy_output_fewer_forward_passes(setup):
    """Greedy output the model spells in the tokenizer's own split: jump-forward emits the
    forced pieces itself (keys, quotes, colons) and the text stays the same."""
    vocab, _, _ = setup
    tok = LongestMatchTokenizer(vocab)
    index = bind(SCHEMA, tok)
    rng = random.Random(5)
    eos = vocab.eos_ids[0]
    plain = jumped = 0
    for _ in range(6):
        doc = rand_schema_doc(rng)
        script = tok.encode(doc)
        runs = []
        for jf in (False, True):
            model = Counting(Scripted(len(vocab), script, eos))
            runs.append((generate(model, tok, grammar=index, prompt=[0], jump_forward=jf,
                                  max_new_tokens=len(script) + 2), model.calls))
        (free, n_free), (fast, n_fast) = runs
        assert free == fast == doc
        plain, jumped = plain + n_free, jumped + n_fast
    assert jumped < plain, (jumped, plain)


def test_jump_forward_never_breaks_a_sentence(setup):
    """Whatever the model does (random logits, sampling), output with jump-forward is a
    sentence of the grammar."""
    vocab, _, _ = setup
    tok = LongestMatchTokenizer(vocab)
    index = bind(SCHEMA, tok)
    done = 0
    for seed in range(8):
        try:
            text = generate(TinyLM(len(vocab), seed=seed), tok, grammar=index, prompt=[0],
                            max_new_tokens=150, temperature=1.0, seed=seed, jump_forward=True)
        except IncompleteGeneration:
            continue
        done += 1
        assert index.grammar.matches(text)
    assert done >= 3


def test_list_of_prompts(setup):
    vocab, tok, index = setup
    rng = random.Random(6)
    docs = [rand_schema_doc(rng) for _ in range(3)]
    eos = vocab.eos_ids[0]
    scripts = [random_tokenization(vocab, d.encode(), rng) for d in docs]
    model = TinyLM(len(vocab), seed=2)
    texts = generate(model, tok, grammar=index, prompt=[[0], [1], [2]], max_new_tokens=400,
                     temperature=1.0, seed=3)
    assert len(texts) == 3 and all(index.grammar.matches(t) for t in texts)
    assert texts[1] == generate(model, tok, grammar=index, prompt=[1], max_new_tokens=400,
                                temperature=1.0, seed=3)
    assert [generate(Scripted(len(vocab), s, eos), tok, grammar=index, prompt=[[0]],
                     max_new_tokens=len(s) + 2) for s in scripts] == [[d] for d in docs]


def test_list_of_prompts_transformers_batch(setup):
    """A batch through ``model.generate`` and the batched logits processor: each row is what
    the same model gives that prompt alone (greedy), and a sentence of the grammar."""
    transformers = pytest.importorskip("transformers")
    vocab, tok, index = setup
    config = transformers.GPT2Config(vocab_size=len(vocab), n_positions=512, n_embd=32,
                                     n_layer=1, n_head=2, eos_token_id=vocab.eos_ids[0])
    torch.manual_seed(3)
    model = transformers.GPT2LMHeadModel(config).eval()
    prompts = [[5, 6, 7], [9], [40, 41]]
    index = bind('start: "[" NUM ("," NUM)~0..3 "]"\nNUM: /[0-9]{1,3}/\n', tok)  # finite
    texts = generate(model, tok, grammar=index, prompt=prompts, max_new_tokens=40)
    assert len(texts) == 3
    for p, text in zip(prompts, texts):
        assert index.grammar.matches(text)
        assert text == generate(model, tok, grammar=index, prompt=p, max_new_tokens=40)
    assert len(set(texts)) > 1  # the rows were not all decoded from one prompt


def _shortest_tokens(index) -> int:
    """Tokens of the shortest complete output (the fewest the budget may hold)."""
    from grammars.constrained import BudgetGuard, Matcher

    return len(BudgetGuard(Matcher(index), 10**6).completion() or [])


def test_a_tight_budget_still_ends_in_a_valid_output(setup):
    """Sampling from a random model with a budget a few tokens over the shortest document:
    without the finisher most outputs are cut off; with it every one is a valid document
    within the budget, the finisher having appended the end."""
    jsonschema = pytest.importorskip("jsonschema")
    vocab, tok, index = setup
    budget = _shortest_tokens(index) + 6
    cut = appended = 0
    for seed in range(8):
        model = TinyLM(len(vocab), seed=seed)
        kw = dict(grammar=index, prompt=[0], max_new_tokens=budget, temperature=1.0, seed=seed)
        try:
            generate(model, tok, finish_within_budget=False, **kw)
        except IncompleteGeneration:
            cut += 1
        g = generate(model, tok, details=True, **kw)
        jsonschema.validate(json.loads(g.text), SCHEMA)
        assert len(g.ids) <= budget
        appended += g.finished > 0
    assert cut >= 4 and appended >= cut


def test_a_far_budget_changes_nothing(setup):
    """Outputs that end well within the budget are the same token for token with and without
    the finisher, which never steps in."""
    vocab, tok, index = setup
    same = 0
    for seed in range(8):
        model = TinyLM(len(vocab), seed=seed)
        kw = dict(grammar=index, prompt=[0], max_new_tokens=400, temperature=1.0, seed=seed,
                  details=True)
        try:
            off = generate(model, tok, finish_within_budget=False, **kw)
        except IncompleteGeneration:
            continue
        on = generate(model, tok, **kw)
        assert (on.ids, on.text, on.finished) == (off.ids, off.text, 0)
        same += 1
    assert same >= 4


def test_finisher_with_jump_forward_ends_complete(setup):
    """Jumped tokens go through the budget check too: a tight budget still ends complete."""
    vocab, _, _ = setup
    tok = LongestMatchTokenizer(vocab)
    index = bind(SCHEMA, tok)
    budget = _shortest_tokens(index) + 6
    for seed in range(6):
        g = generate(TinyLM(len(vocab), seed=seed), tok, grammar=index, prompt=[0],
                     max_new_tokens=budget, temperature=1.0, seed=seed, jump_forward=True,
                     details=True)
        assert index.grammar.matches(g.text) and len(g.ids) <= budget
