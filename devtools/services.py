"""Throwaway Redis and PostgreSQL servers, for the tests and the topology test.

Each listens on a free loopback port, keeps its data in a temporary folder (Redis keeps none)
and is always stopped. They use Debian's packages (`redis-server`, `postgresql`), which
`make test` and `.ci/run` install when missing.
"""

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(ready, *, what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not answer within {seconds:g} seconds")
        time.sleep(0.05)


class RedisServer:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen | None = None

    def start(self) -> "RedisServer":
        import redis

        executable = shutil.which("redis-server")
        if not executable:
            raise RuntimeError("redis-server is missing: `make test` installs Debian's package")
        command = [executable, "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no"]  # nothing on disk
        self._process = subprocess.Popen(command, stdout=subprocess.DEVNULL)  # noqa: S603
        client = redis.Redis.from_url(self.url)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.ConnectionError:
                return False

        _wait_for(answers, what="redis-server")
        return self

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None


@contextlib.contextmanager
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.stop()


class PostgresServer:
    """A PostgreSQL cluster of its own (initdb), with fsync off: nothing in it is kept."""

    def __init__(self):
        versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version)
        if not versions:
            raise RuntimeError("PostgreSQL is missing: install Debian's postgresql package")
        self._bin = Path(versions[-1])
        self.port = free_port()
        self._dir = Path(tempfile.mkdtemp(prefix="relay-pg-"))
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/relay"

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self._bin / tool), *args]
        if os.getuid() == 0:  # initdb refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)  # noqa: S603

    def start(self) -> "PostgresServer":
        if os.getuid() == 0:
            shutil.chown(self._dir, user="postgres")
        data = str(self._dir / "data")
        self._run("initdb", "-D", data, "-U", "postgres", "-A", "trust")
        options = f"-p {self.port} -k {self._dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self._dir / "server.log")
        self._run("pg_ctl", "-D", data, "-l", log, "-w", "-o", options, "start")
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "relay")
        return self

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run("pg_ctl", "-D", str(self._dir / "data"), "-m", "fast", "-w", "stop")
        shutil.rmtree(self._dir, ignore_errors=True)


def _version(path: str) -> tuple[int, ...]:
    return tuple(int(part) for part in Path(path).parent.name.split(".") if part.isdigit())
