from django.core.management.base import BaseCommand

from assessments.models import Assessment
from assessments.summaries import refresh_stale


class Command(BaseCommand):
    help = (
        "Compute the results snapshots still marked stale (left by an older release or a bulk "
        "load). Safe to run at every deploy, after migrate."
    )

    def handle(self, *args, **options):
        count = refresh_stale(Assessment.objects.all())
        self.stdout.write(f"Refreshed the results snapshots of {count} assessments.")
