"""Anonymous clients and the reference data that describes them coarsely."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from casework import codes
from core.crypto import KeyDestroyed
from core.fields import (
    BlindIndexField,
    EncryptedDateField,
    EncryptedLongTextField,
    EncryptedTextField,
)
from core.models import Site
from core.models.keys import DataKey


class Gender(models.TextChoices):
    NOT_STATED = "", _("Not stated")
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    DIVERSE = "diverse", _("Non-binary / diverse")


class AgeBand(models.TextChoices):
    NOT_STATED = "", _("Not stated")
    UNDER_18 = "0-17", _("Under 18")
    FROM_18 = "18-24", _("18-24")
    FROM_25 = "25-34", _("25-34")
    FROM_35 = "35-44", _("35-44")
    FROM_45 = "45-54", _("45-54")
    FROM_55 = "55-64", _("55-64")
    FROM_65 = "65+", _("65 and over")

    @classmethod
    def for_birth_year(cls, year: int, today: date | None = None) -> AgeBand:
        """The band of someone born in `year`, as of today (age this year, to the year)."""
        age = (today or timezone.localdate()).year - year
        for band, lower in (
            (cls.FROM_65, 65),
            (cls.FROM_55, 55),
            (cls.FROM_45, 45),
            (cls.FROM_35, 35),
            (cls.FROM_25, 25),
            (cls.FROM_18, 18),
        ):
            if age >= lower:
                return band
        return cls.UNDER_18


class Region(models.TextChoices):
    """World region of origin: deliberately coarse, never a country."""

    NOT_STATED = "", _("Not stated")
    NORTH_AFRICA = "north-africa", _("North Africa")
    WEST_AFRICA = "west-africa", _("West Africa")
    CENTRAL_AFRICA = "central-africa", _("Central Africa")
    EAST_AFRICA = "east-africa", _("East Africa / Horn of Africa")
    SOUTHERN_AFRICA = "southern-africa", _("Southern Africa")
    MIDDLE_EAST = "middle-east", _("Middle East")
    CENTRAL_ASIA = "central-asia", _("Central Asia")
    SOUTH_ASIA = "south-asia", _("South Asia")
    EAST_ASIA = "east-asia", _("East and South-East Asia")
    EASTERN_EUROPE = "eastern-europe", _("Eastern Europe and the Balkans")
    EUROPE = "europe", _("Rest of Europe")
    LATIN_AMERICA = "latin-america", _("Latin America and the Caribbean")
    NORTH_AMERICA_OCEANIA = "north-america-oceania", _("North America and Oceania")


class Interpreter(models.TextChoices):
    NOT_STATED = "", _("Not stated")
    NEEDED = "yes", _("Needs an interpreter")
    NOT_NEEDED = "no", _("No interpreter needed")


# The names seeded by migration 0002, marked so that the catalogues translate them. A language
# added later in the admin shows under the name it was given.
SEEDED_LANGUAGE_NAMES = (
    gettext_noop("Amharic"),
    gettext_noop("Arabic"),
    gettext_noop("Bengali"),
    gettext_noop("Bulgarian"),
    gettext_noop("Bosnian / Croatian / Serbian"),
    gettext_noop("Chinese"),
    gettext_noop("Dari"),
    gettext_noop("English"),
    gettext_noop("Farsi"),
    gettext_noop("French"),
    gettext_noop("German"),
    gettext_noop("Hausa"),
    gettext_noop("Hindi"),
    gettext_noop("Italian"),
    gettext_noop("Kurdish"),
    gettext_noop("Lingala"),
    gettext_noop("Macedonian"),
    gettext_noop("Pashto"),
    gettext_noop("Portuguese"),
    gettext_noop("Romanian"),
    gettext_noop("Romani"),
    gettext_noop("Russian"),
    gettext_noop("Somali"),
    gettext_noop("Spanish"),
    gettext_noop("Albanian"),
    gettext_noop("Swahili"),
    gettext_noop("Tagalog"),
    gettext_noop("Tamil"),
    gettext_noop("Thai"),
    gettext_noop("Tigrinya"),
    gettext_noop("Turkish"),
    gettext_noop("Ukrainian"),
    gettext_noop("Urdu"),
    gettext_noop("Vietnamese"),
    gettext_noop("Wolof"),
    gettext_noop("Other"),
)


class Language(models.Model):
    """A language people speak (reference data, seeded by migration)."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        ordering = ["name"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self) -> str:
        return gettext(self.name)


