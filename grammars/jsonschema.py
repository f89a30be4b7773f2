"""JSON schema to a grammar: BNF (:func:`schema_to_bnf`, compiled without reading text, the
fast path of ``compile_grammar``) or the same grammar as Lark text (:func:`schema_to_lark`).

Supported keywords: ``type`` (one or a list), ``properties`` + ``required`` (properties appear
in schema order; like XGrammar's default, no additional properties), ``items``, ``minItems`` /
``maxItems``, ``enum``, ``const``, ``anyOf`` / ``oneOf``, ``minLength`` / ``maxLength``,
``$ref`` to ``#/$defs/...`` or ``#/definitions/...`` (recursion allowed), ``{}``/``true`` = any
value, and ``format`` on strings: date, time, date-time, duration, email, hostname, ipv4, ipv6
and uuid are enforced as regular languages (``grammars.formats``: every string produced parses
with Python's own parser of the format); any other format raises :class:`SchemaError` naming
it, unless ``ignore_unknown_formats=True`` lets such strings be any string (``format`` on
non-string types is an annotation and ignored, as the specification says). Anything else
that would change the language (``allOf``, ``not``, ``pattern``, ``additionalProperties``
other than false, ``minimum``...) raises :class:`SchemaError` rather than being silently
ignored.

Whitespace is bounded by default, as a small or unsure model otherwise pads with spaces and
newlines without end (``whitespace=``):

- ``"compact"`` (the default): nothing between tokens but one optional space after ``,`` and
  ``:`` (``json.dumps``'s default output and its ``separators=(",", ":")`` form);
- ``"pretty"``: also one optional newline and up to ``max_indent`` spaces after ``{``, ``[`` and
  ``,`` and before ``}`` and ``]`` (``json.dumps(doc, indent=k)`` for ``k <= max_indent`` at
  any depth that fits);
- ``"dumps"``: exactly one space after ``,`` and ``:`` and none elsewhere (``json.dumps``'s
  default output), so that separators are forced text (jump-forward emits them);
- ``"none"``: no whitespace at all;
- ``"any"``: any whitespace between any two tokens (``%ignore``), unbounded.
"""

from __future__ import annotations

import json
from typing import Any

from grammars.constrained.errors import SchemaError
from grammars.constrained.grammar import Bnf

_CHAR = r'(?:[^"\\\x00-\x1f]|\\["\\\/bfnrt]|\\u[0-9a-fA-F]{4})'
_BASE_TERMINALS = {
    "STRING": f'/"{_CHAR}*"/',
    "INTEGER": "/-?(?:0|[1-9][0-9]*)/",
    "NUMBER": "/-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/",
}
_ANY = {  # any JSON value, in BNF (L_TRUE etc.: the literals, see _Builder.literal)
    "any_value": ["any_object", "any_array", "STRING", "NUMBER", "L_TRUE", "L_FALSE", "L_NULL"],
    "any_object": ["LBRACE RBRACE", "LBRACE any_members RBRACE"],
    "any_members": ["STRING COLON any_value", "any_members COMMA STRING COLON any_value"],
    "any_array": ["LBRACK RBRACK", "LBRACK any_items RBRACK"],
    "any_items": ["any_value", "any_items COMMA any_value"],
}
WHITESPACE = ("compact", "pretty", "dumps", "none", "any")
MAX_INDENT = 16
"""Default bound of the indentation ``whitespace="pretty"`` allows (spaces after a newline)."""


def _punctuation(whitespace: str, max_indent: int) -> dict[str, str]:
    """The structural tokens as terminals that carry the whitespace allowed around them."""
    space = {"compact": " ?", "pretty": " ?", "dumps": " "}.get(whitespace, "")
    line = f"(?:\\n {{0,{max_indent}}})?" if whitespace == "pretty" else ""
    after = f"(?:\\n {{0,{max_indent}}}| )?" if whitespace == "pretty" else space
    return {"LBRACE": f"/\\{{{line}/", "RBRACE": f"/{line}\\}}/",
            "LBRACK": f"/\\[{line}/", "RBRACK": f"/{line}\\]/",
            "COMMA": f"/,{after}/", "COLON": f"/:{space}/"}


MAX_LENGTH = 1000
"""Longest ``minLength`` / ``maxLength``: the string terminal unrolls its length, which took
2.2 s to compile at 1000 and 15 s at 5000 (and Python's ``re`` refuses past 2^32)."""
_IGNORED = {"title", "description", "examples", "default", "$schema", "$id", "$comment",
            "additionalProperties", "$defs", "definitions", "readOnly", "writeOnly"}
