"""Hypothesis strategies of fuzz inputs, one per input language.

Each language mixes three kinds of input, so that many get past the first parse error:
mutations of its valid seeds (byte and token edits, splicing two seeds, deep nesting, huge
numbers, unicode, NUL bytes, truncation, the empty input), inputs generated from the language's
structure with wrong parts in it, and plain random bytes. Every edit is a drawn value, so
hypothesis shrinks a failing input edit by edit.
"""

from __future__ import annotations

import functools
import json

import fuzz_targets as ft
from hypothesis import strategies as st

NASTY = (b"\x00", b"\xff\xfe", b"\xed\xa0\x80", "é".encode(), "日本".encode(), "🙂".encode(),
         "\u202e".encode(), b"\r", b"\r\n", b"\t", b"\\", b'"', b"'", b"|", b";", b"#", b"(",
         b")", b"99999999999999999999999999999999", b"1e999", b"-0", b"nan", b"inf",
         b"-9223372036854775809", b"0x10", b"1/0", b" " * 64)


@functools.cache
def _seeds(language: str) -> tuple[bytes, ...]:
    seeds = tuple(ft.target(language).seeds()) or (b"",)
    return tuple(s for s in seeds if len(s) <= 100_000)


def _edit(data: bytes, edit: tuple, seeds: tuple[bytes, ...], tokens: tuple[bytes, ...]
          ) -> bytes:
    kind, where, size, pick = edit
    n = len(data)
    i = int(where * n)
    j = min(n, i + size)
    if kind == "delete":
        return data[:i] + data[j:]
    if kind == "token":
        return data[:i] + (tokens or NASTY)[pick % len(tokens or NASTY)] + data[i:]
    if kind == "replace_token":
        return data[:i] + (tokens or NASTY)[pick % len(tokens or NASTY)] + data[j:]
    if kind == "nasty":
        return data[:i] + NASTY[pick % len(NASTY)] + data[j:]
    if kind == "byte":
        return data[:i] + bytes([pick % 256]) + data[i + 1:]
    if kind == "duplicate":
        return data[:j] + data[i:j] * (1 + pick % 8) + data[j:]
    if kind == "splice":
        other = seeds[pick % len(seeds)]
        k = int(where * len(other))
        return data[:i] + other[k:k + max(size, 1) * 8] + data[j:]
    if kind == "nest":
        depth = 10 ** (1 + pick % 4)
        return data[:i] + b"(" * depth + data[i:j] + b")" * depth + data[j:]
    if kind == "truncate":
        return data[:i]
    if kind == "swap_lines":
        lines = data.splitlines(keepends=True)
        if len(lines) > 1:
            a, b = pick % len(lines), int(where * len(lines)) % len(lines)
            lines[a], lines[b] = lines[b], lines[a]
        return b"".join(lines)
    raise AssertionError(kind)


EDITS = st.tuples(
    st.sampled_from(("delete", "token", "replace_token", "nasty", "byte", "duplicate",
                     "splice", "nest", "truncate", "swap_lines")),
    st.floats(0, 1, exclude_max=True), st.integers(0, 64), st.integers(0, 2**16))


def mutated(language: str, max_edits: int = 6) -> st.SearchStrategy[bytes]:
    """A seed of the language under a few drawn edits."""
    seeds = _seeds(language)
    tokens = ft.target(language).tokens

    def apply(seed: bytes, edits: list[tuple]) -> bytes:
        for edit in edits:
            seed = _edit(seed, edit, seeds, tokens)
        return seed

    return st.builds(apply, st.sampled_from(seeds), st.lists(EDITS, max_size=max_edits))


def _words(language: str) -> st.SearchStrategy[str]:
    tokens = [t.decode("utf-8", "replace") for t in ft.target(language).tokens]
    return st.one_of(st.sampled_from(tokens), st.sampled_from([t.decode("utf-8", "replace")
                                                               for t in NASTY]),
                     st.text(max_size=6))


# ---------------------------------------------------------------- generated structure


POINTS = st.sampled_from("abcdefgh")


@st.composite
def geometry_problem(draw) -> bytes:
    """A name line and a problem line of random clauses over known construction and predicate
    names, with wrong arities, unknown points and odd words mixed in."""
    words = _words("geometry")
    clauses = []
    for _ in range(draw(st.integers(1, 5))):
        points = " ".join(draw(st.lists(POINTS, min_size=1, max_size=3)))
        steps = [" ".join([draw(words), *draw(st.lists(POINTS | words, max_size=5))])
                 for _ in range(draw(st.integers(0, 2)))]
        clauses.append(f"{points} = {', '.join(steps)}")
    goal = " ".join([draw(words), *draw(st.lists(POINTS | words, max_size=6))])
    name = draw(st.sampled_from(["p", "", "a b = c ? d", "x" * 300]))
    return f"{name}\n{'; '.join(clauses)} ? {goal}\n".encode()


