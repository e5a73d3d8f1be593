"""Start Tandem on a laptop: migrate, make sure an admin and the demos exist, run web + worker.

It lives in the moderation app, the top of the apps' layers, because it makes both demos: the
SpamAssassin labeling project and the moderation demo (``moderation.services.demo``). The
command name (``manage.py runtandem``, ``make run``) is all anyone else depends on.
"""

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from core.net import BIND_REFUSED_MESSAGE, bind_is_loopback
from labeling.selectors.projects import project_named
from labeling.services.demo import DEMO_PROJECT_NAME, DemoUnavailable, demo_project_create
from moderation.services.demo import ModerationDemoUnavailable, moderation_demo_ensure


class Command(BaseCommand):
    help = "Migrate, create an admin and the demos, then serve on 127.0.0.1:8000 with a worker."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--no-demo", action="store_true", help="Skip both demos.")
        parser.add_argument(
            "--no-spam-demo", action="store_true", help="Skip the SpamAssassin labeling demo."
        )
        parser.add_argument(
            "--no-moderation-demo", action="store_true", help="Skip the moderation demo."
        )
        parser.add_argument("--no-serve", action="store_true", help="Set up, then exit.")

    def handle(
        self,
        *args,
        bind: str,
        no_demo: bool,
        no_spam_demo: bool,
        no_moderation_demo: bool,
        no_serve: bool,
        **options,
    ):
        if settings.TANDEM_LOOPBACK_ONLY and not bind_is_loopback(bind):
            raise CommandError(BIND_REFUSED_MESSAGE.format(bind=bind))
        call_command("migrate", interactive=False, verbosity=0)
        admin, password = self._ensure_admin()
        if not (no_demo or no_spam_demo):
            self._ensure_demo(admin)
        if not (no_demo or no_moderation_demo):
            self._ensure_moderation_demo(admin)
        host = bind if "://" in bind else f"http://{bind}"
        self.stdout.write(self.style.SUCCESS(f"\nTandem: {host}/"))
        self.stdout.write(f"  log in as: {admin.username}")
        self.stdout.write(
            f"  password:  {password}  (also in {settings.DATA_DIR / 'admin-password.txt'})"
        )
        self.stdout.write(f"  API docs:  {host}/api/docs/\n")
        if not no_serve:
            self._serve(bind)

    def _ensure_admin(self):
        User = get_user_model()
        password_file = settings.DATA_DIR / "admin-password.txt"
        admin = User.objects.filter(username="admin").first()
        if admin is None:
            password = secrets.token_urlsafe(12)
            admin = User.objects.create_superuser("admin", "admin@localhost", password)
            password_file.write_text(password + "\n")
            password_file.chmod(0o600)
        else:
            password = (
                password_file.read_text().strip() if password_file.exists() else "(unchanged)"
            )
        return admin, password

    def _ensure_demo(self, admin):
        if project_named(name=DEMO_PROJECT_NAME) is not None:
            return
        self.stdout.write("Creating the demo project from the SpamAssassin public corpus…")
        try:
            project, job = demo_project_create(admin=admin, work_dir=settings.DATA_DIR / "demo")
        except DemoUnavailable as exc:
            self.stdout.write(self.style.WARNING(f"No demo project: {exc} Starting without it."))
            return
        self.stdout.write(f"  project {project.pk}: import {job.pk} queued for the worker")

    def _ensure_moderation_demo(self, admin):
        self.stdout.write("Making sure the moderation demo (Davidson tweets) is ready…")
        try:
            demo = moderation_demo_ensure(
                admin=admin,
                csv_path=settings.TANDEM_DEMO_DAVIDSON_CSV,
                work_dir=settings.DATA_DIR / "demo" / "moderation",
            )
        except ModerationDemoUnavailable as exc:
            self.stdout.write(self.style.WARNING(f"No moderation demo: {exc} Starting without it."))
            return
        states = ", ".join(f"{n} {state}" for state, n in sorted(demo.states.items()))
        self.stdout.write(
            f"  policy {demo.policy.pk} {demo.policy.name!r}, platform {demo.platform.name!r}: "
            f"{states}"
        )
        if demo.new_api_key:
            self.stdout.write(f"  platform API key (shown only now): {demo.new_api_key}")
        else:
            self.stdout.write(
                "  platform API key: shown only when made; make another on the Platforms page, "
                f"or POST /api/v1/moderation/platforms/{demo.platform.pk}/keys/"
            )

    def _serve(self, bind: str) -> None:
        from core.observability.multiprocess import metrics_dir_clean, metrics_dir_prepare

        # The web server and the worker write their metric samples to one directory, so one
        # scrape of /metrics sees both; samples of an earlier run would add to this one's.
        metrics_dir = metrics_dir_prepare()
        metrics_dir_clean(metrics_dir)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get(
                "DJANGO_SETTINGS_MODULE", "config.settings.local"
            ),
            "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
            # gunicorn's master reads it before any settings load (config/gunicorn.py).
            "TANDEM_LOG_FORMAT": settings.TANDEM_LOG_FORMAT,
        }
        bin_dir = Path(sys.executable).parent
        # With JSON logs, the worker's startup banner (not a log line) is left out.
        quiet = ["--quiet"] if settings.TANDEM_LOG_FORMAT == "json" else []
        worker = subprocess.Popen(
            [
                str(bin_dir / "celery"),
                "-A",
                "config",
                *quiet,
                "worker",
                "--beat",
                "-Q",
                "default,embeddings,training,webhooks",
                "--concurrency",
                "2",
                "--loglevel",
                "INFO",
                "--schedule",
                str(settings.DATA_DIR / "celerybeat-schedule"),
            ],
            env=env,
        )
        web = subprocess.Popen(
            [
                str(bin_dir / "gunicorn"),
                "config.wsgi",
                "--config",
                str(settings.BASE_DIR / "config" / "gunicorn.py"),
                "--bind",
                bind,
                "--workers",
                "2",
                "--threads",
                "4",
            ],
            env=env,
        )
        children = [web, worker]

        def stop(*_):
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            stop()
            for child in children:
                try:
                    child.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    # A long task (an embedding job) would hold a warm shutdown for minutes;
                    # acks_late puts it back on the queue for the next start.
                    child.kill()
                    child.wait()
