"""The directory of trusted providers: doctors, hospitals, dentists, lawyers and the like.

Providers are professionals, not clients: nothing here is personal data of the people the
organisation serves, so nothing is encrypted and the directory may be exported.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models import Language


class ProviderKind(models.TextChoices):
    GENERAL_PRACTITIONER = "gp", _("General practitioner")
    SPECIALIST = "specialist", _("Specialist")
    HOSPITAL = "hospital", _("Hospital")
    DENTAL = "dental", _("Dental")
    GYNAECOLOGY = "gynaecology", _("Gynaecology / midwifery")
    PHARMACY = "pharmacy", _("Pharmacy")
    LABORATORY = "laboratory", _("Laboratory")
    PSYCHOTHERAPY = "psychotherapy", _("Psychotherapy")
    LEGAL = "legal", _("Legal advice")
    SOCIAL = "social", _("Social service")
    OTHER = "other", _("Other")


class Acceptance(models.TextChoices):
    """What a provider accepts as payment. A provider may accept several."""

    PRO_BONO = "pro-bono", _("Pro bono")
    FUND_PAID = "fund-paid", _("Paid by a fund")
    REDUCED_FEE = "reduced-fee", _("Reduced fee")
    INSURANCE = "insurance", _("Health insurance")

    @property
    def field_name(self) -> str:
        return ACCEPTANCE_FIELDS[self]


# Each acceptance is a boolean column, so that filtering is a plain indexed-free WHERE that
# works the same on SQLite and PostgreSQL.
ACCEPTANCE_FIELDS = {
    Acceptance.PRO_BONO: "accepts_pro_bono",
    Acceptance.FUND_PAID: "accepts_fund_paid",
    Acceptance.REDUCED_FEE: "accepts_reduced_fee",
    Acceptance.INSURANCE: "accepts_insurance",
}


class Speciality(models.Model):
    """A free tag such as "cardiology" or "asylum law"; coordinators add them as they go."""

    name = models.CharField(_("name"), max_length=80)

    class Meta:
        ordering = ["name"]
        verbose_name = _("speciality")
        verbose_name_plural = _("specialities")
        constraints = [
            models.UniqueConstraint(Lower("name"), name="referrals_speciality_name_ci_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def for_names(cls, names: list[str]) -> list[Speciality]:
        """The specialities with these names (any case), created where missing.

        Matched in Python with casefold, because SQLite's case-insensitive comparison only
        knows ASCII; the table is small.
        """
        known = {s.name.casefold(): s for s in cls.objects.all()}
        found: list[Speciality] = []
        for name in names:
            key = name.casefold()
            if key not in known:
                known[key] = cls.objects.create(name=name)
            found.append(known[key])
        return found


class ProviderQuerySet(models.QuerySet["Provider"]):
    def search(self, text: str) -> ProviderQuerySet:
        """Providers whose name, address or a speciality contains `text`."""
        text = text.strip()
        if not text:
            return self
        by_speciality = Provider.specialities.through.objects.filter(
            provider_id=models.OuterRef("pk"), speciality__name__icontains=text
        )
        return self.filter(
            models.Q(name__icontains=text)
            | models.Q(address__icontains=text)
            | models.Exists(by_speciality)
        )

    def accepting(self, acceptance: Acceptance) -> ProviderQuerySet:
        return self.filter(**{acceptance.field_name: True})

    def for_listing(self) -> ProviderQuerySet:
        return self.prefetch_related("specialities", "languages")


class Provider(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ProviderKind.choices)
    specialities = models.ManyToManyField(
        Speciality, blank=True, related_name="providers", verbose_name=_("specialities")
    )
    languages = models.ManyToManyField(
        Language, blank=True, related_name="providers", verbose_name=_("languages spoken")
    )
    contact_person = models.CharField(_("contact person"), max_length=200, blank=True)
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    accepts_pro_bono = models.BooleanField(_("pro bono"), default=False)
    accepts_fund_paid = models.BooleanField(_("paid by a fund"), default=False)
    accepts_reduced_fee = models.BooleanField(_("reduced fee"), default=False)
    accepts_insurance = models.BooleanField(_("health insurance"), default=False)
    availability = models.CharField(
        _("availability"),
        max_length=200,
        blank=True,
        help_text=_('For example "volunteer doctor, 1st and 3rd Tuesday".'),
    )
    monthly_capacity = models.PositiveIntegerField(
        _("capacity per month"),
        null=True,
        blank=True,
        help_text=_("How many people they can see per month. Leave empty if unknown."),
    )
    trust_note = models.TextField(
        _("trust note"),
        blank=True,
        help_text=_(
            "How the relationship works, whom to call, what to mention. Never write anything "
            "about a client here."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ProviderQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        indexes = [models.Index(fields=["kind", "is_active"])]

    def __str__(self) -> str:
        return self.name

    @property
    def acceptances(self) -> list[Acceptance]:
        return [a for a, field in ACCEPTANCE_FIELDS.items() if getattr(self, field)]

    def set_acceptances(self, acceptances: list[Acceptance] | list[str]) -> None:
        chosen = {Acceptance(a) for a in acceptances}
        for acceptance, field in ACCEPTANCE_FIELDS.items():
            setattr(self, field, acceptance in chosen)