def sexpr(words: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.recursive(words, lambda inner: st.lists(inner, max_size=5).map(
        lambda xs: "(" + " ".join(xs) + ")"), max_leaves=30)


@st.composite
def sygus_file(draw) -> bytes:
    words = _words("sygus")
    head = draw(st.sampled_from(["(set-logic LIA)", "(set-logic BV)", "(set-logic SLIA)", ""]))
    commands = draw(st.lists(sexpr(words), min_size=1, max_size=6))
    synth = draw(st.sampled_from([
        "(synth-fun f ((x Int) (y Int)) Int)", "(synth-fun f ((x (_ BitVec 8))) (_ BitVec 8))",
        "(synth-fun f ((s String)) String)", "(synth-inv inv ((x Int)))", ""]))
    return "\n".join([head, synth, *commands, "(check-synth)"]).encode()


@st.composite
def vnnlib_file(draw) -> bytes:
    n_in, n_out = draw(st.sampled_from([(2, 2), (16, 3), (5, 5), (1, 1), (0, 2)]))
    number = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr),
                       st.integers(-10**30, 10**30).map(str), st.sampled_from(["0", "1", "-1"]))
    var = st.one_of(st.integers(0, n_in + 1).map(lambda i: f"X_{i}"),
                    st.integers(0, n_out + 1).map(lambda i: f"Y_{i}"))
    term = var | number

    def atom(draw_):
        return draw_(st.sampled_from(["<=", ">=", "<", ">", "="])), draw_(term), draw_(term)

    lines = [f"(declare-const X_{i} Real)" for i in range(n_in)]
    lines += [f"(declare-const Y_{i} Real)" for i in range(n_out)]
    for _ in range(draw(st.integers(0, 8))):
        atoms = [f"({op} {a} {b})" for op, a, b in (atom(draw) for _ in range(
            draw(st.integers(1, 3))))]
        if len(atoms) > 1 or draw(st.booleans()):
            atoms = [f"({draw(st.sampled_from(['and', 'or']))} {' '.join(atoms)})"]
        lines.append(f"(assert {atoms[0]})")
    return "\n".join(draw(st.permutations(lines)) if draw(st.booleans()) else lines).encode()


@st.composite
def instances_csv(draw) -> bytes:
    field = _words("instances_csv") | st.sampled_from(["xor2.onnx", "xor2_y0_below.vnnlib"])
    rows = draw(st.lists(st.lists(field, max_size=4), max_size=5))
    sep = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return sep.join(",".join(r) for r in rows).encode()


@st.composite
def onnx_model(draw) -> bytes:
    """A bundled small model with its structure edited through the protobuf: dimensions,
    operator types, attributes, initializer shapes and values, node inputs, removed nodes."""
    import numpy as np
    import onnx
    from onnx import numpy_helper

    name = draw(st.sampled_from(["xor2.onnx", "conv1.onnx"]))
    model = onnx.load_from_string((ft.PROBLEMS / "verify" / name).read_bytes())
    graph = model.graph
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["dim", "op", "attr", "init", "input", "drop", "output",
                                     "no_output"]))
        if kind == "dim" and graph.input:
            dims = graph.input[0].type.tensor_type.shape.dim
            if dims:
                dims[draw(st.integers(0, len(dims) - 1))].dim_value = draw(
                    st.sampled_from([0, 1, 3, 7, 2**31 - 1]))
        elif kind == "op" and graph.node:
            graph.node[draw(st.integers(0, len(graph.node) - 1))].op_type = draw(st.sampled_from(
                ["Relu", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Conv", "Flatten",
                 "Reshape", "Transpose", "Squeeze", "Unsqueeze", "Concat", "Gather", "Cast",
                 "Constant", "BatchNormalization", "Identity", "Neg", "Shape", "Sigmoid"]))
        elif kind == "attr" and graph.node:
            node = graph.node[draw(st.integers(0, len(graph.node) - 1))]
            attr = draw(st.sampled_from(["axis", "transA", "transB", "alpha", "beta", "perm",
                                         "strides", "pads", "group", "dilations", "epsilon",
                                         "kernel_shape", "axes", "to", "allowzero"]))
            value = draw(st.one_of(st.integers(-3, 5), st.floats(-2, 2),
                                   st.lists(st.integers(-2, 4), min_size=1, max_size=5)))
            del node.attribute[:]
            node.attribute.append(onnx.helper.make_attribute(attr, value))
        elif kind == "init" and graph.initializer:
            k = draw(st.integers(0, len(graph.initializer) - 1))
            old = numpy_helper.to_array(graph.initializer[k])
            shape = draw(st.sampled_from([old.shape, old.shape[::-1], (old.size,), (1,), (0,),
                                          (2, 3, 4), ()]))
            fill = draw(st.sampled_from([0.0, 1.0, np.nan, np.inf, -1e38]))
            value = np.full(shape, fill, dtype=old.dtype if old.dtype != object else np.float32)
            graph.initializer[k].CopyFrom(numpy_helper.from_array(value, graph.initializer[k]
                                                                  .name))
        elif kind == "input" and graph.node:
            node = graph.node[draw(st.integers(0, len(graph.node) - 1))]
            names = [i.name for i in graph.initializer] + [o for n in graph.node
                                                          for o in n.output] + ["", "ghost"]
            if node.input:
                node.input[draw(st.integers(0, len(node.input) - 1))] = draw(
                    st.sampled_from(names))
            else:
                node.input.append(draw(st.sampled_from(names)))
        elif kind == "drop" and graph.node:
            del graph.node[draw(st.integers(0, len(graph.node) - 1))]
        elif kind == "no_output" and graph.node:
            del graph.node[draw(st.integers(0, len(graph.node) - 1))].output[:]
        elif kind == "output" and graph.output:
            graph.output[0].name = draw(st.sampled_from(
                [n.output[0] for n in graph.node if n.output] + ["ghost", graph.input[0].name]))
    return model.SerializeToString()


