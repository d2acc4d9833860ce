import json

from django.core.management.base import BaseCommand, CommandError

from bank.diff import diff_banks, diff_text
from bank.exchange import bank_data
from bank.models import BankVersion


class Command(BaseCommand):
    help = (
        "Show what bank version B changes against version A: questions added, removed, "
        "renamed, split or merged, and each changed field with its words marked."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("before", help="The older version's label, e.g. 2026.1.")
        parser.add_argument("after", help="The newer version's label, e.g. 2026.2.")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Write the diff as JSON."
        )

    def handle(self, *args, before: str, after: str, as_json: bool, **options) -> None:
        diff = diff_banks(bank_data(_version(before)), bank_data(_version(after)))
        if as_json:
            self.stdout.write(json.dumps(diff.as_dict(), indent=2, ensure_ascii=False))
        else:
            self.stdout.write(diff_text(diff), ending="")


def _version(label: str) -> BankVersion:
    version = BankVersion.objects.filter(label=label).first()
    if version is None:
        raise CommandError(f"No bank version is labelled {label!r}.")
    return version
