"""A throw-away PostgreSQL server from the distribution's packages: the metadata database of the topology test."""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import psycopg2

DEBIAN_BIN_DIRS = "/usr/lib/postgresql/*/bin"
"""Where Debian's ``postgresql-<version>`` packages put ``initdb`` and ``postgres`` (not on ``PATH``)."""

SERVER_USER = "postgres"
"""The account Debian's package creates: PostgreSQL refuses to run as root."""

FAST_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
"""A database thrown away after the test needs no durability."""


def find_bin_dir() -> Path | None:
    """The directory holding ``initdb`` and ``postgres``: on ``PATH``, else the newest Debian package's."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("postgres"):
        return Path(on_path).resolve().parent
    candidates = sorted(Path("/").glob(DEBIAN_BIN_DIRS.lstrip("/")), key=lambda path: int(path.parent.name))
    return candidates[-1] if candidates else None


class PostgresServer:
    """One PostgreSQL server on 127.0.0.1 over a fresh data directory, run as its own process.

    As root, it runs as the ``postgres`` account. :meth:`stop` ends it by its PID and deletes the data.

    :param bin_dir: where ``initdb`` and ``postgres`` are, see :func:`find_bin_dir`.
    :param port: the TCP port to listen on.
    """

    def __init__(self, bin_dir: Path, port: int) -> None:
        self.bin_dir = bin_dir
        self.port = port
        self.root = Path(tempfile.mkdtemp(prefix="airflow-topology-postgres-"))
        self._superuser_password = secrets.token_urlsafe(16)
        self._owner = _owner_switch()
        self._process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        """Create the cluster, start the server and wait until it accepts connections."""
        if "user" in self._owner:
            account = pwd.getpwnam(SERVER_USER)
            os.chown(self.root, account.pw_uid, account.pw_gid)
        password_file = self.root / "superuser-password"
        password_file.write_text(self._superuser_password)
        if "user" in self._owner:
            shutil.chown(password_file, SERVER_USER, SERVER_USER)
        data = self.root / "data"
        initdb = [str(self.bin_dir / "initdb"), "-D", str(data), "-U", "postgres", f"--pwfile={password_file}"]
        initdb += ["--auth=scram-sha-256", "--encoding=UTF8", "--no-locale", "--no-sync"]
        subprocess.run(initdb, check=True, capture_output=True, cwd=self.root, **self._owner)
        password_file.unlink()
        server = [str(self.bin_dir / "postgres"), "-D", str(data), "-p", str(self.port)]
        settings = {"listen_addresses": "127.0.0.1", "unix_socket_directories": "", **FAST_SETTINGS}
        for name, value in settings.items():
            server += ["-c", f"{name}={value}"]
        with (self.root / "server.log").open("wb") as log:
            self._process = subprocess.Popen(
                server, stdout=log, stderr=subprocess.STDOUT, cwd=self.root, start_new_session=True, **self._owner
            )
        self._wait_until_ready(timeout)

    def create_database(self, name: str, user: str, password: str) -> str:
        """Create a user with a password and a database it owns; the SQLAlchemy URL Airflow connects with."""
        with closing(self._connect()) as connection, connection.cursor() as cursor:
            cursor.execute(f'CREATE ROLE "{user}" LOGIN PASSWORD %s', (password,))
            cursor.execute(f'CREATE DATABASE "{name}" OWNER "{user}"')
        return f"postgresql+psycopg2://{user}:{password}@127.0.0.1:{self.port}/{name}"

    def log_tail(self, characters: int = 3000) -> str:
        """The end of the server's log, for failure messages."""
        log = self.root / "server.log"
        return log.read_text(errors="replace")[-characters:] if log.exists() else ""

    def stop(self) -> None:
        """Fast shutdown by the server's PID (SIGKILL to its process group if it hangs), then delete the data."""
        if self._process is not None:
            self._process.send_signal(signal.SIGINT)  # PostgreSQL's "fast" shutdown
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait()
        shutil.rmtree(self.root, ignore_errors=True)

    def _connect(self) -> Any:
        connection = psycopg2.connect(
            host="127.0.0.1", port=self.port, user="postgres", password=self._superuser_password, dbname="postgres"
        )
        connection.autocommit = True  # CREATE DATABASE cannot run in a transaction
        return connection

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self._process.poll() is not None:
                raise RuntimeError(f"PostgreSQL exited with {self._process.returncode}:\n{self.log_tail()}")
            try:
                self._connect().close()
                return
            except psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)


def _owner_switch() -> dict[str, Any]:
    """``subprocess`` arguments that run the server as ``postgres`` when we are root, else as ourselves."""
    if os.geteuid() != 0:
        return {}
    return {"user": SERVER_USER, "group": SERVER_USER, "extra_groups": []}
