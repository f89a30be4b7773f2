"""JSON schema ``format``: every string sampled through the matcher parses with Python's own
parser of the format (and passes jsonschema's format checker where it has one); malformed
strings are refused; an unknown format is a ``SchemaError`` unless ignored on request."""

from __future__ import annotations

import ipaddress
import json
import random
import re
import uuid
from datetime import date, datetime, time
from email.headerregistry import Address

import jsonschema
import pytest
from constrained_helpers import random_walk, small_vocab

from grammars.constrained import SchemaError, TokenIndex, compile_grammar
from grammars.formats import FORMATS


def duration(text: str) -> None:
    """RFC 3339 appendix A, checked apart from our regex: P, then weeks alone, or date parts
    then time parts each a run without gaps (Y M D, H M S), at least one part."""
    m = re.fullmatch(r"P(?:(\d+)W|(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?"
                     r"(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?)", text)
    assert m, text
    if m[1] is None:
        for run in (m.groups()[1:4], m.groups()[4:7]):
            present = [g is not None for g in run]
            if any(present):
                first, last = present.index(True), len(present) - present[::-1].index(True)
                assert all(present[first:last]), text
        assert any(g is not None for g in m.groups()[1:]), text
        assert "T" not in text or any(g is not None for g in m.groups()[4:]), text


def hostname(text: str) -> None:
    for label in text.split("."):
        assert 1 <= len(label) <= 63 and label[0] != "-" != label[-1], text
        assert re.fullmatch(r"[A-Za-z0-9-]+", label), text


def email(text: str) -> None:
    local, _, domain = text.rpartition("@")
    address = Address(addr_spec=text)
    assert (address.username, address.domain) == (local, domain)
    hostname(domain)


def ipv4(text: str) -> None:
    assert str(ipaddress.IPv4Address(text)) == text


def uuid_(text: str) -> None:
    assert str(uuid.UUID(text)) == text.lower()


PRINTABLE = "".join(chr(c) for c in range(33, 127))
CHECKS = {"date": date.fromisoformat, "time": time.fromisoformat,
          "date-time": datetime.fromisoformat, "duration": duration, "email": email,
          "hostname": hostname, "ipv4": ipv4, "ipv6": ipaddress.IPv6Address, "uuid": uuid_}

VALID = {
    "date": ["2024-02-29", "2000-02-29", "0001-01-01", "1999-12-31", "2023-04-30"],
    "time": ["00:00:00Z", "23:59:59.123456+05:30", "12:30:00-08:00", "07:08:09.5Z"],
    "date-time": ["2024-02-29T23:59:59Z", "1970-01-01T00:00:00.000+00:00"],
    "duration": ["P1Y2M3DT4H5M6S", "P3W", "PT0S", "P1D", "PT1H", "P2MT30M", "P1Y2M"],
    "email": ["a@b", "first.last+tag@mail.example.com", "x_y-z!#$%&'*/=?^`{|}~@a-1.io"],
    "hostname": ["localhost", "a-b.c0.example", "x" * 63 + ".com"],
    "ipv4": ["0.0.0.0", "255.255.255.255", "192.168.1.10"],
    "ipv6": ["::", "::1", "1::", "fe80::1:2", "1:2:3:4:5:6:7:8", "::ffff:10.0.0.1",
             "1:2:3:4:5:6:1.2.3.4", "2001:DB8::8:800:200C:417A"],
    "uuid": ["123e4567-e89b-12d3-a456-426614174000", "ABCDEFAB-CDEF-ABCD-EFAB-CDEFABCDEFAB"],
}
INVALID = {
    "date": ["2023-02-29", "1900-02-29", "2024-04-31", "2024-13-01", "0000-01-01",
             "2024-1-01", "24-01-01", "2024-01-01T00:00:00Z"],
    "time": ["24:00:00Z", "12:60:00Z", "12:00:60Z", "12:00:00", "12:00Z", "12:00:00+5:00",
             "12:00:00.Z"],
    "date-time": ["2024-02-29 23:59:59Z", "2024-02-30T00:00:00Z", "2024-02-29T23:59:59"],
    "duration": ["P", "PT", "P1Y1D", "PT1H1S", "P1W1D", "1Y", "P1.5Y", "P1DT"],
    "email": ["", "a", "@b", "a@", "a..b@c", ".a@b", "a@b..c", "a@-b", "a b@c", 'a"b@c'],
    "hostname": ["", "-a", "a-", "a..b", "a_b", "x" * 64, "a.b."],
    "ipv4": ["256.0.0.1", "1.2.3", "01.2.3.4", "1.2.3.4.5", "1.2.3.-4"],
    "ipv6": [":", ":::", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "g::1", "::1.2.3",
             "1:2:3:4:5:6:7:1.2.3.4", "fe80::1%eth0"],
    "uuid": ["123e4567e89b12d3a456426614174000", "123e4567-e89b-12d3-a456-42661417400",
             "{123e4567-e89b-12d3-a456-426614174000}", "g23e4567-e89b-12d3-a456-426614174000"],
}


def test_every_format_has_a_check_and_examples():
    assert set(FORMATS) == set(CHECKS) == set(VALID) == set(INVALID)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_examples_are_accepted_and_malformed_strings_refused(name):
    g = compile_grammar({"type": "string", "format": name})
    for text in VALID[name]:
        CHECKS[name](text)  # the examples themselves are right
        assert g.matches(json.dumps(text)), text
    for text in INVALID[name]:
        assert not g.matches(json.dumps(text)), text
        assert re.fullmatch(FORMATS[name], text) is None, text


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_sampled_strings_parse_with_pythons_own_parser(name):
    """Random walks through the matcher (a random token among those allowed, each step) over
    a vocabulary cut from the examples: every finished string is valid for Python, and for
    jsonschema's format checker where it knows the format."""
    schema = {"type": "string", "format": name}
    rng = random.Random(sum(map(ord, name)))
    noise = ["".join(rng.sample(PRINTABLE, len(PRINTABLE))) for _ in range(4)]
    index = TokenIndex(compile_grammar(schema, whitespace="none"),
                       small_vocab([json.dumps(t) for t in VALID[name]] + noise, rng,
                                   n_multi=150))
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    seen = set()
    for _ in range(60):
        text, finished, _ = random_walk(index, rng, max_steps=120)
        if finished:
            value = json.loads(text)
            CHECKS[name](value)
            if name in checker.checkers:
                jsonschema.validate(value, schema, format_checker=checker)
            seen.add(value)
    assert len(seen) >= 10, seen


def test_unknown_formats_are_refused_by_name_or_ignored_on_request():
    with pytest.raises(SchemaError, match="unsupported string format 'uri'"):
        compile_grammar({"type": "string", "format": "uri"})
    g = compile_grammar({"type": "string", "format": "uri"}, ignore_unknown_formats=True)
    assert g.matches('"anything at all"')
    with pytest.raises(SchemaError, match="minLength"):
        compile_grammar({"type": "string", "format": "date", "minLength": 3})


def test_format_applies_to_strings_only():
    g = compile_grammar({"type": ["integer", "string"], "format": "date"})
    assert g.matches("5") and g.matches('"2024-01-31"') and not g.matches('"5"')
    g = compile_grammar({"type": "object", "properties": {
        "when": {"type": "string", "format": "date-time"},
        "ip": {"anyOf": [{"format": "ipv4"}, {"format": "ipv6"}]}}, "required": ["when"]})
    assert g.matches('{"when": "2024-01-31T10:00:00Z", "ip": "::1"}')
    assert not g.matches('{"when": "2024-01-31", "ip": "::1"}')
