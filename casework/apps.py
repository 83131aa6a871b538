from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = "Casework"

    def ready(self) -> None:
        from casework.timeline import register_casework_sources
        from casework.timeline_addresses import register_address_sources

        register_casework_sources()
        register_address_sources()
