"""Bound-propagation verifier for ReLU networks: ONNX + VNNLIB in, VNN-COMP verdicts out.

``verify.api.verify(net, prop, timeout)`` -> ``Result``; ``verify-net`` / ``python -m verify``
is the command line; ``verify.pytest_helpers.assert_holds`` puts properties in test suites.
"""
