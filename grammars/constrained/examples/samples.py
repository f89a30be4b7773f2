"""Example sentences of the example grammars: random valid strings, made independently of
the engine (by hand-written generators), used by the tests and ``bench/decoding.py``."""

from __future__ import annotations

import json
import random
import re

from grammars.load import grammar_text

CONSTRUCTIONS = re.findall(r'"([^"]+)"', grammar_text("geometry_construction").split(
    "CONSTRUCTION:")[1].split("POINT:")[0])

SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 12},
        "age": {"type": "integer"},
        "tags": {"type": "array", "items": {"enum": ["a", "b", 3, None]}, "minItems": 1,
                 "maxItems": 3},
        "score": {"anyOf": [{"type": "null"}, {"type": "number"}]},
        "ok": {"type": "boolean"},
    },
    "required": ["name", "tags"],
}


# -- random valid strings (independent of the engine) ------------------------------------------
WORDS = ["x", "name", "zoë", "ü ã ó", "a\"b", "tab\tx", "日本", "", "emoji 🙂", "back\\slash"]


def rand_json(rng: random.Random, depth: int = 0):
    k = rng.randrange(7 if depth < 3 else 4)
    if k == 0:
        return rng.choice(WORDS)
    if k == 1:
        return rng.choice([0, -7, 12345, 2.5, -0.125, 1e21, 3e-5])
    if k == 2:
        return rng.choice([True, False, None])
    if k == 3:
        return rng.randrange(100)
    if k in (4, 5):
        return {rng.choice(WORDS): rand_json(rng, depth + 1) for _ in range(rng.randrange(4))}
    return [rand_json(rng, depth + 1) for _ in range(rng.randrange(4))]


def dump_json(rng: random.Random, value) -> str:
    return json.dumps(value, ensure_ascii=rng.random() < 0.3, indent=rng.choice([None, 1, 2]),
                      separators=rng.choice([None, (",", ":")]))


def rand_arith(rng: random.Random, depth: int = 0) -> str:
    k = rng.randrange(3 if depth > 3 else 7)
    if k == 0:
        return str(rng.choice([0, 7, 42, 3.25]))
    if k == 1:
        return rng.choice(["x", "y1", "rate_of_change"])
    if k == 2:
        return "(" + rand_arith(rng, depth + 1) + ")"
    if k == 3:
        return "-" + rand_arith(rng, depth + 1)
    if k == 4:
        args = [rand_arith(rng, depth + 1) for _ in range(rng.randrange(3))]
        return rng.choice(["f", "max"]) + "(" + ", ".join(args) + ")"
    op = rng.choice(["+", "-", "*", "/", "^", " + ", " * "])
    return rand_arith(rng, depth + 1) + op + rand_arith(rng, depth + 1)


def rand_sql(rng: random.Random) -> str:
    def col():
        if rng.random() < 0.3:
            a = rng.choice(["COUNT", "SUM", "MAX"]) + "(" + rng.choice(["*", "age"]) + ")"
            return a + (" AS n" if rng.random() < 0.5 else "")
        return rng.choice(["name", "status", "age", "user_id"])

    cols = "*" if rng.random() < 0.2 else ", ".join(col() for _ in range(rng.randint(1, 3)))
    q = f"SELECT {cols} FROM {rng.choice(['users', 'orders'])}"
    if rng.random() < 0.6:
        conds = [f"{rng.choice(['age', 'name'])} {rng.choice(['=', '>=', '<>', '<'])} "
                 f"{rng.choice(['18', 'x', chr(39) + 'bob' + chr(39)])}"
                 for _ in range(rng.randint(1, 3))]
        q += " WHERE " + rng.choice([" AND ", " OR "]).join(conds)
    if rng.random() < 0.4:
        q += " ORDER BY name" + rng.choice(["", " ASC", " DESC"])
    if rng.random() < 0.3:
        q += f" LIMIT {rng.randrange(100)}"
    return q + ";"


