"""Bound-propagation verifier for neural networks (ONNX + VNNLIB). Not built yet."""
