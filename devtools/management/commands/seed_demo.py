import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from devtools.demo import seed_demo
from devtools.demo_world import DEMO_PASSWORD, DEMO_WORKSPACES, METHODOLOGY_ADMIN
from devtools.scale import SCALE_OWNER, check_scale, seed_scale


class Command(BaseCommand):
    help = "Create (or refresh) the demo workspaces, people and clients. Development only."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--scale",
            type=int,
            metavar="N",
            help="Instead, build a workspace of N clients × 8 quarters × 5 respondents "
            "(replacing the previous one) to see Relay at scale.",
        )

    def handle(self, *args, scale: int | None = None, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates accounts with a published password, so it only runs with "
                "DEBUG on. It is for development and demos, never for production."
            )
        if scale is not None:
            self._seed_scale(scale)
            return
        seed_demo()
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Log in with:"))
        for spec in DEMO_WORKSPACES:
            for person in spec.people:
                self.stdout.write(
                    f"  {person.email:<26} {DEMO_PASSWORD}   "
                    f"{person.role.label.lower()} of {spec.name} ({spec.description})"
                )
        self.stdout.write(
            f"  {METHODOLOGY_ADMIN.email:<26} {DEMO_PASSWORD}   "
            "staff: edits the question bank at /admin/"
        )

    def _seed_scale(self, clients: int) -> None:
        try:
            check_scale(clients)
        except ValueError as problem:
            raise CommandError(str(problem)) from None
        started = time.perf_counter()
        built = seed_scale(clients=clients, password=DEMO_PASSWORD)
        self.stdout.write(
            self.style.SUCCESS(
                f"Built {built.workspace.name}: {built.clients} clients, {built.assessments} "
                f"assessments, {built.respondents} respondents, {built.answers} answers "
                f"in {time.perf_counter() - started:.1f} s."
            )
        )
        self.stdout.write(f"  Log in as {SCALE_OWNER} with {DEMO_PASSWORD}")
