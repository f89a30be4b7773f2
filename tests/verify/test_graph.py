"""The DAG loader and its bound rules: one small network per operation, checked against
onnxruntime (forward) and against sampled outputs (interval, CROWN and alpha-CROWN bounds)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from onnx import TensorProto, helper, numpy_helper
from verify_testlib import BENCH, needs_bench

from verify.errors import OnnxError
from verify.graph import SUPPORTED, load_graph
from verify.graph_bounds import alpha_crown, graph_bounds, spec_lower

RNG = np.random.default_rng(7)


def _r(*shape: int, scale: float = 1.0) -> np.ndarray:
    return (RNG.normal(size=shape) * scale).astype(np.float32)


def _model(nodes, inits: dict, in_shape, opset: int = 13) -> bytes:
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, in_shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [numpy_helper.from_array(np.asarray(a), n) for n, a in inits.items()])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]) \
        .SerializeToString()


def _n(op: str, ins: list[str], out: str, **attrs):
    return helper.make_node(op, ins, [out], name=out, **attrs)


def _i64(*v: int) -> np.ndarray:
    return np.array(v, dtype=np.int64)


# one network per operation kind: (nodes, initializers, input shape)
CASES = {
    "gemm_relu": ([_n("Gemm", ["x", "w1", "b1"], "h", transB=1), _n("Relu", ["h"], "r"),
                   _n("Gemm", ["r", "w2"], "y")],
                  {"w1": _r(8, 4), "b1": _r(8), "w2": _r(8, 3)}, [1, 4]),
    "residual_add_sub": ([_n("MatMul", ["x", "w1"], "a"), _n("Relu", ["a"], "r"),
                          _n("MatMul", ["r", "w2"], "b"), _n("Add", ["b", "a"], "c"),
                          _n("Relu", ["c"], "r2"), _n("Sub", ["r2", "a"], "d"),
                          _n("MatMul", ["d", "w3"], "y")],
                         {"w1": _r(5, 6), "w2": _r(6, 6), "w3": _r(6, 2)}, [1, 5]),
    "conv2d_leaky": ([_n("Conv", ["x", "k", "kb"], "c", pads=[1, 0, 1, 1], strides=[1, 2],
                         dilations=[2, 1], group=2),
                      _n("LeakyRelu", ["c"], "l", alpha=0.1), _n("Flatten", ["l"], "f"),
                      _n("Gemm", ["f", "w"], "y")],
                     {"k": _r(4, 1, 2, 2), "kb": _r(4), "w": _r(4 * 4 * 3, 3)}, [1, 2, 4, 5]),
    "conv1d_sigmoid": ([_n("Conv", ["x", "k"], "c", pads=[1, 1]), _n("Sigmoid", ["c"], "s"),
                        _n("Flatten", ["s"], "f"), _n("MatMul", ["f", "w"], "y")],
                       {"k": _r(3, 2, 3, scale=2.0), "w": _r(3 * 5, 2)}, [1, 2, 5]),
    "tanh": ([_n("MatMul", ["x", "w1"], "a"), _n("Tanh", ["a"], "t"),
              _n("MatMul", ["t", "w2"], "y")], {"w1": _r(3, 6, scale=2.0), "w2": _r(6, 2)},
             [1, 3]),
    "sign": ([_n("MatMul", ["x", "w1"], "a"), _n("Sign", ["a"], "t"),
              _n("MatMul", ["t", "w2"], "y")], {"w1": _r(3, 4), "w2": _r(4, 2)}, [1, 3]),
    "batchnorm_pools": ([_n("BatchNormalization", ["x", "s", "bb", "m", "v"], "n"),
                         _n("MaxPool", ["n"], "p", kernel_shape=[2, 2], strides=[1, 2],
                            pads=[0, 1, 1, 0]),
                         _n("AveragePool", ["p"], "q", kernel_shape=[2, 2], pads=[1, 1, 1, 1],
                            count_include_pad=1),
                         _n("Flatten", ["q"], "f"), _n("MatMul", ["f", "w"], "y")],
                        {"s": _r(2), "bb": _r(2), "m": _r(2), "v": np.abs(_r(2)) + 0.5,
                         "w": _r(2 * 5 * 3, 3)}, [1, 2, 4, 4]),
    "maxpool1d": ([_n("MaxPool", ["x"], "p", kernel_shape=[3], strides=[2], pads=[1, 1]),
                   _n("Flatten", ["p"], "f"), _n("MatMul", ["f", "w"], "y")],
                  {"w": _r(2 * 3, 2)}, [1, 2, 6]),
    "shapes": ([_n("Reshape", ["x", "shp"], "a"), _n("Transpose", ["a"], "t", perm=[0, 2, 1]),
                helper.make_node("Split", ["t", "sp"], ["s0", "s1"], axis=1, name="split"),
                _n("Slice", ["s1", "st", "en", "ax", "stp"], "sl"),
                _n("Gather", ["s0", "gi"], "g", axis=2),
                _n("Unsqueeze", ["g", "ua"], "u"), _n("Squeeze", ["u", "ua"], "sq"),
                _n("Concat", ["sq", "sl", "cc"], "cat", axis=2), _n("Mul", ["cat", "mk"], "mu"),
                _n("Div", ["mu", "dk"], "dv"), _n("Neg", ["dv"], "ng"),
                _n("Relu", ["ng"], "rl"), _n("Flatten", ["rl"], "y")],
               {"shp": _i64(1, 2, 6), "sp": _i64(2, 4), "st": _i64(0, 1), "en": _i64(4, 99),
                "ax": _i64(1, 2), "stp": _i64(2, 1), "gi": _i64(1, -2), "ua": _i64(1),
                "cc": _r(1, 2, 1), "mk": _r(4), "dk": np.float32(1.5)}, [1, 12]),
    "passthrough": ([_n("Constant", [], "c", value=numpy_helper.from_array(_r(3), "cv")),
                     _n("Identity", ["x"], "i"), _n("Dropout", ["i"], "d"),
                     _n("Cast", ["d"], "ca", to=1), _n("Add", ["ca", "c"], "a"),
                     _n("Relu", ["a"], "y")], {}, [1, 3]),
}


def _net(case: str):
    nodes, inits, shape = CASES[case]
    model = _model(nodes, inits, shape)
    return model, load_graph(model)


@pytest.mark.parametrize("case", sorted(CASES))
def test_forward_matches_onnxruntime(case):
    import onnxruntime as ort

    model, net = _net(case)
    session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    x = RNG.uniform(-2, 2, size=(16, net.input_size))
    ours = net.forward_numpy(x)
    ref = np.stack([session.run(None, {"x": xi.astype(np.float32).reshape(net.input_shape)})[0]
                    .reshape(-1) for xi in x])
    assert ours.shape == ref.shape
    assert np.abs(ours - ref).max() < 1e-4 * max(1.0, float(np.abs(ref).max()))


@pytest.mark.parametrize("case", sorted(CASES))
def test_bounds_enclose_sampled_outputs(case):
    _, net = _net(case)
    n = net.input_size
    centre = torch.as_tensor(RNG.uniform(-1, 1, size=(3, n)))
    radius = torch.as_tensor([0.05, 0.3, 1.0]).unsqueeze(1).expand(3, n)
    lo, hi = centre - radius, centre + radius
    samples = 3400  # per box: 10,200 sampled outputs per node
    x = lo.unsqueeze(1) + (hi - lo).unsqueeze(1) * torch.rand(3, samples, n, dtype=torch.float64)
    x = torch.cat([x, lo.unsqueeze(1), hi.unsqueeze(1)], 1)  # the corners lo and hi too
    with torch.no_grad():
        values = net.run(x.reshape(-1, *net.input_shape))
    matrix = torch.as_tensor(RNG.normal(size=(4, net.output_size)))
    rhs = torch.zeros(4, dtype=torch.float64)
    for method in ("ibp", "crown"):
        with torch.no_grad():
            bounds = graph_bounds(net, lo, hi, method)
        for k, v in enumerate(values):
            v = v.reshape(3, samples + 2, -1)
            low, up = bounds.lower[k].reshape(3, 1, -1), bounds.upper[k].reshape(3, 1, -1)
            tol = 1e-9 * (1 + v.abs())
            assert bool((v >= low - tol).all()), (method, net.nodes[k].label)
            assert bool((v <= up + tol).all()), (method, net.nodes[k].label)
    spec = values[-1].reshape(3, samples + 2, -1) @ matrix.T  # [3, S, 4]
    true_min = spec.amin(1)
    with torch.no_grad():
        crown_lower = spec_lower(net, lo, hi, matrix, rhs, bounds)[0]
    alpha_lower = alpha_crown(net, lo, hi, matrix, rhs, bounds, iterations=10)
    assert bool((crown_lower <= true_min + 1e-9).all())
    assert bool((alpha_lower <= true_min + 1e-9).all())
    assert bool((alpha_lower >= crown_lower - 1e-9).all())


@pytest.mark.parametrize("case", ["gemm_relu", "residual_add_sub", "conv2d_leaky",
                                  "deep_relu"])
def test_alpha_refined_bounds_enclose_sampled_values_and_tighten_crown(case):
    """alpha-CROWN on the last two pre-activation nodes (one box at a time): every node's
    bounds still enclose the sampled values, and are inside CROWN's."""
    from verify.graph_bounds import alpha_refine, pre_activations

    _, net = _deep_relu() if case == "deep_relu" else _net(case)
    n = net.input_size
    pre = sorted(pre_activations(net))[-2:]
    tightened = False
    for radius in (0.1, 0.5, 1.5):
        lo = torch.as_tensor(RNG.uniform(-1, 1, size=(1, n))) - radius
        hi = lo + 2 * radius
        x = lo + (hi - lo) * torch.rand(4000, n, dtype=torch.float64)
        with torch.no_grad():
            values = net.run(torch.cat([x, lo, hi]).reshape(-1, *net.input_shape))
            crown = graph_bounds(net, lo, hi)
        refined = alpha_refine(net, lo, hi, crown, pre, iterations=10, lr=0.1)
        for k, v in enumerate(values):
            v = v.reshape(v.shape[0], -1)
            low, up = refined.lower[k].reshape(1, -1), refined.upper[k].reshape(1, -1)
            tol = 1e-9 * (1 + v.abs())
            assert bool((v >= low - tol).all()), (case, radius, net.nodes[k].label)
            assert bool((v <= up + tol).all()), (case, radius, net.nodes[k].label)
            assert bool((refined.lower[k] >= crown.lower[k] - 1e-9).all())
            assert bool((refined.upper[k] <= crown.upper[k] + 1e-9).all())
        last = pre[-1]
        tightened |= bool((refined.lower[last] > crown.lower[last] + 1e-6).any() |
                          (refined.upper[last] < crown.upper[last] - 1e-6).any())
    assert tightened or case != "deep_relu"


