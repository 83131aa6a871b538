"""The report's raw counts, each one aggregate query over coarse columns.

Nothing here reads an encrypted field or a client's data key: only dates, sites, topics,
coarse attributes (gender, age band, region, languages, interpreter), referral status, funds
and amounts. Each function returns true counts; `reporting.report` protects them before
anything is shown or stored.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from casework.models import Client, Language, Topic, Visit
from casework.stats_addresses import AddressServiceCounts, address_service_counts
from core.models import Site
from referrals.models import (
    COUNTED_INVOICE_STATUSES,
    CostGuarantee,
    Fund,
    Invoice,
    Referral,
    ReferralEvent,
    Status,
)
from reporting.periods import ReportPeriod


@dataclass(frozen=True)
class Counted:
    """One row of a breakdown: what is counted, and the distinct people behind it."""

    key: str
    name: str
    value: int
    people: int


def visits_in(period: ReportPeriod) -> QuerySet[Visit]:
    return Visit.objects.filter(date__gte=period.start, date__lt=period.end).order_by()


def clients_seen_in(period: ReportPeriod) -> QuerySet[Client]:
    """Clients with at least one visit in the period (one row each)."""
    return Client.objects.filter(pk__in=visits_in(period).values("client_id")).order_by()


@dataclass(frozen=True)
class KeyFigures:
    visits: int
    clients: int
    new_clients: int
    interpreter_visits: int
    interpreter_people: int


def key_figures(period: ReportPeriod) -> KeyFigures:
    start, end = period.aware_bounds()
    interpreted = Q(interpreter_used=True)
    figures = visits_in(period).aggregate(
        visits=Count("pk"),
        clients=Count("client_id", distinct=True),
        interpreter_visits=Count("pk", filter=interpreted),
        interpreter_people=Count("client_id", filter=interpreted, distinct=True),
    )
    new = Client.objects.filter(registered_at__gte=start, registered_at__lt=end).count()
    return KeyFigures(new_clients=new, **figures)


def visits_by_site(period: ReportPeriod) -> list[Counted]:
    rows = (
        visits_in(period)
        .values("site_id")
        .annotate(n=Count("pk"), people=Count("client_id", distinct=True))
    )
    names = dict(Site.objects.filter(pk__in=[r["site_id"] for r in rows]).values_list("pk", "name"))
    return sorted(
        (Counted(str(r["site_id"]), names[r["site_id"]], r["n"], r["people"]) for r in rows),
        key=lambda row: row.name.casefold(),
    )


def visits_by_topic(period: ReportPeriod) -> list[Counted]:
    """Visits about each topic, and the people who came about it. A visit may have several."""
    through = Visit.topics.through
    rows = (
        through.objects.filter(visit__date__gte=period.start, visit__date__lt=period.end)
        .order_by()
        .values("topic_id")
        .annotate(n=Count("visit_id"), people=Count("visit__client_id", distinct=True))
    )
    counts = {r["topic_id"]: r for r in rows}
    topics = Topic.objects.filter(pk__in=list(counts))
    return [
        Counted(topic.code, topic.name, counts[topic.pk]["n"], counts[topic.pk]["people"])
        for topic in topics
    ]


def clients_by(period: ReportPeriod, *columns: str) -> dict[tuple[str, ...], int]:
    """Distinct clients seen in the period, grouped by coarse attributes."""
    rows = clients_seen_in(period).values_list(*columns).annotate(n=Count("pk"))
    return {tuple(row[:-1]): row[-1] for row in rows}


def clients_by_language(period: ReportPeriod) -> list[Counted]:
    """Clients seen who speak each language. A person may speak several."""
    through = Client.languages.through
    rows = (
        through.objects.filter(client_id__in=visits_in(period).values("client_id"))
        .order_by()
        .values("language_id")
        .annotate(n=Count("client_id", distinct=True))
    )
    counts = {r["language_id"]: r["n"] for r in rows}
    languages = Language.objects.filter(pk__in=list(counts))
    return [
        Counted(language.code, language.name, counts[language.pk], counts[language.pk])
        for language in languages
    ]


def referrals_made_in(period: ReportPeriod) -> QuerySet[Referral]:
    start, end = period.aware_bounds()
    return Referral.objects.filter(created_at__gte=start, created_at__lt=end).order_by()


def referrals_by(period: ReportPeriod, column: str) -> dict[str, tuple[int, int]]:
    """Referrals made in the period by `column`: (referrals, distinct people)."""
    rows = (
        referrals_made_in(period)
        .values_list(column)
        .annotate(n=Count("pk"), people=Count("client_id", distinct=True))
    )
    return {key: (n, people) for key, n, people in rows}


def referral_people(period: ReportPeriod) -> int:
    return referrals_made_in(period).values("client_id").distinct().count()


def appointments_kept(period: ReportPeriod) -> dict[str, tuple[int, int]]:
    """Appointments recorded as attended or missed in the period: (count, distinct people)."""
    start, end = period.aware_bounds()
    rows = (
        ReferralEvent.objects.filter(
            at__gte=start, at__lt=end, to_status__in=[Status.ATTENDED, Status.NO_SHOW]
        )
        .order_by()
        .values_list("to_status")
        .annotate(n=Count("pk"), people=Count("referral__client_id", distinct=True))
    )
    return {status: (n, people) for status, n, people in rows}


def appointment_people(period: ReportPeriod) -> int:
    start, end = period.aware_bounds()
    return (
        ReferralEvent.objects.filter(
            at__gte=start, at__lt=end, to_status__in=[Status.ATTENDED, Status.NO_SHOW]
        )
        .order_by()
        .values("referral__client_id")
        .distinct()
        .count()
    )


@dataclass
class FundFigures:
    fund_id: str
    name: str
    currency: str
    guarantees: int = 0
    guaranteed: Decimal = Decimal("0.00")
    guarantee_people: int = 0
    invoiced: Decimal = Decimal("0.00")
    invoice_people: int = 0


def fund_figures(period: ReportPeriod) -> list[FundFigures]:
    """Per fund: guarantees issued in the period, and invoices dated in it (not written off)."""
    start, end = period.aware_bounds()
    issued = (
        CostGuarantee.objects.filter(issued_at__gte=start, issued_at__lt=end)
        .order_by()
        .values("fund_id")
        .annotate(
            n=Count("pk"),
            amount=Sum("amount"),
            people=Count("referral__client_id", distinct=True),
        )
    )
    invoiced = (
        Invoice.objects.filter(
            invoice_date__gte=period.start,
            invoice_date__lt=period.end,
            status__in=COUNTED_INVOICE_STATUSES,
        )
        .order_by()
        .values("guarantee__fund_id")
        .annotate(
            amount=Sum("amount_due"), people=Count("guarantee__referral__client_id", distinct=True)
        )
    )
    figures: dict[str, FundFigures] = {}
    funds = {f.pk: f for f in Fund.objects.all()}

    def row(fund_id: uuid.UUID) -> FundFigures:
        fund = funds[fund_id]
        return figures.setdefault(str(fund.pk), FundFigures(str(fund.pk), fund.name, fund.currency))

    for r in issued:
        target = row(r["fund_id"])
        target.guarantees = r["n"]
        target.guaranteed = r["amount"]
        target.guarantee_people = r["people"]
    for spent in invoiced:
        target = row(spent["guarantee__fund_id"])
        target.invoiced, target.invoice_people = spent["amount"], spent["people"]
    return sorted(figures.values(), key=lambda f: f.name.casefold())


def address_service(period: ReportPeriod) -> AddressServiceCounts:
    # The helper takes the last day included; periods end on the first day after.
    last_day = period.end.fromordinal(period.end.toordinal() - 1)
    return address_service_counts(start=period.start, end=last_day)


@dataclass
class MonthTrend:
    visits: int = 0
    people: int = 0
    new_clients: int = 0


@dataclass
class Trend:
    months: list[ReportPeriod]
    by_month: dict[str, MonthTrend] = field(default_factory=dict)


def trend(period: ReportPeriod) -> Trend:
    """Visits, people and new clients in each of the twelve months up to the period's end."""
    months = period.trend_months()
    first, last = months[0], months[-1]
    by_month: dict[str, MonthTrend] = defaultdict(MonthTrend)
    visits = (
        Visit.objects.filter(date__gte=first.start, date__lt=last.end)
        .order_by()
        .annotate(month=TruncMonth("date"))
        .values_list("month")
        .annotate(n=Count("pk"), people=Count("client_id", distinct=True))
    )
    for month, n, people in visits:
        entry = by_month[ReportPeriod.month_of(month).slug]
        entry.visits, entry.people = n, people
    start, _end = first.aware_bounds()
    _start, end = last.aware_bounds()
    new = (
        Client.objects.filter(registered_at__gte=start, registered_at__lt=end)
        .order_by()
        .annotate(month=TruncMonth("registered_at"))
        .values_list("month")
        .annotate(n=Count("pk"))
    )
    for month, n in new:
        by_month[ReportPeriod.month_of(month).slug].new_clients = n
    return Trend(months, dict(by_month))
