from django.db import migrations

# Languages often met at drop-ins in Western Europe; coordinators can add more in the admin.
LANGUAGES = [
    ("am", "Amharic"), ("ar", "Arabic"), ("bn", "Bengali"), ("bg", "Bulgarian"),
    ("bs-hr-sr", "Bosnian / Croatian / Serbian"), ("zh", "Chinese"), ("prs", "Dari"),
    ("en", "English"), ("fa", "Farsi"), ("fr", "French"), ("de", "German"), ("ha", "Hausa"),
    ("hi", "Hindi"), ("it", "Italian"), ("ku", "Kurdish"), ("ln", "Lingala"), ("mk", "Macedonian"),
    ("ps", "Pashto"), ("pt", "Portuguese"), ("ro", "Romanian"), ("rom", "Romani"),
    ("ru", "Russian"), ("so", "Somali"), ("es", "Spanish"), ("sq", "Albanian"),
    ("sw", "Swahili"), ("tl", "Tagalog"), ("ta", "Tamil"), ("th", "Thai"), ("ti", "Tigrinya"),
    ("tr", "Turkish"), ("uk", "Ukrainian"), ("ur", "Urdu"), ("vi", "Vietnamese"), ("wo", "Wolof"),
    ("other", "Other"),
]


def seed(apps, schema_editor):
    Language = apps.get_model("casework", "Language")
    for code, name in LANGUAGES:
        Language.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("casework", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
