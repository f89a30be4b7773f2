"""Fuzz targets: one per input language, each driving the public entry point a user hits.

A target takes raw bytes (what atheris gives, and what hypothesis strategies build) and runs
them through the real reader, and where that reads cleanly, a short solve. ``check`` runs one
input under a wall-clock limit and classifies how it ended:

- ``ok``: the entry point returned a result (a result whose ``error`` is one line);
- ``expected``: it raised one of the documented error classes with a one-line message (for the
  command lines: a documented exit code, errors on one line each, no traceback);
- ``crash``: anything else: another exception type, an empty or multi-line message, a
  traceback or "internal error" on stderr, an undocumented exit code;
- ``hang``: the input took longer than the limit + the target's grace (1 s; more for command
  lines, which start worker processes).

Both engines share this module: ``tests/fuzz/test_fuzz.py`` (hypothesis, a bounded run in the
test suite) and ``bench/fuzz.py`` (hypothesis or atheris, long runs saving crashing inputs into
``tests/fuzz/regressions/<language>/``).
"""

from __future__ import annotations

import atexit
import contextlib
import enum
import functools
import hashlib
import importlib
import io
import json
import os
import re
import shutil
import signal
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBLEMS = ROOT / "problems"
REGRESSIONS = Path(__file__).resolve().parent / "regressions"
LANGUAGES = ("geometry", "sygus", "vnnlib", "instances_csv", "onnx", "lark", "jsonschema",
             "cli")
DEFAULT_LIMIT = 5.0
"""Seconds an input may take; past the limit + 1 s it is a hang."""

SOLVE_SECONDS = 0.3
"""The budget of the short solve a target runs on an input that reads cleanly."""

SMALL = 64
"""ReLUs of a network small enough to verify on each fuzz input (ACAS Xu's 300 ReLUs take
seconds: its properties are only checked against its sizes, its mutated models bounded)."""


class Verdict(enum.Enum):
    OK = "ok"
    EXPECTED = "expected"
    CRASH = "crash"
    HANG = "hang"


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    seconds: float
    detail: str = ""  # the error message (expected), traceback (crash) or what hung


class BadOutput(Exception):
    """A target's entry point returned, but what it returned breaks the contract (a multi-line
    error, a traceback on stderr, an undocumented exit code)."""


class ErrorResult(Exception):
    """The entry point returned an ``error`` result (the documented way a solver reports an
    input it cannot use); the message is the result's ``error``."""


class _Hang(BaseException):
    """Raised by the alarm past the limit; a BaseException so ``except Exception`` in the code
    under test does not swallow it."""


@dataclass(frozen=True)
class Target:
    """One input language: how to run an input, which errors are documented, its seeds."""

    name: str
    run: Callable[[bytes], None]
    expected: tuple[type[BaseException], ...]
    seeds: Callable[[], list[bytes]]
    tokens: tuple[bytes, ...] = ()  # words of the language, for mutations and atheris' -dict
    kernels: tuple[str, ...] = ()  # modules whose ``warm_up()`` compiles the numba kernels
    grace: float = 1.0  # seconds past the limit before an input counts as a hang


# ---------------------------------------------------------------- classification


def one_line(message: str, what: str = "error") -> str:
    """The message, or ``BadOutput`` when it is empty or spans several lines."""
    if not message.strip():
        raise BadOutput(f"empty {what} message")
    if "\n" in message.strip("\n") or "\r" in message:
        raise BadOutput(f"multi-line {what} message: {message[:300]!r}")
    return message


def check(target: Target, data: bytes, limit: float = DEFAULT_LIMIT) -> Outcome:
    """Run one input and classify how it ended (see the module docstring)."""

    def alarm(signum, frame):
        raise _Hang()

    previous = signal.signal(signal.SIGALRM, alarm)
    allowed = limit + target.grace
    signal.setitimer(signal.ITIMER_REAL, allowed)
    start = time.perf_counter()
    try:
        try:
            target.run(data)
            verdict, detail = Verdict.OK, ""
        except target.expected as e:
            try:
                verdict, detail = Verdict.EXPECTED, one_line(str(e))
            except BadOutput as bad:
                verdict, detail = Verdict.CRASH, f"{type(e).__name__}: {bad}"
        except _Hang:
            verdict, detail = Verdict.HANG, f"still running after {allowed:.1f} s"
        except KeyboardInterrupt:
            raise
        except BaseException:  # noqa: B036  (SystemExit too: a target must not exit)
            verdict, detail = Verdict.CRASH, traceback.format_exc(limit=-12)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    seconds = time.perf_counter() - start
    if verdict is not Verdict.HANG and seconds > allowed:
        verdict, detail = Verdict.HANG, f"took {seconds:.1f} s (limit {limit:.1f} s)"
    return Outcome(verdict, seconds, detail)


