"""The app's processes (gunicorn, a Celery worker, manage.py) and one deployment of them on
the private services."""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .client import Api
from .common import REPO, StartError, free_port, log_tail, wait_until
from .services import PrivatePostgres, PrivateRedis

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "fault-injection-admin-5e7d"  # noqa: S105 - a throwaway cluster's admin
# The four queues of config/celery.py: one worker serves them all, as `make run` does.
ALL_QUEUES = ("default", "embeddings", "training", "webhooks")


def _gunicorn_extra_args() -> list[str]:
    """gunicorn 24+ opens a control socket at one fixed path per user: several servers on one
    machine would take it from each other, and these need none."""
    try:
        from gunicorn.config import KNOWN_SETTINGS
    except ImportError:
        return []
    names = {setting.name for setting in KNOWN_SETTINGS}
    return ["--no-control-socket"] if "control_socket_disable" in names else []


# --- the app's processes -------------------------------------------------------------------------


class Server:
    """gunicorn serving the app on 127.0.0.1 (as ``make run`` does), stopped by its PID.

    Ready when ``/api/v1/auth/csrf/`` answers. ``log_path``: gunicorn's and the app's output
    (else inherited).
    """

    def __init__(
        self,
        env: dict[str, str],
        *,
        workers: int = 2,
        threads: int = 8,
        log_path: Path | None = None,
        log_level: str = "warning",
    ) -> None:
        self.port = free_port()
        self.log_path = log_path
        bin_dir = Path(sys.executable).parent
        log = log_path.open("a") if log_path else None
        try:
            self.process = subprocess.Popen(
                [
                    str(bin_dir / "gunicorn"), "config.wsgi",
                    "--bind", f"127.0.0.1:{self.port}",
                    "--workers", str(workers), "--threads", str(threads),
                    "--timeout", "60", "--graceful-timeout", "10",
                    "--log-level", log_level, *_gunicorn_extra_args(),
                ],
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT if log else None,
            )  # fmt: skip
        finally:
            if log:
                log.close()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/api/v1/auth/csrf/")
                conn.getresponse().read()
                conn.close()
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise StartError(f"the web server did not start\n{log_tail(self.log_path)}")

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, *, graceful: bool = True) -> None:
        """SIGTERM (finish the requests in flight) or SIGQUIT (stop now)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM if graceful else signal.SIGQUIT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


class Worker:
    """A real Celery worker (prefork, ``concurrency`` processes) on the given queues, with the
    beat scheduler inside it when ``beat``; in a process group of its own so ``kill()`` takes
    the main process and its pool processes at once, like a machine losing it."""

    def __init__(
        self,
        env: dict[str, str],
        *,
        log_path: Path,
        queues: tuple[str, ...] = ALL_QUEUES,
        beat: bool = False,
        concurrency: int = 2,
        schedule_path: Path | None = None,
    ) -> None:
        self.log_path = log_path
        command = [
            str(Path(sys.executable).with_name("celery")), "-A", "config", "worker",
            "-Q", ",".join(queues), "--concurrency", str(concurrency), "--loglevel", "INFO",
            "--without-gossip", "--without-mingle",
        ]  # fmt: skip
        if beat:
            schedule = schedule_path or log_path.with_suffix(".schedule")
            command += ["--beat", "--schedule", str(schedule)]
        self._log_start = log_path.stat().st_size if log_path.exists() else 0
        with log_path.open("a") as log:
            self.process = subprocess.Popen(
                command,
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def log(self) -> str:
        with self.log_path.open(errors="replace") as fh:
            fh.seek(self._log_start)
            return fh.read()

    def wait_ready(self, timeout: float = 90) -> Worker:
        def ready() -> bool:
            if not self.alive():
                raise StartError(f"the worker exited\n{log_tail(self.log_path)}")
            return " ready." in self.log()

        try:
            wait_until(ready, timeout=timeout, what="the Celery worker", interval=0.2)
        except TimeoutError as exc:
            raise StartError(f"{exc}\n{log_tail(self.log_path)}") from exc
        return self

    def kill(self) -> None:
        """``kill -9`` of the worker and its pool processes (its own process group)."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=20)
        self._reap_group()

    def pool_pids(self) -> list[int]:
        import psutil

        try:
            return [child.pid for child in psutil.Process(self.process.pid).children()]
        except psutil.NoSuchProcess:
            return []

    def kill_pool(self) -> list[int]:
        """``kill -9`` of the pool processes only (as the kernel's OOM killer takes the one
        running a task that ate the memory); the main process survives and starts others."""
        killed = []
        for pid in self.pool_pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
        return killed

    def stop(self) -> None:
        """Warm shutdown (SIGTERM); killed if it takes longer than 20 s."""
        if self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
        self.kill()

    def _reap_group(self) -> None:
        # Pool processes outlive a killed parent for a moment; they share its group id.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)


