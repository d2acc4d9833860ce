from django.core.management.base import BaseCommand

from bank.services import load_default_bank


class Command(BaseCommand):
    help = (
        "Load and publish Relay's default question bank versions that the database does not "
        "hold yet (oldest first); the newest published version is the one new assessments use."
    )

    def handle(self, *args, **options) -> None:
        loaded = load_default_bank()
        if not loaded:
            self.stdout.write("The default question bank is loaded already; leaving it as it is.")
        for version in loaded:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded and published the default question bank {version.label} "
                    f"({version.questions.count()} questions)."
                )
            )
