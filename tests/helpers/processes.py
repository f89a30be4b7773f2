"""Child Python processes for the crash and concurrency tests: started in the checkout, their
stdout read line by line against a deadline (no sleeps that race with a slow machine)."""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Holds the store at argv[1] open for writing until its stdin closes.
HOLDER = ("import sys\nfrom kg.memory import Memory\nm = Memory(sys.argv[1])\n"
          "print('holding', flush=True)\nsys.stdin.read()\n")


class Child:
    """``python ARGS`` run in the checkout; a thread moves its stdout lines to a queue."""

    def __init__(self, *args: object, stdin: bool = False) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, *map(str, args)], cwd=ROOT, text=True,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, done: Callable[[list[str]], bool], timeout: float = 120) -> list[str]:
        """Read lines until ``done(lines so far)``; fails if the child ends or time runs out."""
        deadline = time.monotonic() + timeout
        while not done(self.lines):
            try:
                line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no such output within {timeout} s: {self.lines}"
                                     ) from None
            if line is None:
                raise AssertionError(f"child ended (rc {self.proc.wait()}) after {self.lines}:"
                                     f"\n{self.stderr()}")
            self.lines.append(line)
        return self.lines

    def kill(self) -> list[str]:
        """SIGKILL the child; every line it printed before."""
        self.proc.kill()
        self.proc.wait(timeout=60)
        self._reader.join(timeout=60)
        while (line := self._queue.get()) is not None:
            self.lines.append(line)
        return self.lines

    def finish(self, timeout: float = 120) -> int:
        """Close stdin, wait for the exit code; all stdout lines are in ``lines``."""
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        code = self.proc.wait(timeout=timeout)
        self._reader.join(timeout=60)
        while (line := self._queue.get()) is not None:
            self.lines.append(line)
        return code

    def stderr(self) -> str:
        assert self.proc.stderr is not None
        return self.proc.stderr.read()
