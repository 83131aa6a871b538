from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Accounts, audit and encryption"

    def ready(self) -> None:
        from core import signals  # noqa: F401  (connects the audit receivers)
