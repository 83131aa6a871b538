"""Drop-in visits, the topics they are about, and the intake needs assessment."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from casework.models.clients import Client, Language
from core.fields import EncryptedLongTextField, EncryptedTextField
from core.models import Site
from core.models.keys import DataKey

# The topics a new installation starts with (code, name). Names are marked for translation
# here so that `Topic.__str__` can translate the seeded ones; coordinators add their own.
SEEDED_TOPICS = [
    ("health", gettext_noop("Health")),
    ("dental", gettext_noop("Dental")),
    ("legal", gettext_noop("Legal / residence")),
    ("labour", gettext_noop("Labour rights")),
    ("housing", gettext_noop("Housing")),
    ("food", gettext_noop("Food / material aid")),
    ("school", gettext_noop("School / children")),
    ("psychosocial", gettext_noop("Psychosocial")),
    ("debt", gettext_noop("Debt / bills")),
    ("address", gettext_noop("Address / mail")),
    ("other", gettext_noop("Other")),
]


class Topic(models.Model):
    """What a visit was about. Coarse on purpose: topics feed the monthly statistics."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveSmallIntegerField(_("position in lists"), default=100)
    is_active = models.BooleanField(
        _("offered on new visits"),
        default=True,
        help_text=_("Retired topics stay on old visits and in statistics."),
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        # Seeded names have translations; a coordinator's own name comes back unchanged.
        return gettext(self.name)


class Outcome(models.TextChoices):
    NOT_STATED = "", _("Not stated")
    ADVICE = "advice", _("Information or advice given")
    MATERIAL = "material", _("Material aid given")
    REFERRED = "referred", _("Referred elsewhere")
    FOLLOW_UP = "follow-up", _("Needs follow-up")
    RESOLVED = "resolved", _("Resolved")
    NO_HELP = "no-help", _("Could not help")


class Accompaniment(models.TextChoices):
    """Where a volunteer went along with the person. Where exactly goes in the encrypted detail."""

    NONE = "", _("No accompaniment")
    DOCTOR = "doctor", _("Doctor or clinic")
    HOSPITAL = "hospital", _("Hospital")
    DENTIST = "dentist", _("Dentist")
    LAWYER = "lawyer", _("Lawyer or legal advice")
    AUTHORITY = "authority", _("Authority or public office")
    SCHOOL = "school", _("School")
    HOUSING = "housing", _("Landlord or housing office")
    OTHER = "other", _("Other")


class FollowUpKind(models.TextChoices):
    CALL_BACK = "call", _("Call back")
    SEE_AGAIN = "see", _("See again")


class FollowUpFor(models.TextChoices):
    ME = "me", _("Me")
    SITE = "site", _("The team at this site")


class Visit(models.Model):
    """One drop-in visit: who came, where, what about, what came of it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="visits")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="+", verbose_name=_("site")
    )
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("counsellor"),
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="visits", verbose_name=_("topics")
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), null=True, blank=True, validators=[MaxValueValidator(720)]
    )
    language = models.ForeignKey(
        Language,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("language spoken"),
    )
    interpreter_used = models.BooleanField(_("an interpreter was used"), default=False)
    notes = EncryptedLongTextField(_("notes"), plaintext_max_length=5000)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    accompaniment = models.CharField(
        _("accompaniment"), max_length=12, choices=Accompaniment.choices, blank=True
    )
    accompaniment_detail = EncryptedTextField(
        _("accompaniment: with whom, where"), plaintext_max_length=300
    )
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    follow_up_kind = models.CharField(
        _("follow-up"), max_length=4, choices=FollowUpKind.choices, blank=True
    )
    follow_up_about = EncryptedTextField(_("follow up about"), plaintext_max_length=300)
    follow_up_for = models.CharField(
        _("remind"), max_length=4, choices=FollowUpFor.choices, default=FollowUpFor.ME
    )

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-date", "-created_at"]
        indexes = [
            models.Index(fields=["site", "date"], name="casework_visit_site_date"),
            models.Index(fields=["client", "-date"], name="casework_visit_client_date"),
            # Reports and the coordinators' today's list ask for a date range over every site.
            models.Index(fields=["date"], name="casework_visit_date"),
        ]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")

    def __str__(self) -> str:
        return f"visit {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("casework:visit_edit", args=[self.pk])

    def get_data_key(self) -> DataKey:
        return self.client.get_data_key()

    @property
    def follow_up_dedupe_key(self) -> str:
        return f"casework.visit.follow_up:{self.pk}"


class Housing(models.TextChoices):
    NOT_STATED = "", _("Not stated")
    STABLE = "stable", _("Own or rented room or flat")
    FAMILY = "family", _("Staying with family or friends")
    CROWDED = "crowded", _("Shared, overcrowded or precarious")
    SHELTER = "shelter", _("Shelter or emergency housing")
    STREET = "street", _("No shelter (street)")
    OTHER = "other", _("Other")


class HealthCoverage(models.TextChoices):
    NOT_STATED = "", _("Not stated")
    NONE = "none", _("None")
    INSURED = "insured", _("Health insurance")
    EMERGENCY = "emergency", _("Emergency care only")
    FUND = "fund", _("Covered by a fund or an organisation")
    OTHER = "other", _("Other")


class Income(models.TextChoices):
    NOT_STATED = "", _("Not stated")
    NONE = "none", _("No income")
    IRREGULAR = "irregular", _("Irregular or informal work")
    REGULAR = "regular", _("Regular work")
    SUPPORT = "support", _("Support from family, friends or a charity")
    OTHER = "other", _("Other")


class UrgentNeed(models.TextChoices):
    SHELTER = "shelter", _("Shelter tonight")
    FOOD = "food", _("Food")
    MEDICAL = "medical", _("Medical care")
    SAFETY = "safety", _("Safety (violence, exploitation)")
    LEGAL = "legal", _("Legal deadline")
    CLOTHING = "clothing", _("Clothing or hygiene")


class NeedsAssessment(models.Model):
    """The needs assessed at intake, or again later.

    Never edited in place: a re-assessment is a new dated row, so the history shows how a
    person's situation changed.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="needs_assessments")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="+", verbose_name=_("site")
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("assessed by"),
    )
    assessed_on = models.DateField(_("assessed on"), default=timezone.localdate)
    housing = models.CharField(
        _("housing situation"), max_length=10, choices=Housing.choices, blank=True
    )
    health_coverage = models.CharField(
        _("health coverage"), max_length=10, choices=HealthCoverage.choices, blank=True
    )
    income = models.CharField(_("income"), max_length=10, choices=Income.choices, blank=True)
    # A short list of UrgentNeed codes.
    urgent_needs = models.JSONField(_("urgent needs"), default=list, blank=True)
    notes = EncryptedLongTextField(_("notes"), plaintext_max_length=2000)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-assessed_on", "-created_at"]
        verbose_name = _("needs assessment")
        verbose_name_plural = _("needs assessments")

    def __str__(self) -> str:
        return f"needs assessment {self.pk}"

    def get_data_key(self) -> DataKey:
        return self.client.get_data_key()

    @property
    def urgent_need_labels(self) -> list[str]:
        labels = dict(UrgentNeed.choices)
        return [str(labels[code]) for code in self.urgent_needs if code in labels]
