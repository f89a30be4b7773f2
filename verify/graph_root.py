"""The root of a ``GraphNet`` case's search: bounds over its whole box.

CROWN over every node, then alpha-CROWN on some pre-activation nodes (``root_refine_nodes``:
all of them when the time allows, else the last few), then alpha-CROWN on the spec rows. The
branch and bound (``graph_search``) starts every domain from these intermediate bounds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch
from torch import Tensor

from .attack import CaseTensors
from .graph import GraphNet
from .graph_bounds import (
    GraphBounds,
    PastDeadline,
    _Partial,
    alpha_crown,
    alpha_refine,
    graph_bounds,
    relu_nodes,
    spec_lower,
)
from .search import SearchConfig


def _pre_of(net: GraphNet) -> dict[int, int]:
    """ReLU-family node -> its pre-activation node (the split variable)."""
    return {k: net.nodes[k].inputs[0] for k in relu_nodes(net)}


@dataclass(frozen=True)
class Root:
    """The bounds over a case's whole box, and the best alphas alpha-CROWN found for its spec
    rows ([m, *shape] per ReLU-family node; None when it did not run)."""

    bounds: GraphBounds
    alphas: dict[int, Tensor] | None = None


def root_bounds(net: GraphNet, ct: CaseTensors, config: SearchConfig,
                deadline: float) -> Root | _Partial | bool | None:
    """CROWN, alpha-CROWN on the pre-activation nodes ``root_refine_nodes`` picks, then
    alpha-CROWN on the spec rows, over the case's whole box: True when that proves the case;
    else the root bounds (for ``graph_relu_bab``), or as much of them as was done by
    ``deadline`` (the search resumes it)."""
    if ct.matrix.shape[0] == 0:
        return None
    lo, hi = ct.lower[None], ct.upper[None]
    began = time.monotonic()
    try:
        with torch.no_grad():
            bounds = graph_bounds(net, lo, hi, deadline=deadline)
    except PastDeadline as stop:
        return stop.partial
    crown_seconds = time.monotonic() - began
    if bool(bounds.infeasible.all()):
        return True
    with torch.no_grad():
        lower = spec_lower(net, lo, hi, ct.matrix, ct.rhs, bounds)[0]
    if bool(_proved(ct, lower).all()):
        return True
    nodes = root_refine_nodes(net, config, crown_seconds, deadline - time.monotonic())
    if nodes:
        bounds = alpha_refine(net, lo, hi, bounds, nodes, config.root_alpha_iterations,
                              config.alpha_lr, deadline)
    if config.alpha_iterations > 0 and time.monotonic() < deadline:
        alphas: dict[int, Tensor] = {}
        lower = alpha_crown(net, lo, hi, ct.matrix, ct.rhs, bounds, config.alpha_iterations,
                            config.alpha_lr, keep=alphas, deadline=deadline)
        if bool(_proved(ct, lower).all()):
            return True
        return Root(bounds, alphas)
    return Root(bounds)


def root_refine_nodes(net: GraphNet, config: SearchConfig, crown_seconds: float,
                      seconds_left: float) -> list[int]:
    """The pre-activation nodes alpha-CROWN re-bounds at the root: all of them when the time
    left is at least ``root_alpha_all_factor`` times the CROWN pass's ``crown_seconds``
    (refining all of them costs a few CROWN passes), else the last ``root_alpha_layers``.

    Why all when affordable: each node's tighter bounds tighten the relaxations every later
    node is bounded through, so the spec's root bound gains at every node refined
    (sri_resnet_a spec idx 9101's hardest row: -2.25 with the last node, -1.77 with the last
    four, -1.62 with all eight), and every domain of the branch and bound starts there."""
    pre = sorted(set(_pre_of(net).values()))
    if config.root_alpha_iterations <= 0:
        return []
    factor = config.root_alpha_all_factor
    if factor > 0 and seconds_left >= factor * crown_seconds:
        return pre
    return pre[-config.root_alpha_layers:] if config.root_alpha_layers > 0 else []


def _proved(ct: CaseTensors, lower: Tensor) -> Tensor:
    """[B] bool: every disjunct has a row whose lower bound is > 0."""
    return (ct.disjunct_max(lower) > 0).all(-1)
