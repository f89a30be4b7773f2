"""The ONNX loader against onnxruntime: every supported operator, ACAS Xu, and clear errors."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from verify_testlib import ACAS, EXAMPLES, needs_bench

from verify.errors import OnnxError
from verify.onnx_graph import load_onnx


def _model(nodes, inits, in_shape, out_shape, opset=13) -> bytes:
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, in_shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, out_shape)],
        [numpy_helper.from_array(_tensor(a), n) for n, a in inits.items()])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]) \
        .SerializeToString()


def _tensor(a) -> np.ndarray:
    a = np.asarray(a)
    return a.astype(np.int64) if a.dtype.kind in "iu" else a.astype(np.float32)


def _against_ort(model: bytes, samples: int = 20, tol: float = 1e-4) -> float:
    import onnxruntime as ort

    net = load_onnx(model)
    session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(samples, net.input_size))
    ours = net.forward_numpy(x)
    ref = np.stack([session.run(None, {net.input_name: xi.astype(np.float32).reshape(
        net.input_shape)})[0].reshape(-1) for xi in x])
    err = float(np.abs(ours - ref).max())
    assert err < tol * max(1.0, float(np.abs(ref).max()))
    return err


def test_every_operator_matches_onnxruntime():
    rng = np.random.default_rng(1)
    r = lambda *s: rng.normal(size=s)  # noqa: E731
    nodes = [
        helper.make_node("Constant", [], ["c2"], value=numpy_helper.from_array(
            np.float32(2.0).reshape(()), "c2v")),
        helper.make_node("Identity", ["x"], ["x0"]),
        helper.make_node("Sub", ["x0", "mean"], ["x1"]),
        helper.make_node("Div", ["x1", "c2"], ["x2"]),
        helper.make_node("Conv", ["x2", "k", "kb"], ["c"], strides=[1, 2], pads=[1, 0, 1, 1]),
        helper.make_node("BatchNormalization", ["c", "s", "bb", "m", "v"], ["n"]),
        helper.make_node("Relu", ["n"], ["r1"]),
        helper.make_node("Flatten", ["r1"], ["f"]),
        helper.make_node("Gemm", ["f", "w1", "b1"], ["g"], transB=1, alpha=0.5, beta=2.0),
        helper.make_node("Mul", ["g", "scale"], ["g2"]),
        helper.make_node("Relu", ["g2"], ["r2"]),
        helper.make_node("Reshape", ["r2", "shape"], ["r3"]),
        helper.make_node("MatMul", ["r3", "w2"], ["mm"]),
        helper.make_node("Add", ["mm", "b2"], ["y0"]),
        helper.make_node("Reshape", ["y0", "shape2"], ["y"]),
    ]
    inits = {"mean": r(1, 2, 1, 1), "k": r(3, 2, 3, 3) / 3, "kb": r(3), "s": r(3) + 2,
             "bb": r(3), "m": r(3) * 0.1, "v": np.abs(r(3)) + 0.5, "w1": r(6, 3 * 5 * 2) / 4,
             "b1": r(6), "scale": r(6), "shape": np.array([0, 2, 3]), "w2": r(3, 4),
             "b2": r(4), "shape2": np.array([1, -1])}
    model = _model(nodes, inits, [1, 2, 5, 5], [1, 8])
    onnx.checker.check_model(onnx.load_from_string(model))
    _against_ort(model)


def test_matrix_times_vector_and_residual_within_a_segment():
    nodes = [helper.make_node("MatMul", ["w", "x"], ["a"]),
             helper.make_node("Add", ["a", "x"], ["b"]),  # both sides depend on x: fine
             helper.make_node("Relu", ["b"], ["y"])]
    _against_ort(_model(nodes, {"w": np.eye(3) * 2 - 1}, [3], [3]))


@needs_bench
def test_acasxu_initializers_listed_as_inputs():
    model = (ACAS / "onnx" / "ACASXU_run2a_1_1_batch_2000.onnx").read_bytes()
    net = load_onnx(model)
    assert net.input_shape == (1, 1, 1, 5) and net.output_size == 5
    assert len(net.linears) == 7 and net.relu_count == 300
    _against_ort(model, samples=50)


@pytest.mark.parametrize("name", ["xor2.onnx", "conv1.onnx"])
def test_examples_match_onnxruntime(name):
    _against_ort((EXAMPLES / name).read_bytes())


def test_unsupported_operator_is_named():
    nodes = [helper.make_node("Sigmoid", ["x"], ["y"], name="act")]
    with pytest.raises(OnnxError, match=r"node 'act' \(Sigmoid\): unsupported operator "
                                        r"'Sigmoid'"):
        load_onnx(_model(nodes, {}, [2], [2]))


def test_nonlinear_product_and_cross_segment_residual_are_errors():
    square = [helper.make_node("Mul", ["x", "x"], ["y"])]
    with pytest.raises(OnnxError, match="not linear"):
        load_onnx(_model(square, {}, [2], [2]))
    skip = [helper.make_node("Relu", ["x"], ["h"]), helper.make_node("Add", ["h", "x"], ["y"])]
    with pytest.raises(OnnxError, match="residual"):
        load_onnx(_model(skip, {}, [2], [2]))


def test_unreadable_files(tmp_path):
    with pytest.raises(OnnxError, match="no such file"):
        load_onnx(tmp_path / "missing.onnx")
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"\x00not a model at all")
    with pytest.raises(OnnxError, match="not a readable ONNX model"):
        load_onnx(bad)


@pytest.mark.parametrize("opset", [11, 13])
def test_dropout_in_inference_mode_is_the_identity(opset):
    attrs = {"ratio": 0.5} if opset < 12 else {}
    nodes = [helper.make_node("MatMul", ["x", "w"], ["a"]),
             helper.make_node("Dropout", ["a"], ["d"], **attrs),
             helper.make_node("Relu", ["d"], ["y"])]
    _against_ort(_model(nodes, {"w": np.eye(3) * 2 - 1}, [3], [3], opset=opset))


def test_dropout_in_training_mode_is_refused():
    nodes = [helper.make_node("Dropout", ["x", "r", "t"], ["y"], name="drop")]
    with pytest.raises(OnnxError, match=r"node 'drop' \(Dropout\): is in training mode"):
        load_onnx(_model(nodes, {"r": np.float32(0.5), "t": np.array(True)}, [2], [2]))
