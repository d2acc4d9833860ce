from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from bank.exchange import import_bank
from bank.models import BankVersion
from bank.services import publish

DEFAULT_BANK = Path(__file__).resolve().parents[2] / "data" / "default_bank.json"


class Command(BaseCommand):
    help = "Load and publish Relay's default question bank, unless a bank is already loaded."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        if BankVersion.objects.exists():
            self.stdout.write("A question bank is already loaded; leaving it as it is.")
            return
        version = publish(version=import_bank(DEFAULT_BANK.read_bytes()))
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded and published the default question bank {version.label} "
                f"({version.questions.count()} questions)."
            )
        )
