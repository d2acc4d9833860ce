from django.core.management.base import BaseCommand
from django.db import connection

from assessments import benchmarks


class Command(BaseCommand):
    help = "Measure Relay's speed against baselines in the same run (on a throwaway database)."

    def handle(self, *args, **options) -> None:
        old_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        try:
            figures = benchmarks.run()
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        self.stdout.write(benchmarks.table(figures))
        if any(figure.met is False for figure in figures):
            self.stdout.write(self.style.WARNING("Some targets were missed (see above)."))