def manage(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    """Run ``manage.py <args>`` with ``env``; its output, or ``StartError`` when it fails."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise StartError(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


# --- one deployment: the servers, a database, the app's processes --------------------------------


# Settings this process may have been given for another deployment (a test run's database,
# broker, metrics directory …): the app's processes get none of them.
_APP_VARIABLES = (
    "TANDEM_", "CELERY_", "DJANGO_", "DATABASE_", "CACHE_", "PROMETHEUS_", "MEDIA_", "SECRET_",
    "ALLOWED_", "CSRF_", "SECURE_", "DEBUG", "LOG_", "CONN_",
)  # fmt: skip


def base_env(
    *, database_url: str, broker_url: str, work_dir: Path, secret_key: str
) -> dict[str, str]:
    """The environment of the app's processes: production settings (as an operator runs
    them, minus HTTPS) pointed at the private services, files under ``work_dir``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(_APP_VARIABLES)}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": secret_key,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "TANDEM_DATA_DIR": str(work_dir / "data"),
            "MEDIA_ROOT": str(work_dir / "media"),
            # Logins of the scenario's users all come from 127.0.0.1.
            "TANDEM_LOGIN_RATE": "1000/min",
            "TANDEM_LOGIN_USERNAME_RATE": "1000/hour",
            "TANDEM_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


@dataclass
class Stack:
    """A Tandem deployment on private PostgreSQL + Redis: ``start_web()``, ``start_worker()``,
    ``kill_worker()``; ``db()`` reads the database directly; ``admin()`` is the site admin's
    API client."""

    postgres: PrivatePostgres
    redis: PrivateRedis
    dbname: str
    work_dir: Path
    env_overrides: dict[str, str] = field(default_factory=dict)
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    web: Server | None = None
    workers: list[Worker] = field(default_factory=list)

    def env(self, **overrides: str) -> dict[str, str]:
        env = base_env(
            database_url=self.postgres.url(self.dbname),
            broker_url=self.redis.url(),
            work_dir=self.work_dir,
            secret_key=self.secret_key,
        )
        env.update(self.env_overrides)
        env.update(overrides)
        return env

    @property
    def worker(self) -> Worker | None:
        return self.workers[-1] if self.workers else None

    def start_web(self, *, workers: int = 2, threads: int = 4, **env: str) -> Server:
        self.web = Server(
            self.env(**env),
            workers=workers,
            threads=threads,
            log_path=self.work_dir / "web.log",
            log_level="info",
        )
        return self.web

    def start_worker(
        self, *, beat: bool = False, concurrency: int = 2, wait: bool = True, **env: str
    ) -> Worker:
        worker = Worker(
            # At INFO: the worker's "ready." line is how wait_ready() knows it is up.
            self.env(**{**env, "LOG_LEVEL": "INFO"}),
            log_path=self.work_dir / "worker.log",
            beat=beat,
            concurrency=concurrency,
            schedule_path=self.work_dir / "celerybeat-schedule",
        )
        self.workers.append(worker)
        return worker.wait_ready() if wait else worker

    def start_web_and_worker(self, *, beat: bool = False) -> Worker:
        """``start_web()`` and ``start_worker(beat=beat)`` at once: the worker boots while the
        web server does, and both are up when this returns."""
        worker = self.start_worker(beat=beat, wait=False)
        self.start_web()
        return worker.wait_ready()

    def kill_worker(self) -> None:
        if self.worker is not None:
            self.worker.kill()

    def api(self, token: str | None = None, *, bearer: str | None = None) -> Api:
        assert self.web is not None, "start_web() first"
        return Api(self.web.port, token=token, bearer=bearer)

    def login(self, username: str, password: str) -> Api:
        assert self.web is not None, "start_web() first"
        return Api.login(self.web.port, username, password)

    def admin(self) -> Api:
        return self.login(ADMIN_USERNAME, ADMIN_PASSWORD)

    @contextlib.contextmanager
    def db(self) -> Iterator[Any]:
        """A psycopg connection (autocommit) to the deployment's database."""
        conn = self.postgres.connect(self.dbname)
        try:
            yield conn
        finally:
            conn.close()

    def query(self, sql: str, params: tuple | list | None = None) -> list[tuple]:
        with self.db() as conn:
            return conn.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: tuple | list | None = None) -> Any:
        rows = self.query(sql, params)
        return rows[0][0] if rows else None

    def close(self) -> None:
        """Stop everything at once (nothing here needs a graceful shutdown)."""
        for worker in self.workers:
            worker.kill()
        if self.web is not None:
            self.web.stop(graceful=False)

    def logs(self, chars: int = 6000) -> str:
        parts = []
        for name in ("web.log", "worker.log"):
            tail = log_tail(self.work_dir / name, chars)
            if tail:
                parts.append(f"----- {name} (last {chars} characters) -----\n{tail}")
        return "\n".join(parts)


def template_database(postgres: PrivatePostgres, *, name: str = "tandem_template") -> str:
    """A migrated database with the site admin, to copy for each deployment (copies are fast;
    migrating is not)."""
    postgres.create_database(name)
    work = Path(tempfile.mkdtemp(prefix="tandem-template-"))
    try:
        env = base_env(
            database_url=postgres.url(name),
            broker_url="redis://127.0.0.1:1/0",
            work_dir=work,
            secret_key=secrets.token_urlsafe(48),
        )
        manage(env, "migrate", "--noinput")
        manage(
            {**env, "DJANGO_SUPERUSER_PASSWORD": ADMIN_PASSWORD},
            "createsuperuser", "--noinput", "--username", ADMIN_USERNAME,
            "--email", "admin@example.org",
        )  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return name
