"""The rdflib knowledge graph: the theory (constructions, rules), proofs as RDF, and a memory of
solved problems with the auxiliary constructions that worked (retrieval of proposals).

rdflib (and oxrdflib for the persistent store) are imported by the submodules, not here.
"""