def _deep_relu():
    """Four ReLU layers: the last pre-activation nodes have loose CROWN bounds to tighten."""
    widths = [4, 12, 12, 12, 12, 3]
    nodes, inits, last = [], {}, "x"
    for i, (a, b) in enumerate(zip(widths, widths[1:])):
        nodes.append(_n("Gemm", [last, f"w{i}", f"b{i}"], f"h{i}", transB=1))
        inits[f"w{i}"], inits[f"b{i}"] = _r(b, a), _r(b)
        last = f"h{i}"
        if i < len(widths) - 2:
            nodes.append(_n("Relu", [last], f"r{i}"))
            last = f"r{i}"
    nodes[-1] = _n("Gemm", nodes[-1].input, "y", transB=1)
    model = _model(nodes, inits, [1, 4])
    return model, load_graph(model)


def test_crown_is_tighter_than_intervals_on_a_residual_net():
    _, net = _net("residual_add_sub")
    lo, hi = -torch.ones(1, 5, dtype=torch.float64), torch.ones(1, 5, dtype=torch.float64)
    with torch.no_grad():
        ibp, crown = graph_bounds(net, lo, hi, "ibp"), graph_bounds(net, lo, hi, "crown")
    width = lambda b: float((b.upper[-1] - b.lower[-1]).sum())  # noqa: E731
    assert width(crown) < width(ibp)