@st.composite
def lark_grammar(draw) -> bytes:
    words = _words("lark")
    names = ["start", "a", "b", "_c", "D", "E"]
    atom = st.one_of(st.sampled_from(names), st.sampled_from(['"x"', '"("', '""', '/[0-9]+/',
                                                              '/a*/', '/(?=a)/', '"a"i']), words)
    expansion = st.lists(st.tuples(atom, st.sampled_from(["", "*", "+", "?", "~2", " "])),
                         max_size=4).map(lambda xs: " ".join(a + op for a, op in xs))
    rules = []
    for _ in range(draw(st.integers(1, 6))):
        name = draw(st.sampled_from(names))
        alts = draw(st.lists(expansion, min_size=1, max_size=3))
        rules.append(f"{draw(st.sampled_from(['', '?', '!']))}{name}: {' | '.join(alts)}")
    rules += draw(st.lists(st.sampled_from(["%import common.WS", "%ignore WS",
                                            "%import common.NUMBER", "%ignore \" \"",
                                            "%declare X"]), max_size=3))
    return "\n".join(rules).encode()


def _schema() -> st.SearchStrategy:
    keys = st.sampled_from(["type", "properties", "required", "items", "enum", "const", "anyOf",
                            "oneOf", "allOf", "$ref", "$defs", "minItems", "maxItems",
                            "minLength", "maxLength", "pattern", "additionalProperties",
                            "prefixItems", "format", "minimum", "title", "description"])
    scalar = st.one_of(st.sampled_from(["object", "array", "string", "integer", "number",
                                        "boolean", "null", "#/$defs/a", "#", "a"]),
                       st.integers(-3, 10**20), st.booleans(), st.none(),
                       st.floats(allow_nan=False), st.text(max_size=5))
    return st.recursive(scalar, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(keys | st.text(max_size=3), inner,
                                                     max_size=4)), max_leaves=25)


def json_schema() -> st.SearchStrategy[bytes]:
    return _schema().map(lambda s: json.dumps(s).encode())


ARGS = ("tiny.txt", "bad.txt", "max2.sl", "sub", ".", "xor2.onnx", "conv1.onnx",
        "xor2_y0_below.vnnlib", "conv1_robust.vnnlib", "holds.csv", "xor.csv", "missing.txt")


@st.composite
def command_line(draw) -> bytes:
    """A program, then arguments drawn from its flags, values and the sandbox's files; the
    timeout flags get short values most of the time so that solving stays cheap."""
    program = draw(st.integers(0, 1))
    words = _words("cli") | st.sampled_from(ARGS)
    argv = draw(st.lists(words, max_size=8))
    if draw(st.integers(0, 3)):
        argv += ["--timeout", draw(st.sampled_from(["0.5", "1", "0.1"]))]
    return bytes([program]) + "\n".join(argv).encode()


GENERATED = {"geometry": geometry_problem, "sygus": sygus_file, "vnnlib": vnnlib_file,
             "instances_csv": instances_csv, "onnx": onnx_model, "lark": lark_grammar,
             "jsonschema": json_schema, "cli": command_line}


def inputs(language: str) -> st.SearchStrategy[bytes]:
    """Every kind of input of one language: mutated seeds, generated structure (plain and
    mutated once more), random bytes."""
    seeds = _seeds(language)
    tokens = ft.target(language).tokens
    generated = GENERATED[language]()

    def again(data: bytes, edits: list[tuple]) -> bytes:
        for edit in edits:
            data = _edit(data, edit, seeds, tokens)
        return data

    return st.one_of(mutated(language), generated,
                     st.builds(again, generated, st.lists(EDITS, min_size=1, max_size=3)),
                     st.binary(max_size=64))
