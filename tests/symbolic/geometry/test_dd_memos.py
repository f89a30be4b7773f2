"""The deduction loop's memos change what it costs, never what it deduces: with each one
disabled (the oracle), fresh and continued runs record the same facts with the same
derivations, settle the same instances and apply the same number of rules."""

import itertools
import random

import pytest
from test_incremental import _children, _problems

from symbolic.geometry.dd import DDARConfig, Saturation, saturate
from symbolic.geometry.predicates.triangles import _tri_canonical, _tri_canonical_spelled


class _Never(set):
    """A set that keeps nothing."""

    def __contains__(self, item):
        return False

    def add(self, item):
        pass


class _Forgets(dict):
    """A dict that keeps nothing."""

    def __setitem__(self, key, value):
        pass


def _outcomes(problem):
    parent, children = _children(problem, 3)
    out = []
    for child, coords in children:
        for from_parent in (False, True):
            run = saturate(child, coords, DDARConfig(),
                           parent=parent if from_parent else None)
            facts = {f: (d.rule, d.premises) for f, d in run.state.facts.items()}
            out.append((facts, set(run.saturation.settled), run.stats["applied"]))
    return out


@pytest.mark.parametrize("memo", ["_void", "_unfolded"])
@pytest.mark.parametrize("problem", _problems()[:3], ids=lambda p: p.name)
def test_a_memo_changes_nothing_deduced(problem, memo, monkeypatch):
    with_memo = _outcomes(problem)
    init = Saturation.__init__

    def without(self, *args, **kwargs):
        init(self, *args, **kwargs)
        setattr(self, memo, _Never() if memo == "_void" else _Forgets())

    monkeypatch.setattr(Saturation, "__init__", without)
    assert with_memo == _outcomes(problem)


def test_the_written_out_triangle_canonical_form_is_the_looped_one():
    names = "abcdef"
    for args in itertools.permutations(names, 6):
        assert _tri_canonical(args) == _tri_canonical_spelled(args)
    rng = random.Random(0)
    for _ in range(2000):  # repeated points too
        args = tuple(rng.choice("abcd") for _ in range(6))
        assert _tri_canonical(args) == _tri_canonical_spelled(args)