def test_unsupported_operators_are_named_on_one_line():
    nodes = [_n("Softmax", ["x"], "soft")]
    with pytest.raises(OnnxError, match=r"node 'soft' \(Softmax\): unsupported operator "
                                        r"'Softmax' \(supported: .*Sigmoid"):
        load_graph(_model(nodes, {}, [1, 3]))
    square = [_n("Mul", ["x", "x"], "sq")]
    with pytest.raises(OnnxError, match=r"node 'sq' \(Mul\): multiplies two input-dependent"):
        load_graph(_model(square, {}, [1, 3]))
    assert "Split" in SUPPORTED and "MaxPool" in SUPPORTED


@needs_bench
def test_every_benchmark_network_loads_or_is_refused_by_name():
    import onnx

    files = sorted(BENCH.glob("*/onnx/*.onnx"))
    assert files
    loaded = 0
    for path in files:
        try:
            net = load_graph(path)
        except OnnxError as e:
            message = str(e)
            assert "\n" not in message and "node" in message, message
            ops = {n.op_type for n in onnx.load(str(path)).graph.node}
            assert any(f"({op})" in message for op in ops), message
            continue
        loaded += 1
        assert net.output_size > 0
    assert loaded == len(files)  # every network of the suite loads today


def _split_domains(net, root, d: int, gen: torch.Generator) -> dict:
    """``d`` domains, each fixing the phase of one or two random unstable elements."""
    from verify.graph_search import _pre_of

    pre = sorted(set(_pre_of(net).values()))
    splits = {j: torch.zeros((d, *net.nodes[j].shape), dtype=torch.int8) for j in pre}
    cands = [(j, e) for j in pre
             for e in ((root.lower[j] < 0) & (root.upper[j] > 0)).reshape(-1).nonzero()
             .flatten().tolist()]
    for k in range(d):
        for c in torch.randperm(len(cands), generator=gen)[:1 + k % 2].tolist():
            j, e = cands[c]
            splits[j][k].view(-1)[e] = 1 if (k // 2) % 2 else -1
    return splits


def _inside(values, splits, k: int, n: int) -> torch.Tensor:
    """[n] bool: the samples whose values are in the phases domain k fixes."""
    inside = torch.ones(n, dtype=torch.bool)
    for j, s in splits.items():
        s, v = s[k].reshape(-1), values[j].reshape(n, -1)
        inside &= ((s <= 0) | (v >= 0)).all(1) & ((s >= 0) | (v <= 0)).all(1)
    return inside


def _split_setup(seed: int, d: int = 8):
    _, net = _net("residual_add_sub")
    rng = np.random.default_rng(seed)
    centre = torch.as_tensor(rng.uniform(-1, 1, size=(1, 5)))
    lo, hi = centre - 0.3, centre + 0.3  # small enough for bounds a wrong sign would break
    with torch.no_grad():
        root = graph_bounds(net, lo, hi)
    gen = torch.Generator().manual_seed(seed)
    splits = _split_domains(net, root, d, gen)
    x = lo + (hi - lo) * torch.rand(20000, 5, dtype=torch.float64, generator=gen)
    with torch.no_grad():
        values = net.run(x.reshape(-1, *net.input_shape))
    matrix = torch.as_tensor(rng.normal(size=(3, net.output_size)))
    return net, lo, hi, root, splits, values, matrix


def test_beta_crown_bounds_enclose_the_sampled_outputs_of_split_domains():
    from verify.graph_search import beta_crown, split_bounds

    net, lo, hi, root, splits, values, matrix = _split_setup(11)
    d = 8
    bounds = split_bounds(net, root, splits)
    rhs = torch.zeros(3, dtype=torch.float64)
    res = beta_crown(net, lo.expand(d, -1), hi.expand(d, -1), matrix, rhs, bounds, splits,
                     iterations=30, lr=0.2)
    lower = res.lower
    no_beta = beta_crown(net, lo.expand(d, -1), hi.expand(d, -1), matrix, rhs, bounds, {},
                         iterations=30, lr=0.2).lower
    assert float((lower - no_beta).max()) > 0.1  # the multipliers do tighten (measured: ~4)
    n = values[0].shape[0]
    spec = values[-1].reshape(n, -1) @ matrix.T
    # warm starts from any values (clamped into range) stay sound; from the optimised ones
    # they start where the optimisation ended
    gen = torch.Generator().manual_seed(1)
    wild_a = {k: 3 * torch.rand(a.shape, dtype=a.dtype, generator=gen) - 1
              for k, a in res.alphas.items()}
    wild_b = {j: 4 * torch.rand(b.shape, dtype=b.dtype, generator=gen) - 1
              for j, b in res.betas.items()}
    wild = beta_crown(net, lo.expand(d, -1), hi.expand(d, -1), matrix, rhs, bounds, splits,
                      iterations=3, lr=0.2, alphas=wild_a, betas=wild_b)
    again = beta_crown(net, lo.expand(d, -1), hi.expand(d, -1), matrix, rhs, bounds, splits,
                       iterations=0, lr=0.2, alphas=res.alphas, betas=res.betas)
    quick = beta_crown(net, lo.expand(d, -1), hi.expand(d, -1), matrix, rhs, bounds, splits,
                       iterations=2, lr=0.2, alphas=wild_a, betas=wild_b, final_pass=False)
    assert set(quick.record) == set(splits)
    assert torch.allclose(again.lower, lower)
    assert all(bool((a >= 0).all() and (a <= 1).all()) for a in wild.alphas.values())
    assert all(bool((b >= 0).all()) for b in wild.betas.values())
    checked = 0
    for k in range(d):
        inside = _inside(values, splits, k, n)
        if bool(inside.any()):
            checked += int(inside.sum())
            true_min = spec[inside].amin(0)
            assert bool((lower[k] <= true_min + 1e-9).all()), k
            assert bool((wild.lower[k] <= true_min + 1e-9).all()), k
            assert bool((quick.lower[k] <= true_min + 1e-9).all()), k
    assert checked >= 20000  # a fraction of the samples lies in each domain


@pytest.mark.parametrize("seed", range(4))
def test_split_bounds_recompute_the_relaxations_of_the_split_elements_only(seed):
    """Where an element is split its relaxation is its activation's on the clamped bounds;
    elsewhere it is the root's, which is the activation's on the same bounds: so every
    relaxation is what relaxing the split bounds whole gives."""
    from verify.graph_search import _pre_of, split_bounds

    net, _, _, root, splits, _, _ = _split_setup(seed)
    bounds = split_bounds(net, root, splits)
    for k, j in _pre_of(net).items():
        want = net.nodes[k].op.relax(bounds.lower[j], bounds.upper[j])
        got = bounds.relax[k]
        for name in ("lower_slope", "lower_icpt", "upper_slope", "upper_icpt"):
            w = getattr(want, name)
            assert torch.equal(getattr(got, name).expand_as(w), w), (k, name)


def test_beta_crown_with_its_own_step_size_for_the_betas_stays_sound():
    """``beta_lr`` moves the betas by their own step size (0: they stay where they start),
    and the bounds enclose the sampled outputs whatever the two step sizes are."""
    from verify.graph_search import beta_crown, split_bounds

    net, lo, hi, root, splits, values, matrix = _split_setup(12)
    d = 8
    bounds = split_bounds(net, root, splits)
    rhs = torch.zeros(3, dtype=torch.float64)
    args = (net, lo.expand(d, -1), hi.expand(d, -1), matrix, rhs, bounds, splits)
    frozen = beta_crown(*args, iterations=5, lr=0.2, beta_lr=0.0)
    assert all(bool((b == 0).all()) for b in frozen.betas.values())
    moved = beta_crown(*args, iterations=5, lr=0.0, beta_lr=0.3)
    assert any(bool((b > 0).any()) for b in moved.betas.values())
    runs = [frozen, moved, beta_crown(*args, iterations=20, lr=0.05, beta_lr=0.03),
            beta_crown(*args, iterations=20, lr=0.01, beta_lr=1.0)]
    n = values[0].shape[0]
    spec = values[-1].reshape(n, -1) @ matrix.T
    for k in range(d):
        inside = _inside(values, splits, k, n)
        if bool(inside.any()):
            true_min = spec[inside].amin(0)
            for res in runs:
                assert bool((res.lower[k] <= true_min + 1e-9).all()), k


@pytest.mark.parametrize("seed", [3, 11, 12])
def test_domain_bounds_refined_after_the_splits_enclose_the_samples(seed):
    from verify.graph_search import _domain_bounds, split_bounds

    net, lo, hi, root, splits, values, _ = _split_setup(seed)
    d = 8
    plain = split_bounds(net, root, splits)
    refined = _domain_bounds(net, root, splits, lo.expand(d, -1), hi.expand(d, -1), 99)
    n = values[0].shape[0]
    tighter = 0.0
    for i, v in enumerate(values):
        v = v.reshape(n, -1)
        low, up = refined.lower[i].reshape(d, -1), refined.upper[i].reshape(d, -1)
        assert bool((low >= plain.lower[i].reshape(d, -1) - 1e-12).all())
        assert bool((up <= plain.upper[i].reshape(d, -1) + 1e-12).all())
        tighter += float((up - low).sum() - (plain.upper[i] - plain.lower[i]).sum())
        for k in range(d):
            inside = _inside(values, splits, k, n)
            assert bool((v[inside] >= low[k] - 1e-9).all()), (i, k)
            assert bool((v[inside] <= up[k] + 1e-9).all()), (i, k)
    assert tighter < 0  # the split constraints do tighten the later nodes


def test_alpha_crown_keeps_the_alphas_of_its_best_bound():
    _, net = _net("conv2d_leaky")
    lo = torch.as_tensor(RNG.uniform(-1, 1, size=(2, net.input_size)))
    hi = lo + 0.5
    with torch.no_grad():
        bounds = graph_bounds(net, lo, hi)
    matrix = torch.as_tensor(RNG.normal(size=(3, net.output_size)))
    rhs = torch.zeros(3, dtype=torch.float64)
    keep: dict = {}
    best = alpha_crown(net, lo, hi, matrix, rhs, bounds, iterations=10, keep=keep)
    assert keep
    with torch.no_grad():
        again = spec_lower(net, lo, hi, matrix, rhs, bounds, keep)[0]
    assert torch.allclose(again, best)


def test_load_network_keeps_the_chain_fast_path_and_convolutions_as_a_graph():
    from verify.api import load_network
    from verify.graph import GraphNet
    from verify.network import Network

    assert isinstance(load_network(_net("gemm_relu")[0]), Network)  # dense chain: folded
    assert isinstance(load_network(_net("conv2d_leaky")[0]), GraphNet)  # LeakyRelu
    assert isinstance(load_network(_net("residual_add_sub")[0]), GraphNet)  # across a ReLU
    conv_chain = _model([_n("Conv", ["x", "k"], "c"), _n("Relu", ["c"], "r"),
                         _n("Flatten", ["r"], "y")], {"k": _r(2, 1, 2, 2)}, [1, 1, 3, 3])
    assert isinstance(load_network(conv_chain), GraphNet)  # a chain, but convolutions stay
    with pytest.raises(OnnxError, match=r"\(Softmax\): unsupported operator"):
        load_network(_model([_n("Softmax", ["x"], "y")], {}, [1, 3]))


@pytest.mark.parametrize("case", ["conv2d_leaky", "conv1d_sigmoid"])
def test_the_direct_convolution_transpose_is_the_autograd_one(case):
    from verify import graph_ops as G

    _, net = _net(case)
    for node in net.nodes:
        if isinstance(node.op, G.Conv):
            shapes = [net.nodes[j].shape for j in node.inputs]
            a = torch.as_tensor(RNG.normal(size=(5, *node.shape)))
            (direct,), c1 = node.op.backward(a, shapes)
            (generic,), c2 = G.Affine.backward(node.op, a, shapes)
            assert torch.allclose(direct, generic) and torch.allclose(c1, c2)


def test_bounds_resume_where_a_deadline_stopped_them():
    from verify.graph_bounds import PastDeadline, _Partial

    _, net = _net("residual_add_sub")
    lo, hi = -torch.ones(2, 5, dtype=torch.float64), torch.ones(2, 5, dtype=torch.float64)
    with torch.no_grad():
        full = graph_bounds(net, lo, hi)
        with pytest.raises(PastDeadline) as stop:
            graph_bounds(net, lo, hi, deadline=0.0)
        assert stop.value.partial.lower == ()
        k = 4  # as if stopped before node 4
        partial = _Partial(full.lower[:k], full.upper[:k],
                           {i: r for i, r in full.relax.items() if i < k})
        resumed = graph_bounds(net, lo, hi, resume=partial)
    for a, b in zip(full.lower + full.upper, resumed.lower + resumed.upper):
        assert torch.equal(a, b)
    assert len(resumed.lower) == len(net.nodes)
