from django.db import migrations

TOPICS = [
    ("health", "Health"),
    ("dental", "Dental"),
    ("legal", "Legal / residence"),
    ("labour", "Labour rights"),
    ("housing", "Housing"),
    ("food", "Food / material aid"),
    ("school", "School / children"),
    ("psychosocial", "Psychosocial"),
    ("debt", "Debt / bills"),
    ("address", "Address / mail"),
    ("other", "Other"),
]


def seed(apps, schema_editor):
    Topic = apps.get_model("casework", "Topic")
    for position, (code, name) in enumerate(TOPICS, start=1):
        Topic.objects.get_or_create(code=code, defaults={"name": name, "position": position * 10})
    # Clients registered before site links existed are known at their registration site.
    Client = apps.get_model("casework", "Client")
    ClientSite = apps.get_model("casework", "ClientSite")
    ClientSite.objects.bulk_create(
        [
            ClientSite(client_id=client_id, site_id=site_id)
            for client_id, site_id in Client.objects.values_list("id", "registered_site_id")
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("casework", "0004_visits_needs_reminders")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
