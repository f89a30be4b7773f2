"""Geometry deduction engine: AlphaGeometry problem language, numeric diagrams, DD+AR, proofs."""