def rand_geometry(rng: random.Random) -> str:
    clauses = []
    for _ in range(rng.randint(1, 3)):
        pts = rng.sample(["a", "b", "c", "d", "x", "p1", "o"], rng.randint(1, 2))
        cons = [rng.choice(CONSTRUCTIONS) + "".join(
            " " + rng.choice(["a", "b", "c", "o", "30", "p1"]) for _ in range(rng.randint(0, 4)))
            for _ in range(rng.randint(1, 2))]
        clauses.append(" ".join(pts) + " = " + ", ".join(cons))
    return "; ".join(clauses)


def rand_schema_doc(rng: random.Random) -> str:
    doc: dict = {"name": rng.choice(["bob", "zoë", "a\"b", "x" * 12])}
    if rng.random() < 0.5:
        doc["age"] = rng.randrange(-5, 100)
    doc["tags"] = [rng.choice(["a", "b", 3, None]) for _ in range(rng.randint(1, 3))]
    if rng.random() < 0.5:
        doc["score"] = rng.choice([None, 1.5, -2, 0])
    if rng.random() < 0.5:
        doc["ok"] = rng.random() < 0.5
    # the schema's default whitespace is compact: json.dumps's separators or none at all
    return json.dumps(doc, ensure_ascii=rng.random() < 0.3,
                      separators=rng.choice([None, (",", ":")]))


def rand_object_schema(rng: random.Random, max_length: bool = False, nested: bool = True) -> dict:
    """A random object schema of the kind tool-call and extraction requests use: up to six
    properties (strings, integers, numbers, booleans, enums, arrays, a nested object), some
    required. ``max_length``: every string gets a ``maxLength``; ``nested``: a property may be an
    object of the same kind (one level deep)."""
    def leaf(depth: int) -> dict:
        kind = rng.choice(["string", "integer", "number", "boolean", "enum", "array"]
                          + ["object"] * (nested and depth == 0) if depth == 0
                          else ["string", "integer", "boolean", "enum"])
        if kind == "string":
            return {"type": "string", "maxLength": rng.randint(1, 24)} if max_length else {
                "type": "string"}
        if kind == "enum":
            return {"enum": rng.sample(["red", "green", "blue", 3, None, True], rng.randint(1, 4))}
        if kind == "array":
            return {"type": "array", "items": leaf(depth + 1), "maxItems": rng.randint(1, 4)}
        if kind == "object":
            return rand_object_schema(rng, max_length, nested=False)
        return {"type": kind}

    props = {rng.choice(WORDS) + str(i): leaf(0) for i in range(rng.randint(1, 6))}
    return {"type": "object", "properties": props,
            "required": [k for k in props if rng.random() < 0.6]}


def rand_schema_value(schema: dict, rng: random.Random):
    """A random value valid for ``SCHEMA`` or a schema of :func:`rand_object_schema`."""
    if "enum" in schema:
        return rng.choice(schema["enum"])
    if "anyOf" in schema:
        return rand_schema_value(rng.choice(schema["anyOf"]), rng)
    kind = schema["type"]
    if kind == "object":
        return {k: rand_schema_value(s, rng) for k, s in schema["properties"].items()
                if k in schema.get("required", ()) or rng.random() < 0.5}
    if kind == "array":
        n = rng.randint(schema.get("minItems", 0), schema.get("maxItems", 4))
        return [rand_schema_value(schema["items"], rng) for _ in range(n)]
    if kind == "string":
        lo, hi = schema.get("minLength", 0), schema.get("maxLength", 99)
        return rng.choice([w for w in WORDS if lo <= len(w) <= hi])
    return {"integer": lambda: rng.randrange(-9, 999), "number": lambda: rng.choice([1.5, -2]),
            "boolean": lambda: rng.random() < 0.5, "null": lambda: None}[kind]()


GENERATORS = {
    "json": lambda rng: dump_json(rng, rand_json(rng)),
    "arithmetic": rand_arith,
    "sql": rand_sql,
    "geometry": rand_geometry,
    "schema": rand_schema_doc,
}


BENCH_GRAMMARS = ("schema", "json", "arithmetic", "sql", "geometry")


def example_grammar(name: str) -> str | dict:
    """The grammar of a bench case: Lark text, or the JSON schema for ``"schema"``."""
    from importlib import resources

    if name == "schema":
        return SCHEMA
    if name == "geometry":
        return grammar_text("geometry_construction")
    return resources.files(__package__).joinpath(f"{name}.lark").read_text(encoding="utf-8")