_TYPES = ("object", "array", "string", "integer", "number", "boolean", "null")


def schema_to_lark(schema: dict | bool, whitespace: str = "compact",
                   ignore_unknown_formats: bool = False, max_indent: int = MAX_INDENT) -> str:
    """Lark grammar text whose language is the JSON documents valid for ``schema``.
    ``whitespace``: one of ``WHITESPACE`` (see the module's notes; ``max_indent`` bounds the
    ``"pretty"`` indentation). ``ignore_unknown_formats``: a string ``format`` outside
    ``grammars.formats.FORMATS`` allows any string instead of raising ``SchemaError``."""
    return schema_to_bnf(schema, whitespace, ignore_unknown_formats, max_indent).to_lark()


def schema_to_bnf(schema: dict | bool, whitespace: str = "compact",
                  ignore_unknown_formats: bool = False, max_indent: int = MAX_INDENT) -> Bnf:
    """The grammar of :func:`schema_to_lark` in BNF, for ``compile_bnf`` (no text to read)."""
    if whitespace not in WHITESPACE:
        raise ValueError(f"whitespace must be one of {', '.join(WHITESPACE)}, "
                         f"not {whitespace!r}")
    if isinstance(max_indent, bool) or not isinstance(max_indent, int) or max_indent < 0:
        raise ValueError(f"max_indent must be a whole number >= 0, not {max_indent!r}")
    b = _Builder(schema, ignore_unknown_formats)
    b.rules["start"] = ()  # first in the text
    b.add("start", [b.rule(schema, "root")])
    if any(sym in _ANY for alts in b.rules.values() for alt in alts for sym in alt):
        for name, alts in _ANY.items():
            b.add(name, alts)
        for value in (True, False, None):
            b.literal(value)
    terminals = {**b.terminals, **_BASE_TERMINALS,
                 **_punctuation("none" if whitespace == "any" else whitespace, max_indent)}
    ignore: tuple[str, ...] = ()
    if whitespace == "any":
        terminals["WS"] = "/[ \\t\\n\\r]+/"
        ignore = ("WS",)
    return Bnf(tuple(b.rules.items()), tuple(terminals.items()), ignore)


def literal(value: Any) -> str:
    """A Lark string literal for the compact JSON text of ``value``."""
    return json.dumps(json.dumps(value, ensure_ascii=False), ensure_ascii=False)


