import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from devtools import benchmarks, loadtest
from devtools.scale import check_scale
from devtools.services import PostgresServer


class Command(BaseCommand):
    help = (
        "Measure Relay's speed at scale against baselines in the same run, then load it with "
        "gunicorn and wrk (on a throwaway database)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--scale", type=int, default=500, metavar="N", help="clients of scale data (500)"
        )
        parser.add_argument(
            "--no-load", action="store_true", help="skip the gunicorn and wrk load test"
        )
        parser.add_argument(
            "--load-on-postgres",
            action="store_true",
            help="only the load test, on a throwaway PostgreSQL server with 4 workers",
        )
        parser.add_argument("--load-only", action="store_true", help=argparse.SUPPRESS)

    def handle(
        self, *args, scale: int, no_load: bool, load_on_postgres: bool, load_only: bool, **options
    ) -> None:
        try:
            check_scale(scale)
        except ValueError as problem:
            raise CommandError(str(problem)) from None
        if load_on_postgres:
            self._on_postgres(scale)
            return
        with tempfile.TemporaryDirectory(prefix="relay-bench-") as folder:
            old_name = connection.settings_dict["NAME"]
            if connection.vendor == "sqlite":
                # A file, not memory: the load test's gunicorn workers open it too.
                connection.settings_dict["TEST"]["NAME"] = str(Path(folder) / "bench.sqlite3")
            connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
            try:
                if load_only:
                    missed = self._load_test(benchmarks.prepare(scale=scale), loadtest.PRODUCTION)
                else:
                    figures, scene = benchmarks.run(scale=scale)
                    self.stdout.write(benchmarks.table(figures))
                    missed = any(figure.met is False for figure in figures)
                    if not no_load:
                        missed |= self._load_test(scene, loadtest.DEVELOPMENT)
            finally:
                connection.creation.destroy_test_db(old_name, verbosity=0)
        if missed:
            self.stdout.write(self.style.WARNING("Some targets were missed (see above)."))

    def _load_test(self, scene, setup: loadtest.Setup) -> bool:
        """Run the load test; return whether a target was missed."""
        self.stdout.write("")
        if not loadtest.wrk_available():
            self.stdout.write(self.style.WARNING("Load test skipped: wrk is not installed."))
            return True
        loads, targets = loadtest.run(scene, setup)
        self.stdout.write(loadtest.table(loads, targets, setup))
        return not all(target.met for target in targets)

    def _on_postgres(self, scale: int) -> None:
        """This command again, load test only, against a PostgreSQL server of its own (always
        stopped): the database connection is set when the process starts."""
        server = PostgresServer().start()
        try:
            env = {**os.environ, "DATABASE_URL": server.url}
            command = [sys.executable, "manage.py", "bench", "--scale", str(scale), "--load-only"]
            finished = subprocess.run(command, env=env, check=False)  # noqa: S603
        finally:
            server.stop()
        if finished.returncode:
            raise CommandError("The load test on PostgreSQL failed (see above).")
