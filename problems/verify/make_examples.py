"""Regenerate the small example networks and properties of this folder (deterministic).

``python problems/verify/make_examples.py`` writes ``xor2.onnx`` (2 -> 16 -> 16 -> 2 ReLU
network with fixed random weights, built with ``onnx.helper``: Gemm, Relu, MatMul, Add) and
``conv1.onnx`` (a 1x4x4 image -> Conv -> BatchNormalization -> Relu -> Flatten -> Gemm
classifier with 3 outputs). The VNNLIB files next to them were written by hand.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = Path(__file__).resolve().parent


def _init(name: str, a: np.ndarray):
    return numpy_helper.from_array(np.asarray(a, dtype=np.float32), name)


def mlp(rng: np.random.Generator) -> onnx.ModelProto:
    w1, b1 = rng.normal(size=(16, 2)), rng.normal(size=16) * 0.1
    w2, b2 = rng.normal(size=(16, 16)) / 4, rng.normal(size=16) * 0.1
    w3, b3 = rng.normal(size=(16, 2)) / 4, np.array([0.5, -0.5])
    nodes = [helper.make_node("Gemm", ["x", "w1", "b1"], ["z1"], transB=1),
             helper.make_node("Relu", ["z1"], ["h1"]),
             helper.make_node("Gemm", ["h1", "w2", "b2"], ["z2"], transB=1),
             helper.make_node("Relu", ["z2"], ["h2"]),
             helper.make_node("MatMul", ["h2", "w3"], ["z3"]),
             helper.make_node("Add", ["z3", "b3"], ["y"])]
    graph = helper.make_graph(
        nodes, "xor2", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2])],
        [_init(n, a) for n, a in (("w1", w1), ("b1", b1), ("w2", w2), ("b2", b2),
                                  ("w3", w3), ("b3", b3))])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def conv(rng: np.random.Generator) -> onnx.ModelProto:
    k, kb = rng.normal(size=(2, 1, 3, 3)) / 2, rng.normal(size=2) * 0.1
    scale, bias = rng.uniform(0.5, 1.5, 2), rng.normal(size=2) * 0.1
    mean, var = rng.normal(size=2) * 0.1, rng.uniform(0.5, 1.5, 2)
    w, b = rng.normal(size=(3, 8)) / 2, np.array([1.0, 0.0, -0.5])
    nodes = [helper.make_node("Conv", ["x", "k", "kb"], ["c"], strides=[2, 2],
                              pads=[1, 1, 1, 1]),
             helper.make_node("BatchNormalization", ["c", "s", "bb", "m", "v"], ["n"]),
             helper.make_node("Relu", ["n"], ["r"]),
             helper.make_node("Flatten", ["r"], ["f"]),
             helper.make_node("Gemm", ["f", "w", "b"], ["y"], transB=1)]
    graph = helper.make_graph(
        nodes, "conv1", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 4, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])],
        [_init(n, a) for n, a in (("k", k), ("kb", kb), ("s", scale), ("bb", bias),
                                  ("m", mean), ("v", var), ("w", w), ("b", b))])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


if __name__ == "__main__":
    rng = np.random.default_rng(2024)
    onnx.save(mlp(rng), HERE / "xor2.onnx")
    onnx.save(conv(rng), HERE / "conv1.onnx")
