"""Run a sandbox command line in a child process that never outlives the test."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager


@contextmanager
def cli_process(command: Sequence[str]) -> Iterator[subprocess.Popen]:
    """The running command, its output piped as text; killed at the end if it is still running."""
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()
