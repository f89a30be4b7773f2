"""SyGuS-IF 2.1 synthesizer: reader (``spec``), semantics (``semantics``, ``vector``,
``kernels``), z3 checking (``smt``), bottom-up enumeration with observational equivalence
(``enumerate``), divide and conquer (``unify``), CEGIS (``cegis``), invariants
(``invariants``) and the end-to-end ``solver``."""
