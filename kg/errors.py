"""Errors of the persistent knowledge store, importable without rdflib (the CLI catches them)."""

from __future__ import annotations


class StoreError(OSError):
    """A persistent knowledge store that cannot be used."""


class StoreLocked(StoreError):
    """Another process (another run) holds the store open for writing, and kept it past the
    wait. Oxigraph allows one writer per store, any number of read-only readers beside it."""

    def __init__(self, path: str, waited: float) -> None:
        self.path = path
        self.waited = waited
        super().__init__(f"knowledge store {path} is held by another run (open for writing "
                         f"there; waited {waited:g} s); let it finish or use another store")