@functools.cache
def warm(target: Target) -> None:
    """Compile the target's numba kernels and run the seeds once (per process) without a
    limit, so that the lazy imports and compilations of the engines happen here and not under
    the alarm of ``check`` (an import cut short by the alarm would leave a half-initialised
    module behind; a kernel compiled on a later input's first use takes seconds on a cold
    cache, which the alarm reads as a hang, as batch workers avoid with ``RunConfig.preload``)."""
    for module in target.kernels:
        importlib.import_module(module).warm_up()
    for seed in target.seeds():
        with contextlib.suppress(Exception):
            target.run(seed)


def save_regression(language: str, data: bytes, outcome: Outcome,
                    folder: Path = REGRESSIONS) -> Path:
    """Keep a crashing or hanging input as ``regressions/<language>/<verdict>-<sha1>``."""
    out = folder / language
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{outcome.verdict.value}-{hashlib.sha1(data).hexdigest()[:12]}"
    path.write_bytes(data)
    return path


def text_of(data: bytes) -> str:
    """Bytes as a user's file would be read: UTF-8, undecodable bytes replaced."""
    return data.decode("utf-8", "replace")


# ---------------------------------------------------------------- the sandbox folder


@functools.lru_cache(maxsize=1)
def sandbox() -> Path:
    """A private temporary folder holding copies of small bundled inputs: inputs are written
    here, and the command lines run here so that their outputs cannot land anywhere else."""
    folder = Path(tempfile.mkdtemp(prefix="neurosym-fuzz-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    for name in ("xor2.onnx", "xor2_y0_below.vnnlib", "xor2_y1_negative.vnnlib", "conv1.onnx",
                 "conv1_robust.vnnlib"):
        shutil.copy(PROBLEMS / "verify" / name, folder / name)
    for name in ("max2.sl", "conflict.sl"):
        shutil.copy(PROBLEMS / "sygus" / name, folder / name)
    (folder / "tiny.txt").write_text(
        "midline\na b c = triangle; m = midpoint m a b; n = midpoint n a c ? para m n b c\n"
        "iso\na b = segment a b; c = on_bline c a b ? cong c a c b\n", encoding="utf-8")
    (folder / "bad.txt").write_text("broken\na b c = triangle; d = nope d ? coll a b d\n",
                                    encoding="utf-8")
    (folder / "holds.csv").write_text(  # holds.csv without ACAS Xu (seconds per instance)
        "xor2.onnx,xor2_y1_negative.vnnlib,30\nconv1.onnx,conv1_robust.vnnlib,30\n",
        encoding="utf-8")
    (folder / "xor.csv").write_text("xor2.onnx,xor2_y1_negative.vnnlib,5\n", encoding="utf-8")
    (folder / "sub").mkdir()
    shutil.copy(PROBLEMS / "sygus" / "max2.sl", folder / "sub" / "max2.sl")
    return folder


def _write(name: str, data: bytes) -> Path:
    path = sandbox() / "inputs" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    return path


def _files(folder: Path, pattern: str) -> list[bytes]:
    return [p.read_bytes() for p in sorted(folder.glob(pattern))]


def _regression_seeds(language: str) -> list[bytes]:
    return _files(REGRESSIONS / language, "*")


# ---------------------------------------------------------------- geometry


def run_geometry(data: bytes) -> None:
    """A problem file read by the geometry domain; each problem that reads is solved by DD+AR
    with a short budget (no auxiliary search: it would spend the whole budget per input)."""
    from reasoner.config import SolveConfig
    from reasoner.domains.geometry import DOMAIN
    from reasoner.result import Status

    items = DOMAIN.read(_write("problem.txt", data))
    config = SolveConfig(timeout=SOLVE_SECONDS, aux=False)
    errors = []
    for item in items[:3]:
        if item.error is not None:
            errors.append(item.error)
            continue
        result = DOMAIN.solve(item.problem, name=item.name, file=item.file, config=config)
        if result.status is Status.ERROR:
            errors.append(result.error or "")
    for error in errors:
        one_line(error)
    if errors:
        raise ErrorResult(errors[0])


def _geometry_seeds() -> list[bytes]:
    out = []
    for path in sorted((PROBLEMS / "geometry").glob("*.txt")):
        lines = path.read_bytes().splitlines(keepends=True)
        out += [b"".join(lines[k:k + 2]) for k in range(0, min(len(lines), 24), 2)]
    return out + _regression_seeds("geometry")


def _geometry_tokens() -> tuple[bytes, ...]:
    from symbolic.geometry.predicates.base import Pred

    defs = (ROOT / "symbolic/geometry/data/defs.txt").read_text(encoding="utf-8")
    constructions = sorted(set(re.findall(r"^([A-Za-z0-9_]+) [a-z]", defs, re.M)))
    return tuple(w.encode() for w in [*constructions, *(p.value for p in Pred), " = ", " ? ",
                                      "; ", ", ", "@1_2", "a", "b", "c", "d", "15", "1/2"])


# ---------------------------------------------------------------- sygus


def run_sygus(data: bytes) -> None:
    """A SyGuS-IF file solved by the SyGuS domain (read in the solver, as in a batch worker)
    with a short budget; the solver never raises, errors come back as one-line results."""
    from reasoner.config import SolveConfig
    from reasoner.domains.sygus import DOMAIN, SygusSource
    from reasoner.result import Status

    path = _write("problem.sl", data)
    result = DOMAIN.solve(SygusSource(str(path)), name="problem", file=str(path),
                          config=SolveConfig(timeout=SOLVE_SECONDS, sources=()))
    if result.status is Status.ERROR:
        raise ErrorResult(result.error or "")


SYGUS_TOKENS = tuple(w.encode() for w in """( ) set-logic LIA BV SLIA NIA ALL synth-fun
synth-inv declare-var declare-fun define-fun declare-primed-var constraint inv-constraint
check-synth set-option set-info Int Bool String BitVec _ bvadd bvand bvnot bvshl bvudiv bvurem
#x0f #b101 + - * div mod abs ite and or not => = <= >= < > str.++ str.len str.at str.substr
str.replace str.to.int int.to.str let forall exists Start Constant Variable |x y| "ab" 0 1
-1 99999999999999999999 x y max2""".split())


# ---------------------------------------------------------------- vnnlib


def run_vnnlib(data: bytes) -> None:
    """A VNNLIB property read by the verifier; when it reads and its sizes match a bundled
    network, a short verification."""
    from verify.api import check_sizes, load_network, verify
    from verify.vnnlib import read_vnnlib

    prop = read_vnnlib(_write("property.vnnlib", data))
    for net in _networks():
        if (net.input_size, net.output_size) == (prop.input_size, prop.output_size):
            if net.relu_count > SMALL:  # ACAS Xu: seconds per verification, sizes only
                check_sizes(net, prop)
            else:
                verify(load_network(net), prop, timeout=SOLVE_SECONDS)
            return


@functools.lru_cache(maxsize=1)
def _networks():
    from verify.onnx_graph import load_onnx

    return tuple(load_onnx(PROBLEMS / "verify" / n) for n in ("xor2.onnx", "conv1.onnx",
                                                              "acasxu_1_1.onnx"))


VNNLIB_TOKENS = tuple(w.encode() for w in """( ) declare-const assert X_0 X_1 Y_0 Y_1 X_9 Y_4
Real Int and or <= >= < > = + - * 0 1 -1 0.5 1e308 -inf nan 1e-400 ; _""".split())


# ---------------------------------------------------------------- instances CSV


def run_instances_csv(data: bytes) -> None:
    """An instances.csv read by ``verify.batch.read_instances`` (rows relative to the sandbox,
    which holds small networks and properties)."""
    from verify.batch import read_instances

    read_instances(_write("instances.csv", data), root=sandbox())


CSV_TOKENS = tuple(w.encode() for w in ["xor2.onnx", "conv1.onnx", "xor2_y0_below.vnnlib",
                                        "conv1_robust.vnnlib", ",", "\n", "\r\n", '"', "30",
                                        "0", "-1", "nan", "inf", "1e999", "..", "/", " "])


# ---------------------------------------------------------------- onnx


def run_onnx(data: bytes) -> None:
    """A (mutated) serialized ONNX model loaded by the verifier; when it loads, a short
    verification of a one-case property of matching size (attack, onnxruntime check, bounds)."""
    import numpy as np

    from verify.api import verify
    from verify.onnx_graph import load_onnx
    from verify.vnnlib import Case, Property

    net = load_onnx(data)
    n_in, n_out = net.input_size, net.output_size
    if net.relu_count > SMALL or n_in > 4096:
        import torch

        from verify.bounds import ibp

        ibp(net, torch.zeros(n_in, dtype=torch.float64), torch.full((n_in,), 0.1,
                                                                     dtype=torch.float64))
        return
    case = Case(np.zeros(n_in), np.full(n_in, 0.1), (_disjunct(n_out),))
    verify(net, Property(n_in, n_out, (case,), name="fuzz"), timeout=SOLVE_SECONDS)


def _disjunct(n_out: int):
    """The unsafe set ``Y_0 >= 0`` (as ``-Y_0 <= 0``)."""
    import numpy as np

    from verify.vnnlib import Disjunct

    matrix = np.zeros((1, n_out))
    matrix[0, 0] = -1.0
    return Disjunct(matrix, np.zeros(1))


def _onnx_seeds() -> list[bytes]:
    return _files(PROBLEMS / "verify", "*.onnx") + _regression_seeds("onnx")


# ---------------------------------------------------------------- lark grammars


def run_lark(data: bytes) -> None:
    """A Lark grammar compiled for constrained decoding, bound to a small byte vocabulary, and
    a few mask steps along tokens picked from the mask."""
    from grammars.constrained import compile_grammar

    _walk(compile_grammar(text_of(data)), data)


def _walk(grammar, data: bytes, steps: int = 6) -> None:
    from grammars.constrained import Matcher, TokenIndex

    m = Matcher(TokenIndex(grammar, _vocabulary()))
    pick = int.from_bytes(hashlib.sha1(data).digest()[:4], "little")
    for step in range(steps):
        ids = m.allowed_ids()
        if not len(ids) or m.is_finished():
            return
        m.advance(int(ids[(pick + 7 * step) % len(ids)]))
    m.mask()


@functools.lru_cache(maxsize=1)
def _vocabulary():
    from grammars.constrained import Vocabulary

    pieces = [b"true", b"false", b"null", b'{"', b'":', b"12", b"ab", b" ", b"\n", b"SELECT"]
    tokens: list[bytes | None] = [bytes([b]) for b in range(256)] + pieces + [None]
    return Vocabulary.from_bytes(tokens, eos_ids=[len(tokens) - 1])


def _lark_seeds() -> list[bytes]:
    from importlib import resources

    examples = resources.files("grammars.constrained").joinpath("examples")
    return ([f.read_bytes() for f in sorted(examples.iterdir(), key=lambda f: f.name)
             if f.name.endswith(".lark")] + _files(ROOT / "grammars", "*.lark")
            + _regression_seeds("lark"))


LARK_TOKENS = tuple(w.encode() for w in """start: ?start : | -> "x" /[a-z]+/ /a(?=b)/ %import
common.WS common.NUMBER %ignore %declare NAME: _NL * + ? ~ 3 .. ( ) [ ] { } "\\"" .2 i
//""".split())


# ---------------------------------------------------------------- JSON schemas


class NotJson(ValueError):
    """The bytes are not a JSON document (not an input of the schema compiler at all)."""


def run_jsonschema(data: bytes) -> None:
    """A JSON schema compiled for constrained decoding, then a few mask steps."""
    from grammars.constrained import compile_grammar

    try:
        schema = json.loads(text_of(data))
    except (ValueError, RecursionError) as e:
        raise NotJson(f"not JSON ({type(e).__name__})") from None
    if not isinstance(schema, (dict, bool)):
        raise NotJson(f"not a schema: a JSON {type(schema).__name__}")
    _walk(compile_grammar(schema), data)


def _schema_seeds() -> list[bytes]:
    from grammars.constrained.examples.samples import SCHEMA

    basics = [{"type": "integer"}, {"enum": [1, "a", None]}, True,
              {"type": "array", "items": {"type": "string"}, "maxItems": 2},
              {"$defs": {"n": {"anyOf": [{"type": "null"}, {"$ref": "#/$defs/n"}]}},
               "$ref": "#/$defs/n"}]
    return [json.dumps(s).encode() for s in (SCHEMA, *basics)] + _regression_seeds("jsonschema")


SCHEMA_TOKENS = tuple(w.encode() for w in """"type" "object" "array" "string" "integer" "number"
"boolean" "null" "properties" "required" "items" "enum" "const" "anyOf" "oneOf" "allOf" "$ref"
"$defs" "#/$defs/" "minItems" "maxItems" "minLength" "maxLength" "pattern" "format"
"additionalProperties" "prefixItems" { } [ ] : , true false null 1e400 -1""".split())


# ---------------------------------------------------------------- command lines


CLI_PROGRAMS = ("solve-problem", "verify-net")
MAX_ARGS = 12


def run_cli(data: bytes) -> None:
    """One command line: the first byte picks ``solve-problem`` or ``verify-net``, the rest is
    the arguments, one per line, at most ``MAX_ARGS`` (a file named 80 times is solved 80
    times: long, but what was asked). Runs in the sandbox folder; arguments that would leave it
    (absolute paths, ``..``) are made relative, so outputs stay there."""
    program = CLI_PROGRAMS[data[0] % 2] if data else CLI_PROGRAMS[0]
    argv = [_confined(a) for a in text_of(data[1:]).split("\n")] if len(data) > 1 else []
    argv = argv[:MAX_ARGS]
    run_command(program, argv)


def _confined(arg: str) -> str:
    arg = arg.replace("\x00", "")
    while arg.startswith("/") or arg.startswith("~"):
        arg = arg[1:]
    return re.sub(r"(^|/)\.\.(?=/|$)", r"\1_", arg)


def run_command(program: str, argv: list[str]) -> None:
    """Run a CLI's ``main(argv)`` in the sandbox; ``BadOutput`` when its exit code is not
    documented or its stderr holds a traceback, an internal error or a multi-line error."""
    import reasoner.cli
    import verify.cli

    main, codes = {"solve-problem": (reasoner.cli.main, (0, 1, 2)),
                   "verify-net": (verify.cli.main, (0, 1, 2, 3))}[program]
    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    os.chdir(sandbox())
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else -1
    finally:
        os.chdir(cwd)
    stderr = err.getvalue()
    if code not in codes:
        raise BadOutput(f"{program}: undocumented exit code {code!r}; stderr {stderr[-300:]!r}")
    for bad in ("Traceback", "internal error", "worker process died", "worker died"):
        if bad in stderr:
            raise BadOutput(f"{program}: {bad!r} on stderr: {stderr[-600:]!r}")
    if "\r" in stderr:
        raise BadOutput(f"{program}: carriage return on stderr: {stderr[-300:]!r}")
    for line in stderr.split("\n"):
        if line and not line[0].isspace() and not line.startswith(
                ("usage:", f"{program}:", "warning:")):
            raise BadOutput(f"{program}: stray stderr line (multi-line error?): {line[:200]!r}")
    if code == 2 and f"{program}: error:" not in stderr:
        raise BadOutput(f"{program}: exit code 2 without an error line: {stderr[-300:]!r}")
    if code == 2:
        raise CommandError(stderr.strip().splitlines()[-1])


class CommandError(Exception):
    """A command line that ended with exit code 2 and a one-line error (documented)."""


def _cli_seeds() -> list[bytes]:
    lines = [
        (0, ["tiny.txt", "--no-aux", "--timeout", "2"]),
        (0, ["tiny.txt", "--problem", "iso", "--json", "--proof", "--timeout", "2"]),
        (0, ["bad.txt", "--timeout", "1"]),
        (0, ["max2.sl", "--timeout", "2", "--no-neural"]),
        (0, ["sub", "--json", "--jobs", "2"]),
        (0, ["tiny.txt", "--kg", "out.ttl", "--no-aux", "--problem", "midline"]),
        (0, ["--help"]),
        (1, ["xor2.onnx", "xor2_y0_below.vnnlib", "--timeout", "2"]),
        (1, ["--instances", "xor.csv", "--json", "--results", "r.csv", "--junit", "j.xml"]),
        (1, ["xor2.onnx", "conv1_robust.vnnlib"]),
        (1, ["--instances", "holds.csv", "--timeout", "0.5", "--jobs", "2"]),
    ]
    return [bytes([k]) + "\n".join(argv).encode() for k, argv in lines] + \
        _regression_seeds("cli")


CLI_TOKENS = tuple(w.encode() for w in """--problem --timeout --jobs --json --proof --no-aux
--sources --no-neural --depth --beam --trajectory-depth --ranking --no-ranking --memory
--progress --kg --kg-store --diagram --seed --help --instances --root --results --junit
--threads tiny.txt bad.txt max2.sl conflict.sl sub xor2.onnx conv1.onnx xor2_y0_below.vnnlib
conv1_robust.vnnlib holds.csv xor.csv out.svg out.ttl mem d.png 0 1 2 -1 0.5 nan inf 1e9
heuristic,memory iso midline""".split())


# ---------------------------------------------------------------- the registry


def _geometry_expected() -> tuple[type[BaseException], ...]:
    from reasoner.domains import InputError

    return (InputError, ErrorResult)


def _verify_expected() -> tuple[type[BaseException], ...]:
    from verify.errors import InputError

    return (InputError,)


def _grammar_expected() -> tuple[type[BaseException], ...]:
    from grammars.constrained import GrammarError

    return (GrammarError,)


# kernels that a long process switches to once it has spent a second in their twins (loading
# numba then takes 1.3 s): loaded before any input runs under the alarm, not in the middle
GEOMETRY_KERNELS = ("symbolic.geometry.kernels",)
GRAMMAR_KERNELS = ("grammars.constrained.kernels",)


@functools.cache
def target(name: str) -> Target:
    """The target of one input language (built once: imports and seeds are not free)."""
    if name == "geometry":
        return Target(name, run_geometry, _geometry_expected(), _geometry_seeds,
                      _geometry_tokens(), GEOMETRY_KERNELS)
    if name == "sygus":
        return Target(name, run_sygus, (ErrorResult,), lambda: _files(PROBLEMS / "sygus", "*.sl")
                      + _regression_seeds("sygus"), SYGUS_TOKENS, ("symbolic.sygus.kernels",))
    if name == "vnnlib":
        return Target(name, run_vnnlib, _verify_expected(), lambda: _files(
            PROBLEMS / "verify", "*.vnnlib") + _regression_seeds("vnnlib"), VNNLIB_TOKENS)
    if name == "instances_csv":
        return Target(name, run_instances_csv, _verify_expected(), lambda: _files(
            PROBLEMS / "verify", "*.csv") + _regression_seeds("instances_csv"), CSV_TOKENS)
    if name == "onnx":
        return Target(name, run_onnx, _verify_expected(), _onnx_seeds)
    if name == "lark":
        return Target(name, run_lark, _grammar_expected(), _lark_seeds, LARK_TOKENS,
                      GRAMMAR_KERNELS)
    if name == "jsonschema":
        return Target(name, run_jsonschema, (*_grammar_expected(), NotJson), _schema_seeds,
                      SCHEMA_TOKENS, GRAMMAR_KERNELS)
    if name == "cli":
        # a command may ask for seconds per instance (``--timeout 5.5``) and start a pool of
        # workers that import the engines: on a loaded 2-core machine that is past 5 + 1 s
        return Target(name, run_cli, (CommandError,), _cli_seeds, CLI_TOKENS,
                      ("symbolic.sygus.kernels", *GEOMETRY_KERNELS), grace=15.0)
    raise KeyError(f"unknown language {name!r} (known: {', '.join(LANGUAGES)})")