class _Builder:
    def __init__(self, root: dict | bool, ignore_unknown_formats: bool = False):
        self.root = root
        self.ignore_unknown_formats = ignore_unknown_formats
        self.formats: dict[str, str] = {}  # format name -> its terminal
        self.rules: dict[str, tuple[tuple[str, ...], ...]] = {}
        self.terminals: dict[str, str] = {}  # name -> Lark literal
        self.literals: dict[str, str] = {}  # JSON text -> its terminal
        self.refs: dict[str, str] = {}
        self.count = 0

    def fresh(self, hint: str) -> str:
        self.count += 1
        return f"{hint}_{self.count}"

    def add(self, name: str, alternatives: list[str]) -> str:
        """Rule ``name`` with these alternatives (space-separated symbols; "" is empty)."""
        self.rules[name] = tuple(tuple(alt.split()) for alt in alternatives)
        return name

    def literal(self, value: Any) -> str:
        """The terminal of the compact JSON text of ``value`` (one per distinct text; the
        true/false/null ones are named L_TRUE, L_FALSE, L_NULL)."""
        text = json.dumps(value, ensure_ascii=False)
        name = self.literals.get(text)
        if name is None:
            name = {"true": "L_TRUE", "false": "L_FALSE", "null": "L_NULL"}.get(
                text, f"L_{len(self.literals)}")
            self.literals[text] = name
            self.terminals[name] = literal(value)
        return name

    def rule(self, schema: dict | bool, hint: str) -> str:
        """The name of a rule for ``schema``."""
        if schema is True or schema == {}:
            return "any_value"
        if schema is False:
            raise SchemaError("schema `false` accepts nothing")
        if not isinstance(schema, dict):
            raise SchemaError(f"a schema must be an object or a boolean, not {schema!r}")
        unknown = set(schema) - _IGNORED - _HANDLED
        if unknown:
            raise SchemaError("unsupported JSON schema keyword(s): "
                              + ", ".join(json.dumps(k) for k in sorted(unknown)))
        for key, kinds in _SHAPES.items():
            if key in schema and (not isinstance(schema[key], kinds)
                                  or isinstance(schema[key], bool) and bool not in kinds):
                shown = json.dumps(schema[key])
                raise SchemaError(f"{key} must be {' or '.join(_JSON[k] for k in kinds)}, got "
                                  f"{shown[:60]}{'...' if len(shown) > 60 else ''}")
        if not all(isinstance(k, str) for k in schema.get("required", [])):
            raise SchemaError("required must list property names (strings)")
        ap = schema.get("additionalProperties", False)
        if ap not in (False, None) and schema.get("type", "object") == "object" and (
                "properties" in schema):
            raise SchemaError("additionalProperties other than false is not supported")
        if "$ref" in schema:
            return self.ref(schema["$ref"])
        if "const" in schema:
            return self.add(self.fresh("const"), [self.literal(schema["const"])])
        if "enum" in schema:
            if not schema["enum"]:
                raise SchemaError("enum must not be empty")
            return self.add(self.fresh("enum"), [self.literal(v) for v in schema["enum"]])
        for key in ("anyOf", "oneOf"):
            if key in schema:
                subs = [self.rule(s, hint) for s in schema[key]]
                if not subs:
                    raise SchemaError(f"{key} must not be empty")
                return self.add(self.fresh(key.lower()), subs)
        return self.typed(schema, hint)

    def ref(self, ref: str) -> str:
        if ref not in self.refs:
            parts = ref.split("/")
            if len(parts) != 3 or parts[0] != "#" or parts[1] not in ("$defs", "definitions"):
                raise SchemaError(f"unsupported $ref {ref!r} (use #/$defs/NAME)")
            target = self.root.get(parts[1], {}).get(parts[2]) if isinstance(
                self.root, dict) else None
            if target is None:
                raise SchemaError(f"$ref {ref!r} points to nothing")
            name = self.refs[ref] = self.fresh("ref")
            self.add(name, [self.rule(target, "def")])
        return self.refs[ref]

    def typed(self, schema: dict, hint: str) -> str:
        types = schema.get("type")
        if types is None:
            types = [t for t in _TYPES if _implies(schema, t)] or list(_TYPES)
        if isinstance(types, str):
            types = [types]
        alts = []
        for t in types:
            if t not in _TYPES:
                raise SchemaError(f"unknown type {t!r}")
            alts.append(getattr(self, f"type_{t}")(schema, hint))
        return alts[0] if len(alts) == 1 else self.add(self.fresh(hint), alts)

    def type_null(self, schema: dict, hint: str) -> str:
        return self.literal(None)

    def type_boolean(self, schema: dict, hint: str) -> str:
        return self.add(self.fresh("bool"), [self.literal(True), self.literal(False)])

    def type_integer(self, schema: dict, hint: str) -> str:
        return "INTEGER"

    def type_number(self, schema: dict, hint: str) -> str:
        return "NUMBER"

    def type_string(self, schema: dict, hint: str) -> str:
        lo, hi = _bounds(schema, "minLength", "maxLength")
        if "format" in schema:
            terminal = self.format(schema["format"], lo != 0 or hi is not None)
            if terminal is not None:
                return terminal
        if max(lo, hi or 0) > MAX_LENGTH:
            raise SchemaError(f"string lengths above {MAX_LENGTH} are not supported (the length "
                              f"is unrolled into the string terminal), got {max(lo, hi or 0)}")
        if lo == 0 and hi is None:
            return "STRING"
        reps = f"{{{lo},{'' if hi is None else hi}}}"
        name = self.fresh("STR").upper()
        self.terminals[name] = f'/"{_CHAR}{reps}"/'
        return name

    def format(self, name: object, bounded: bool) -> str | None:
        """The terminal of the strings of format ``name`` (None: any string, an unknown format
        ignored on request)."""
        from grammars.formats import FORMATS

        if not isinstance(name, str):
            raise SchemaError(f"format must be a string, got {name!r}")
        if name not in FORMATS:
            if self.ignore_unknown_formats:
                return None
            raise SchemaError(f"unsupported string format {name!r} (supported: "
                              f"{', '.join(FORMATS)}; ignore_unknown_formats=True accepts any "
                              "string for it)")
        if bounded:
            raise SchemaError(f"format {name!r} together with minLength/maxLength is not "
                              "supported")
        if name not in self.formats:
            terminal = self.formats[name] = "FORMAT_" + name.upper().replace("-", "_")
            body = FORMATS[name].replace("/", "\\/")  # the Lark regex literal ends at /
            self.terminals[terminal] = f'/"{body}"/'
        return self.formats[name]

    def type_array(self, schema: dict, hint: str) -> str:
        item = self.rule(schema.get("items", True), hint + "_item")
        lo, hi = _bounds(schema, "minItems", "maxItems")
        if hi == 0:
            return self.add(self.fresh("array"), ["LBRACK RBRACK"])
        rest = self.repeat(f"COMMA {item}", max(lo - 1, 0), None if hi is None else hi - 1)
        body = f"LBRACK {item} {rest} RBRACK"
        alts = [body] if lo > 0 else [body, "LBRACK RBRACK"]
        return self.add(self.fresh("array"), alts)

    def repeat(self, symbols: str, lo: int, hi: int | None) -> str:
        """A rule for ``symbols`` repeated ``lo`` to ``hi`` times (None: no limit), in BNF:
        left recursion for the unbounded tail, a chain of optional copies for a bounded one."""
        name = self.fresh("rep")
        if hi is None:
            self.add(name, ["", f"{name} {symbols}"])
        else:
            self.add(name, [""])
            for _ in range(hi - lo):
                nxt = self.fresh("rep")
                self.add(nxt, ["", f"{symbols} {name}"])
                name = nxt
        for _ in range(lo):
            nxt = self.fresh("rep")
            self.add(nxt, [f"{symbols} {name}"])
            name = nxt
        return name

    def type_object(self, schema: dict, hint: str) -> str:
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        missing = required - set(props)
        if missing:
            raise SchemaError(f"required properties without a schema: {sorted(missing)}")
        if not props:
            return "any_object" if schema.get("additionalProperties", True) else self.add(
                self.fresh("object"), ["LBRACE RBRACE"])
        members = [f"{self.literal(k)} COLON {self.rule(s, self.fresh('p'))}" for k, s in
                   props.items()]
        req = [k in required for k in props]
        return self.members(members, req)

    def members(self, members: list[str], req: list[bool]) -> str:
        """Properties in order, optional ones skippable, commas only between present ones."""
        n = len(members)
        first = self.fresh("first")
        rest = [self.fresh("rest") for _ in range(n + 1)]
        for i in range(n + 1):
            alts = [] if any(req[i:]) else [""]
            for j in range(i, n):
                alts.append(f"COMMA {members[j]} {rest[j + 1]}")
                if req[j]:
                    break
            self.add(rest[i], alts)
        alts = [] if any(req) else ["LBRACE RBRACE"]
        for j in range(n):
            alts.append(f"LBRACE {members[j]} {rest[j + 1]} RBRACE")
            if req[j]:
                break
        return self.add(first, alts)


