from pathlib import Path

from django.core.management.base import BaseCommand

from devtools.crm_samples import SAMPLES, write_samples


class Command(BaseCommand):
    help = (
        "Write the sample HubSpot, Salesforce and Pipedrive exports into docs/samples/ "
        "(deterministic: the same files every time)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--to", type=Path, default=SAMPLES, help="folder (docs/samples/)")

    def handle(self, *args, to: Path, **options) -> None:
        for path in write_samples(to):
            self.stdout.write(f"Wrote {path}")
