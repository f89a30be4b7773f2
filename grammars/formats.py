"""The string formats of JSON schema (``"format": "date"``...) as regular languages.

Each format is one regex (Python syntax, no anchors or lookaround, so the byte-level lexer can
compile it) whose every match is valid for Python's own parser of that format: a subset of
the RFC grammar where Python is stricter. ``grammars.jsonschema`` puts it between the quotes
of a JSON string; no format needs an escape inside a JSON string. The same formats as
XGrammar and llguidance enforce, minus ``uri`` (whose RFC 3986 grammar is regular but large;
it raises ``SchemaError`` like any unknown format):

===========  ==========================================================================
date         RFC 3339 full-date, years 0001-9999 (``date.fromisoformat``), real
             calendar days (30 April, 28 February, 29 February in leap years only)
time         RFC 3339 full-time: ``HH:MM:SS``, optional 1-6 fraction digits, then ``Z``
             or ``+HH:MM``/``-HH:MM`` (no leap second ``:60``: Python refuses it)
date-time    date ``T`` time (upper case ``T`` and ``Z``)
duration     RFC 3339 appendix A (ISO 8601): ``P1Y2M3DT4H5M6S``, ``P3W``, ``PT0S``...
email        RFC 5321 dot-atom local part ``@`` a hostname (no quoted local parts, no
             address literals)
hostname     RFC 1123 labels of 1-63 letters, digits and inner hyphens, dot-separated
ipv4         dotted quad, 0-255, no leading zeros (``ipaddress.IPv4Address``)
ipv6         RFC 4291 / 3986 text forms, ``::`` compression and a trailing dotted quad
             included, no zone id (``ipaddress.IPv6Address``)
uuid         8-4-4-4-12 hex digits, either case (``uuid.UUID``)
===========  ==========================================================================
"""

from __future__ import annotations

_YEAR = r"(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"
_MONTH_DAY = (r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
              r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
              r"|02-(?:0[1-9]|1[0-9]|2[0-8]))")
_LEAP4 = r"(?:0[48]|[2468][048]|[13579][26])"  # two digits divisible by 4, not 00
_LEAP_YEAR = rf"(?:[0-9]{{2}}{_LEAP4}|{_LEAP4}00)"
DATE = rf"(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29)"

_HH, _MM = r"(?:[01][0-9]|2[0-3])", r"[0-5][0-9]"
TIME = rf"{_HH}:{_MM}:{_MM}(?:\.[0-9]{{1,6}})?(?:Z|[+-]{_HH}:{_MM})"
DATE_TIME = rf"{DATE}T{TIME}"

_N = "[0-9]+"
_DUR_TIME = rf"T(?:{_N}H(?:{_N}M(?:{_N}S)?)?|{_N}M(?:{_N}S)?|{_N}S)"
_DUR_DATE = rf"(?:{_N}D|{_N}M(?:{_N}D)?|{_N}Y(?:{_N}M(?:{_N}D)?)?)(?:{_DUR_TIME})?"
DURATION = rf"P(?:{_DUR_DATE}|{_DUR_TIME}|{_N}W)"

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
HOSTNAME = rf"{_LABEL}(?:\.{_LABEL})*"
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
EMAIL = rf"{_ATEXT}(?:\.{_ATEXT})*@{HOSTNAME}"

_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
IPV4 = rf"{_OCTET}(?:\.{_OCTET}){{3}}"


def _ipv6() -> str:
    """RFC 3986's IPv6address, one alternative per place of the ``::``."""
    h16 = "[0-9A-Fa-f]{1,4}"
    ls32 = f"(?:{h16}:{h16}|{IPV4})"

    def groups(n: int) -> str:  # n times "h16:"
        return "" if n == 0 else f"(?:{h16}:){{{n}}}"

    def before(most: int) -> str:  # up to `most` h16 before the "::", colon-separated
        if most < 0:
            return ""
        inner = f"(?:{h16}:){{0,{most}}}{h16}" if most else h16
        return f"(?:{inner})?"

    alts = [f"{groups(6)}{ls32}", f"::{groups(5)}{ls32}"]
    alts += [f"{before(k)}::{groups(4 - k)}{ls32}" for k in range(0, 5)]
    alts += [f"{before(5)}::{h16}", f"{before(6)}::"]
    return "(?:" + "|".join(alts) + ")"


IPV6 = _ipv6()
_HEX = "[0-9A-Fa-f]"
UUID = rf"{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}"

FORMATS: dict[str, str] = {
    "date": DATE, "time": TIME, "date-time": DATE_TIME, "duration": DURATION,
    "email": EMAIL, "hostname": HOSTNAME, "ipv4": IPV4, "ipv6": IPV6, "uuid": UUID,
}