_SHAPES: dict[str, tuple[type, ...]] = {
    "type": (str, list), "properties": (dict,), "required": (list,), "items": (dict, bool),
    "enum": (list,), "anyOf": (list,), "oneOf": (list,), "$ref": (str,), "$defs": (dict,),
    "definitions": (dict,)}
"""The JSON kinds a keyword's value must have (checked before it is used)."""
_JSON = {str: "a string", list: "an array", dict: "an object", bool: "a boolean"}

_HANDLED = {"type", "properties", "required", "items", "minItems", "maxItems", "enum", "const",
            "anyOf", "oneOf", "minLength", "maxLength", "$ref", "format"}


def _implies(schema: dict, t: str) -> bool:
    keys = {"object": ("properties", "required"), "array": ("items", "minItems", "maxItems"),
            "string": ("minLength", "maxLength", "format")}.get(t, ())
    return any(k in schema for k in keys)


def _bounds(schema: dict, low: str, high: str) -> tuple[int, int | None]:
    """The (min, max) of a length or count: whole numbers >= 0, min <= max (max None: no
    limit); a ``SchemaError`` naming the keywords otherwise."""
    for key in (low, high):
        value = schema.get(key)
        if key in schema and (isinstance(value, bool) or not isinstance(value, int)
                              or value < 0):
            raise SchemaError(f"{key} must be a whole number >= 0, got {json.dumps(value)}")
    lo, hi = schema.get(low, 0), schema.get(high)
    if hi is not None and hi < lo:
        raise SchemaError(f"{high} {hi} < {low} {lo}")
    return lo, hi
