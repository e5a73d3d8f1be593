"""Private PostgreSQL and Redis servers: started here, on free ports of 127.0.0.1, in
temporary directories, and stopped by their own PID or data directory (never the machine's)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from .common import StartError, free_port, log_tail, wait_until

# --- PostgreSQL ----------------------------------------------------------------------------------


def postgres_bin_dir() -> Path | None:
    """The PostgreSQL server binaries: ``TANDEM_PG_BIN``, else Debian's newest (15 first)."""
    configured = os.environ.get("TANDEM_PG_BIN")
    if configured:
        return Path(configured)
    root = Path("/usr/lib/postgresql")
    preferred = root / "15" / "bin"
    if (preferred / "initdb").exists():
        return preferred
    found = sorted(root.glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name), reverse=True)
    return found[0].parent if found else None


def missing_services() -> list[str]:
    """What a private stack needs and this machine lacks (empty when it can run)."""
    missing = []
    if postgres_bin_dir() is None:
        missing.append("PostgreSQL server binaries (initdb, pg_ctl; or set TANDEM_PG_BIN)")
    if shutil.which("redis-server") is None:
        missing.append("redis-server")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        missing.append("runuser (to run PostgreSQL as the postgres user when root)")
    return missing


class PrivatePostgres:
    """A PostgreSQL cluster in a temporary directory, on a free port of 127.0.0.1.

    PostgreSQL refuses to run as root: as root, ``initdb`` and ``pg_ctl`` run as the
    ``postgres`` system user, which owns the directory. Durability is off (``fsync``): the
    cluster lives as long as one test session.
    """

    def __init__(self) -> None:
        bin_dir = postgres_bin_dir()
        if bin_dir is None:
            raise StartError("PostgreSQL server binaries not found (set TANDEM_PG_BIN)")
        self.bin_dir = bin_dir
        # As root the server runs as ``postgres``, which must reach the directory: under /tmp,
        # not under a TMPDIR that may sit in root's home.
        root = os.geteuid() == 0
        parent = "/tmp" if root else None  # noqa: S108 - mkdtemp: a new private directory
        self.dir = Path(tempfile.mkdtemp(prefix="tandem-pg-", dir=parent))
        self.data = self.dir / "data"
        self.log_path = self.dir / "postgres.log"
        self.port = free_port()
        if root:
            import pwd

            user = pwd.getpwnam("postgres")
            os.chown(self.dir, user.pw_uid, user.pw_gid)
        self._run("initdb", "-A", "trust", "-U", "postgres", "-E", "UTF8", "-D", str(self.data))

    def _command(self, program: str, *args: str) -> list[str]:
        command = [str(self.bin_dir / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return command

    def _run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            self._command(program, *args), capture_output=True, text=True, check=False
        )
        if check and result.returncode != 0:
            raise StartError(
                f"{program} {' '.join(args)} failed ({result.returncode}): "
                f"{result.stdout}{result.stderr}\n{log_tail(self.log_path)}"
            )
        return result

    def _pg_ctl(self, action: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        return self._run(
            "pg_ctl", action, "-D", str(self.data), "-l", str(self.log_path), "-o", options,
            "-w", "-t", "60", *args, check=check,
        )  # fmt: skip

    def start(self) -> None:
        self._pg_ctl("start")

    def stop(self, mode: str = "fast") -> None:
        """``fast`` (disconnect clients, clean shutdown) or ``immediate`` (like a crash)."""
        self._pg_ctl("stop", "-m", mode)

    def restart(self, mode: str = "fast") -> None:
        self._pg_ctl("restart", "-m", mode)

    def running(self) -> bool:
        return self._run("pg_ctl", "status", "-D", str(self.data), check=False).returncode == 0

    def ensure_running(self) -> None:
        if not self.running():
            self.start()

    def url(self, dbname: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def connect(self, dbname: str = "postgres", **kwargs: Any):
        import psycopg

        return psycopg.connect(self.url(dbname), autocommit=True, connect_timeout=10, **kwargs)

    def create_database(self, name: str, *, template: str | None = None) -> None:
        with self.connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            suffix = f' TEMPLATE "{template}"' if template else ""
            conn.execute(f'CREATE DATABASE "{name}"{suffix}')

    def drop_database(self, name: str) -> None:
        with self.connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def destroy(self) -> None:
        if self.data.exists():
            self._pg_ctl("stop", "-m", "immediate", check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


# --- Redis ---------------------------------------------------------------------------------------


class PrivateRedis:
    """``redis-server`` on a free port of 127.0.0.1, without persistence; started and stopped
    by its PID (stopping it is how a broker outage is made)."""

    def __init__(self, *, log_path: Path | None = None) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="tandem-redis-"))
        self.log_path = log_path or self.dir / "redis.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(
                [
                    "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--daemonize", "no",
                    "--dir", str(self.dir),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            wait_until(self.ping, timeout=20, what="redis-server", interval=0.1)
        except TimeoutError as exc:
            raise StartError(f"redis-server did not start\n{log_tail(self.log_path)}") from exc

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def ensure_running(self) -> None:
        if not self.running():
            self.start()

    def stop(self) -> None:
        """Stop the server (SIGTERM to its PID; SIGKILL if it does not go)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def flush(self) -> None:
        import redis

        redis.Redis(port=self.port, socket_timeout=5).flushall()

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
