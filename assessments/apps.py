from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Clients and assessments"

    def ready(self) -> None:
        from assessments import checks  # noqa: F401 - registers the system checks
