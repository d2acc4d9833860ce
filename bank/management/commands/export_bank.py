from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bank.exchange import export_bank
from bank.models import BankVersion


class Command(BaseCommand):
    help = "Write a question bank version as JSON (the newest published one by default)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--label", help="The version to export, e.g. 2026.1.")
        parser.add_argument("--output", "-o", type=Path, help="A file to write; default stdout.")

    def handle(self, *args, label: str | None, output: Path | None, **options) -> None:
        if label:
            version = BankVersion.objects.filter(label=label).first()
            if version is None:
                raise CommandError(f"No bank version is labelled {label!r}.")
        else:
            version = BankVersion.objects.current()
            if version is None:
                raise CommandError("No published bank version yet; name one with --label.")
        text = export_bank(version)
        if output:
            output.write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {version.label} to {output}.")
        else:
            self.stdout.write(text, ending="")
