"""The small torch proposer of auxiliary constructions, and the synthetic data it learns from
(``neural.data``: random construction sequences, DD+AR closure, traced-back proofs)."""
