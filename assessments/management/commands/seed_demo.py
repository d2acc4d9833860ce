from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from assessments.demo import DEMO_PASSWORD, DEMO_WORKSPACES, METHODOLOGY_ADMIN, seed_demo


class Command(BaseCommand):
    help = "Create (or refresh) the demo workspaces, people and clients. Development only."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates accounts with a published password, so it only runs with "
                "DEBUG on. It is for development and demos, never for production."
            )
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
