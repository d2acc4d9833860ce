from django.core.management.base import BaseCommand

from bank.services import load_default_bank


class Command(BaseCommand):
    help = "Load and publish Relay's default question bank, unless a bank is already loaded."

    def handle(self, *args, **options) -> None:
        version = load_default_bank()
        if version is None:
            self.stdout.write("A question bank is already loaded; leaving it as it is.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded and published the default question bank {version.label} "
                f"({version.questions.count()} questions)."
            )
        )
