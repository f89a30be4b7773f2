"""The rdflib knowledge graph of the theory, proofs and solved problems. Not built yet."""
