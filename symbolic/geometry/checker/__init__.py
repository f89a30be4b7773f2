"""An independent checker of printed geometry proofs (``python -m symbolic.geometry.checker``).

``check_document`` checks one proof document; ``load`` reads the documents of a file (a
``Proof.document()``, the rows of ``solve-problem --json --proof``, or the printed text of
``solve-problem --proof``, read by ``text_form``); ``main`` is the command.
"""

from .check import BadProof, Report, check_document
from .cli import load, main

__all__ = ["BadProof", "Report", "check_document", "load", "main"]