class Client(models.Model):
    """A person the organisation serves: a pseudonym and a client code, nothing more required.

    Identity fields are optional and encrypted under the client's own data key. Coarse
    attributes (gender, age band, region, languages) stay readable for statistics, and stay
    after the person is erased. There is no field for immigration status, and there must never
    be one.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # NULL once the person is erased, so an old card no longer points at the record.
    code = models.CharField(  # noqa: DJ001 (NULL, not "", so that many erased rows stay unique)
        _("client code"), max_length=codes.LENGTH, unique=True, null=True
    )
    # No database constraint: the key table is backed up apart from the data (see DataKey).
    data_key = models.ForeignKey(
        DataKey,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )

    pseudonym = EncryptedTextField(_("pseudonym"), plaintext_max_length=100)
    name = EncryptedTextField(_("name(s)"), plaintext_max_length=200)
    name_index = BlindIndexField(source="name", kind="name")
    date_of_birth = EncryptedDateField(_("date of birth"))
    date_of_birth_index = BlindIndexField(source="date_of_birth", kind="date")
    phone = EncryptedTextField(_("phone"), plaintext_max_length=40)
    phone_index = BlindIndexField(source="phone", kind="phone")
    contact_notes = EncryptedLongTextField(_("contact notes"), plaintext_max_length=2000)

    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    age_band = models.CharField(_("age band"), max_length=6, choices=AgeBand.choices, blank=True)
    region = models.CharField(
        _("world region of origin"), max_length=24, choices=Region.choices, blank=True
    )
    languages = models.ManyToManyField(
        Language, blank=True, related_name="clients", verbose_name=_("languages spoken")
    )
    interpreter = models.CharField(
        _("interpreter"), max_length=3, choices=Interpreter.choices, blank=True
    )

    registered_at = models.DateTimeField(_("registered"), default=timezone.now)
    registered_site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="+", verbose_name=_("registered at")
    )
    # Drives retention: people not seen for the retention period are erased.
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now, db_index=True)
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)
    # Set (with erased_at) on a duplicate merged into another record: its code still leads to
    # the person, everything else moved or was shredded with its data key.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("merged into"),
    )
    # Optimistic concurrency: a save based on an old version is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-last_seen_at"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")

    def __str__(self) -> str:
        # Never personal data: this string can end up in logs and admin pages.
        return f"client {codes.display(self.code)}" if self.code else "erased client"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding and self.data_key_id is None and self.erased_at is None:
            self.data_key = DataKey.generate()
        if not self._state.adding or self.code:
            super().save(*args, **kwargs)
            return
        # A fresh code collides with an existing one rarely (29^5 codes); draw again if so.
        for _attempt in range(10):
            self.code = codes.generate()
            try:
                with transaction.atomic():
                    super().save(*args, **kwargs)
                return
            except IntegrityError:
                if not Client.objects.filter(code=self.code).exists():
                    raise
        raise IntegrityError("Could not find a free client code.")

    @property
    def display_code(self) -> str:
        return codes.display(self.code) if self.code else ""

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    def get_data_key(self) -> DataKey:
        if self.data_key_id is None:
            raise KeyDestroyed("This client's data key was destroyed.")
        try:
            key: DataKey | None = self.data_key
        except DataKey.DoesNotExist:
            key = None
        # Without a database constraint, a missing key row reads as None through a join.
        if key is None:
            raise KeyDestroyed("This client's data key was destroyed.")
        return key


class ClientSite(models.Model):
    """That a client has been seen at (or registered at) a site.

    Denormalised from visits and registration so that "clients a counsellor may see" is one
    indexed EXISTS, not a scan of a million visits. Maintained by the services that log visits
    and register clients; other apps that serve a client at a site call `link()` too.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="site_links")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    first_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "site"], name="casework_client_site_once")
        ]
        verbose_name = _("client seen at site")
        verbose_name_plural = _("clients seen at sites")

    def __str__(self) -> str:
        return f"client {self.client_id} at site {self.site_id}"

    @classmethod
    def link(cls, client: Client, site: Site) -> None:
        ClientSite.objects.bulk_create(
            [ClientSite(client=client, site=site)], ignore_conflicts=True
        )

    @classmethod
    def merge_clients(cls, *, duplicate: Client, survivor: Client) -> None:
        """Client merge hook: the survivor is known wherever either of them was seen."""
        known = cls.objects.filter(client=survivor).values_list("site_id", flat=True)
        cls.objects.filter(client=duplicate, site_id__in=list(known)).delete()
        cls.objects.filter(client=duplicate).update(client=survivor)
