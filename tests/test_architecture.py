"""The layering the design promises, checked on the source: lower packages never import the
orchestrator, the symbolic engines never import the neural proposer, nothing dispatches on
type names, and the engines do not probe for protocol methods with ``hasattr``."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BELOW_REASONER = ("symbolic", "kg", "neural", "grammars", "verify")


def modules(*packages: str) -> list[Path]:
    return sorted(f for p in packages for f in (ROOT / p).rglob("*.py"))


def imported(tree: ast.AST) -> list[tuple[int, str]]:
    """Every absolute module an AST imports (top level or inside functions), with its line."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append((node.lineno, node.module))
    return out


def offenders(packages: tuple[str, ...], banned: str) -> list[str]:
    return [f"{f.relative_to(ROOT)}:{line}: imports {name}"
            for f in modules(*packages)
            for line, name in imported(ast.parse(f.read_text(encoding="utf-8")))
            if name == banned or name.startswith(banned + ".")]


def test_the_package_walk_sees_every_lower_package():
    found = {f.relative_to(ROOT).parts[0] for f in modules(*BELOW_REASONER)}
    assert found == set(BELOW_REASONER)


def test_no_package_below_the_orchestrator_imports_it():
    assert offenders(BELOW_REASONER, "reasoner") == []


def test_symbolic_engines_never_import_the_neural_proposer():
    assert offenders(("symbolic",), "neural") == []


def test_the_walk_catches_an_upward_import(tmp_path):
    tree = ast.parse("def f():\n    from reasoner.api import solve\n")
    assert imported(tree) == [(2, "reasoner.api")]


def _type_name_compares(tree: ast.AST) -> list[int]:
    """Lines comparing ``type(x).__name__`` (or ``x.__class__.__name__``) with something."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for side in [node.left, *node.comparators]:
                if (isinstance(side, ast.Attribute) and side.attr == "__name__"
                        and (isinstance(side.value, ast.Call)
                             and getattr(side.value.func, "id", None) == "type"
                             or isinstance(side.value, ast.Attribute)
                             and side.value.attr == "__class__")):
                    lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("package", ["reasoner", *BELOW_REASONER])
def test_no_dispatch_on_type_names(package):
    bad = [f"{f.relative_to(ROOT)}:{line}" for f in modules(package)
           for line in _type_name_compares(ast.parse(f.read_text(encoding="utf-8")))]
    assert bad == []


def test_the_type_name_check_catches_one():
    assert _type_name_compares(ast.parse("if type(p).__name__ == 'Spec': pass")) == [1]


def test_engines_do_not_probe_for_protocol_methods():
    bad = [f"{f.relative_to(ROOT)}:{node.lineno}"
           for f in modules("symbolic")
           for node in ast.walk(ast.parse(f.read_text(encoding="utf-8")))
           if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "hasattr"]
    assert bad == []


MACHINE_PATH = re.compile(r"^/(?!dev/|tmp/|usr/|proc/|bin/|etc/|sys/)[A-Za-z][\w.-]*/")


def _machine_paths(source: str) -> list[int]:
    """Lines of string constants that are absolute paths of one machine (``/work/...``)."""
    return [node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and MACHINE_PATH.match(node.value)]


def test_tests_and_benches_locate_data_relative_to_the_repository():
    bad = [f"{f.relative_to(ROOT)}:{line}" for f in modules("tests", "bench")
           for line in _machine_paths(f.read_text(encoding="utf-8"))]
    assert bad == []


def test_the_path_check_catches_a_machine_path():
    path = "/".join(["", "home", "someone", "benchmarks"])  # no machine path in this file
    assert _machine_paths(f'BENCH = Path("{path}")') == [1]
    assert _machine_paths('TMP = "/tmp/x"; NULL = "/dev/null"; REL = "../shared/x"') == []


def test_tests_mirror_the_packages():
    """Test folders are named after the packages (plus ``helpers`` for shared test code, and
    ``fuzz``, whose targets cut across every package: one per input language)."""
    folders = {p.name for p in (ROOT / "tests").iterdir() if p.is_dir() and p.name[0] != "_"}
    assert folders <= {"reasoner", *BELOW_REASONER, "helpers", "fuzz"}
    for sub in (ROOT / "tests").rglob("*"):
        if sub.is_relative_to(ROOT / "tests" / "fuzz"):  # regressions/<language>: data
            continue
        if sub.is_dir() and sub.name != "__pycache__" and sub.parent != ROOT / "tests":
            package = ROOT / sub.relative_to(ROOT / "tests")
            assert package.is_dir(), f"tests/{sub.relative_to(ROOT / 'tests')} mirrors nothing"
