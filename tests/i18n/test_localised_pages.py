"""What staff see, and what they print for a person, is in the language they chose."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from referrals.models import Status
from tests.factories import ClientFactory
from tests.privacy.seeding import seed_person
from tests.referrals.factories import CostGuaranteeFactory, FundFactory

pytestmark = pytest.mark.django_db


def speaking(user, language: str) -> HttpClient:
    user.language = language
    user.save(update_fields=["language"])
    http = HttpClient()
    http.force_login(user)
    return http


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def booked_referral(site_a):
    referral = seed_person(site_a)["referrals.referral"]
    referral.status = Status.BOOKED
    referral.appointment_at = timezone.make_aware(datetime(2030, 3, 4, 14, 15))  # a Monday
    referral.save()
    CostGuaranteeFactory(
        referral=referral, fund=FundFactory(currency="EUR"), amount=Decimal("1234.50")
    )
    return referral


def test_the_log_in_page_offers_the_four_languages(anonymous_client):
    page = text(anonymous_client.get(reverse("account_login")))

    assert f'action="{reverse("set_language")}"' in page
    for code, name in [
        ("en", "English"),
        ("de", "Deutsch"),
        ("fr", "Français"),
        ("it", "Italiano"),
    ]:
        assert f'<option value="{code}" lang="{code}"' in page
        assert name in page


def test_a_visitor_gets_the_log_in_page_in_their_browsers_language(anonymous_client):
    page = text(anonymous_client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="de-CH,de"))

    assert '<html lang="de">' in page
    assert "Anmelden" in page


def test_a_chosen_language_beats_the_browsers(counsellor_a):
    http = speaking(counsellor_a, "it")

    page = text(http.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="fr"))

    assert '<html lang="it">' in page
    assert "Esci" in page  # log out


def test_every_page_carries_the_switcher_with_the_current_language_chosen(coordinator):
    http = speaking(coordinator, "fr")

    page = text(http.get(reverse("referrals:dashboard")))

    assert '<option value="fr" lang="fr" selected>' in page
    assert "Changer de langue" in page


def test_a_german_counsellor_prints_a_german_client_card(counsellor_a, site_a):
    client = ClientFactory(registered_site=site_a)
    http = speaking(counsellor_a, "de")

    card = text(http.get(reverse("casework:client_card", args=[client.code])))

    assert '<html lang="de">' in card
    assert "Klientenkarte" in card
    assert "Ihr Code" in card
    assert "Drucken" in card
    assert "Your code" not in card


def test_a_french_counsellor_prints_a_slip_with_french_dates(counsellor_a, booked_referral):
    http = speaking(counsellor_a, "fr")

    slip = text(http.get(reverse("referrals:referral_slip", args=[booked_referral.id])))

    assert "Bon d\u2019orientation" in slip
    assert "lundi, 4 mars 2030 14:15" in slip
    assert "Monday" not in slip


@pytest.mark.parametrize(
    ("language", "amount"),
    [
        ("en", "EUR 1,234.50"),
        ("de", "EUR 1.234,50"),
        ("fr", "EUR 1\xa0234,50"),
        ("it", "EUR 1.234,50"),
    ],
)
def test_amounts_are_written_the_readers_way(counsellor_a, booked_referral, language, amount):
    http = speaking(counsellor_a, language)

    slip = text(http.get(reverse("referrals:referral_slip", args=[booked_referral.id])))

    assert amount in slip


def test_an_italian_counsellor_prints_an_italian_address_confirmation(counsellor_a, site_a):
    assignment = seed_person(site_a)["casework.slotassignment"]
    http = speaking(counsellor_a, "it")

    letter = text(http.get(reverse("casework:address_assignment_letter", args=[assignment.id])))

    assert "Conferma d\u2019indirizzo" in letter
    assert "Valido dal 01 Gennaio 2027 al 01 Gennaio 2028." in letter


def test_language_names_follow_the_interface(counsellor_a, booked_referral):
    booked_referral.interpreter_language = booked_referral.client.languages.model.objects.get(
        code="ar"
    )
    booked_referral.save()
    http = speaking(counsellor_a, "de")

    slip = text(http.get(reverse("referrals:referral_slip", args=[booked_referral.id])))

    assert "Arabisch" in slip


def test_role_names_follow_the_interface(administrator):
    http = speaking(administrator, "fr")

    page = text(http.get(reverse("core:invitation_create")))

    assert "Conseiller·ère" in page
    assert "Counsellor" not in page


def test_a_reminder_reads_in_each_readers_language(coordinator, site_a):
    from datetime import date, timedelta

    from django.utils import translation
    from django.utils.translation import gettext_noop

    from casework.models import Reminder
    from core.roles import Role

    # Scheduled while someone works in German; read later by an Italian coordinator.
    with translation.override("de"):
        Reminder.objects.schedule(
            kind="test.expiry",
            label=gettext_noop("Address %(slot)s expires on %(date)s"),
            label_params={"slot": "Box 2", "date": date(2031, 5, 1)},
            due_at=timezone.now() + timedelta(days=3),
            role=Role.COORDINATOR,
        )
    http = speaking(coordinator, "it")

    page = text(http.get(reverse("casework:reminders")))

    assert "L\u2019indirizzo Box 2 scade il 01 Maggio 2031" in page
