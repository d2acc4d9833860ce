from django.core.management.base import BaseCommand

from assessments import reminders


class Command(BaseCommand):
    help = (
        "Send the scheduled reminders due now (three days before each open assessment's "
        "deadline, and on the day). The background worker sends them at their times; this runs "
        "the same sweep, safe to repeat: e.g. hourly from cron, or where tasks run immediately."
    )

    def handle(self, *args, **options):
        sent = reminders.sweep()
        self.stdout.write(f"Sent {sent} scheduled reminder{'s' * (sent != 1)}.")
