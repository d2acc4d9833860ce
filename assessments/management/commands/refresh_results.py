from django.core.management.base import BaseCommand

from assessments.models import Assessment, refresh_standings
from assessments.summaries import refresh_stale
from clients.models import Client


class Command(BaseCommand):
    help = (
        "Compute the results snapshots still marked stale (left by an older release or a bulk "
        "load), then every client's standing (the dashboard's row). Safe to run at every "
        "deploy, after migrate."
    )

    def handle(self, *args, **options):
        count = refresh_stale(Assessment.objects.all())
        self.stdout.write(f"Refreshed the results snapshots of {count} assessments.")
        standings = refresh_standings(Client.objects.values_list("pk", flat=True))
        self.stdout.write(f"Refreshed the standings of {standings} clients.")
