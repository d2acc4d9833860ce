from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bank.exchange import BankFormatError, import_bank
from bank.services import PublicationError, publish


class Command(BaseCommand):
    help = (
        "Import a question bank JSON file as a new draft version (docs/question-bank-format.md). "
        "Nothing is saved if the file has any problem; every problem is listed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--label", help="Import under this label instead of the file's.")
        parser.add_argument(
            "--publish", action="store_true", help="Publish it too (it must then be complete)."
        )
        parser.add_argument(
            "--changelog",
            default="",
            help="With --publish: the changelog note the methodology page shows.",
        )

    def handle(
        self, *args, file: Path, label: str | None, publish: bool, changelog: str, **options
    ) -> None:
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        try:
            version = self._import(content, label=label, and_publish=publish, changelog=changelog)
        except BankFormatError as error:
            raise CommandError(_listing(f"{file} was not imported:", error.errors)) from None
        except PublicationError as error:
            raise CommandError(
                _listing(f"{file} is not complete enough to publish:", error.problems)
            ) from None
        state = "published" if version.is_published else "a draft"
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {version.label} ({version.questions.count()} questions), {state}."
            )
        )

    @transaction.atomic
    def _import(self, content: bytes, *, label: str | None, and_publish: bool, changelog: str):
        version = import_bank(content, label=label)
        return publish(version=version, changelog=changelog) if and_publish else version


def _listing(title: str, lines: list[str]) -> str:
    return "\n".join([title, *(f"  - {line}" for line in lines)])
