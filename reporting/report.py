"""The anonymised report of one period: every table protected before it leaves this module.

`build_report(period)` computes a report live from the database; `Report.to_json()` and
`Report.from_json()` carry it into and out of a monthly snapshot. What is stored and what is
shown are the same published numbers — the true small counts never leave `build_report`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from casework.models import AgeBand, Gender, Interpreter, Region
from casework.models.addresses import SenderCategory
from referrals.models import Outcome, ProviderKind, Status
from reporting import queries
from reporting.disclosure import HIDDEN_MARK, Grid, Hidden, protect, threshold
from reporting.periods import ReportPeriod

TOTAL = "total"


@dataclass(frozen=True)
class TableSpec:
    title: str | Promise
    columns: dict[str, str | Promise]
    # Turns a stored row key (and the name stored with it) into a label in today's language.
    row_label: Callable[[str, str], str]
    note: str | Promise = ""
    # The column drawn as a bar chart, if any; "vertical" draws months left to right.
    chart_column: str | None = None
    vertical_chart: bool = False


def _choice(choices: Any) -> Callable[[str, str], str]:
    labels = dict(choices.choices)
    return lambda key, name: str(labels.get(key, name))


def _name(key: str, name: str) -> str:
    return name


def _translated_name(key: str, name: str) -> str:
    # Seeded topic names have translations; a coordinator's own names come back unchanged.
    return gettext(name)


def _month(key: str, name: str) -> str:
    return ReportPeriod.parse(key).label


KEY_FIGURES = {
    "visits": _("Visits"),
    "clients": _("People who came (distinct clients)"),
    "new_clients": _("New clients registered"),
    "interpreter_visits": _("Visits with an interpreter"),
    "slots_in_use": _("Address slots in use at the end of the period"),
    "assignments_started": _("Address assignments started"),
    "assignments_ended": _("Address assignments ended"),
}

VISITS = _("Visits")
PEOPLE = _("People")
CLIENTS = _("Clients")
REFERRALS = _("Referrals")

TABLES: dict[str, TableSpec] = {
    "key_figures": TableSpec(
        _("Key figures"),
        {"count": _("Number")},
        lambda key, name: str(KEY_FIGURES.get(key, name)),
    ),
    "visits_by_site": TableSpec(
        _("Visits by site"), {"visits": VISITS}, _name, chart_column="visits"
    ),
    "visits_by_topic": TableSpec(
        _("Visits by topic"),
        {"visits": VISITS, "people": PEOPLE},
        _translated_name,
        note=_("A visit can be about several topics, so the rows do not add up."),
        chart_column="visits",
    ),
    "clients_by_gender_age": TableSpec(
        _("People by gender and age band"),
        {band: label for band, label in AgeBand.choices},
        _choice(Gender),
    ),
    "clients_by_region": TableSpec(
        _("People by world region of origin"),
        {"clients": CLIENTS},
        _choice(Region),
        chart_column="clients",
    ),
    "clients_by_language": TableSpec(
        _("People by language spoken"),
        {"clients": CLIENTS},
        _name,
        note=_("A person can speak several languages, so the rows do not add up."),
        chart_column="clients",
    ),
    "clients_by_interpreter": TableSpec(
        _("People by need of an interpreter"), {"clients": CLIENTS}, _choice(Interpreter)
    ),
    "referrals_by_kind": TableSpec(
        _("Referrals made, by kind of provider"),
        {"referrals": REFERRALS},
        _choice(ProviderKind),
        chart_column="referrals",
    ),
    "referrals_by_status": TableSpec(
        _("Referrals made, by status today"), {"referrals": REFERRALS}, _choice(Status)
    ),
    "referrals_by_outcome": TableSpec(
        _("Referrals made, by outcome recorded"), {"referrals": REFERRALS}, _choice(Outcome)
    ),
    "appointments": TableSpec(
        _("Appointments recorded as attended or missed"),
        {"appointments": _("Appointments")},
        _choice(Status),
    ),
    "letters": TableSpec(
        _("Letters by sender"),
        {
            "received": _("Received"),
            "handed_over": _("Handed over"),
            "returned": _("Returned to sender"),
        },
        _choice(SenderCategory),
        chart_column="received",
    ),
    "trend": TableSpec(
        _("The last twelve months"),
        {"visits": VISITS, "people": PEOPLE, "new_clients": _("New clients")},
        _month,
        chart_column="visits",
        vertical_chart=True,
    ),
}

SECTIONS: list[tuple[str, str | Promise, list[str]]] = [
    ("overview", _("Overview"), ["key_figures", "visits_by_site", "visits_by_topic"]),
    (
        "people",
        _("Who came"),
        [
            "clients_by_gender_age",
            "clients_by_region",
            "clients_by_language",
            "clients_by_interpreter",
        ],
    ),
    (
        "referrals",
        _("Referrals"),
        ["referrals_by_kind", "referrals_by_status", "referrals_by_outcome", "appointments"],
    ),
    ("addresses", _("Address service"), ["letters"]),
    ("trend", _("Trend"), ["trend"]),
]


@dataclass(frozen=True)
class Table:
    """One published table. `values` includes the total row/column; None where hidden."""

    key: str
    rows: list[tuple[str, str]]
    columns: list[str]
    values: list[list[int | None]]
    hidden: list[list[str]]
    row_totals: bool
    column_totals: bool

    @property
    def spec(self) -> TableSpec:
        return TABLES[self.key]

    @property
    def all_rows(self) -> list[tuple[str, str]]:
        return [*self.rows, (TOTAL, "")] if self.column_totals else self.rows

    @property
    def all_columns(self) -> list[str]:
        return [*self.columns, TOTAL] if self.row_totals else self.columns

    def shown(self, i: int, j: int, k: int) -> str:
        """The cell as published: the number, "< k", or the cross."""
        if self.hidden[i][j] == Hidden.SMALL:
            return f"< {k}"
        if self.hidden[i][j] == Hidden.OTHER:
            return HIDDEN_MARK
        return str(self.values[i][j])

    def row_label(self, key: str, name: str) -> str:
        return str(_("Total")) if key == TOTAL else self.spec.row_label(key, name)

    def column_label(self, key: str) -> str:
        return str(_("Total")) if key == TOTAL else str(self.spec.columns[key])

    @property
    def is_empty(self) -> bool:
        return not any(value for row in self.values for value in row if value)


@dataclass(frozen=True)
class FundRow:
    """Money is not a count of people: a fund's figures are hidden whole when fewer than k
    people stand behind them, and funds are never added up (their currencies may differ)."""

    name: str
    currency: str
    guarantees: int | None
    guaranteed: str | None
    invoiced: str | None
    guarantees_hidden: str
    invoiced_hidden: str


@dataclass
class Report:
    period: ReportPeriod
    k: int
    computed_at: datetime
    tables: dict[str, Table]
    funds: list[FundRow]
    slots_total: int
    # Share of appointments missed, in percent; None when hidden or when there were none.
    no_show_rate: float | None
    from_snapshot: bool = field(default=False, compare=False)

    @property
    def is_empty(self) -> bool:
        return all(table.is_empty for table in self.tables.values()) and not self.funds

    def sections(self) -> list[tuple[str, str, list[Table]]]:
        return [
            (key, str(title), [self.tables[name] for name in names])
            for key, title, names in SECTIONS
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "period": self.period.slug,
            "k": self.k,
            "computed_at": self.computed_at.isoformat(),
            "tables": [asdict(table) for table in self.tables.values()],
            "funds": [asdict(fund) for fund in self.funds],
            "slots_total": self.slots_total,
            "no_show_rate": self.no_show_rate,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        tables = [
            Table(
                key=t["key"],
                rows=[(key, name) for key, name in t["rows"]],
                columns=t["columns"],
                values=t["values"],
                hidden=t["hidden"],
                row_totals=t["row_totals"],
                column_totals=t["column_totals"],
            )
            for t in data["tables"]
        ]
        return cls(
            period=ReportPeriod.parse(data["period"]),
            k=data["k"],
            computed_at=datetime.fromisoformat(data["computed_at"]),
            tables={table.key: table for table in tables},
            funds=[FundRow(**fund) for fund in data["funds"]],
            slots_total=data["slots_total"],
            no_show_rate=data["no_show_rate"],
            from_snapshot=True,
        )


def _table(
    key: str,
    rows: Sequence[tuple[str, str]],
    columns: Sequence[str],
    grid: Grid,
    k: int,
) -> Table:
    if not rows:
        return Table(key, [], list(columns), [], [], grid.row_totals, grid.column_totals)
    result = protect(grid, k)
    hidden = [
        [str(result.hidden.get((i, j), "")) for j in range(len(row))]
        for i, row in enumerate(result.values)
    ]
    return Table(
        key, list(rows), list(columns), result.values, hidden, grid.row_totals, grid.column_totals
    )


def _one_column(
    key: str, counts: Sequence[queries.Counted], total_people: int | None, k: int
) -> Table:
    """A breakdown with one count per row; with a total row when `total_people` is given."""
    return _table(
        key,
        [(c.key, c.name) for c in counts],
        [next(iter(TABLES[key].columns))],
        Grid(
            values=[[c.value] for c in counts],
            people=[[c.people] for c in counts],
            column_totals=total_people is not None and len(counts) > 1,
            column_total_people=[total_people] if total_people is not None else None,
        ),
        k,
    )


def _by_choice(choices: Any, counts: dict[str, tuple[int, int]]) -> list[queries.Counted]:
    """Every choice in its order, zeros included; "not stated" only where someone is."""
    return [
        queries.Counted(value, "", *counts.get(value, (0, 0)))
        for value in choices.values
        if value != "" or value in counts
    ]


def build_report(period: ReportPeriod | str) -> Report:
    """Compute the report of `period` (a ReportPeriod or a slug such as "2026-10") live."""
    if isinstance(period, str):
        period = ReportPeriod.parse(period)
    k = threshold()
    figures = queries.key_figures(period)
    address = queries.address_service(period)
    tables: dict[str, Table] = {}

    def add(table: Table) -> None:
        tables[table.key] = table

    key_rows = [
        ("visits", figures.visits, figures.clients),
        ("clients", figures.clients, figures.clients),
        ("new_clients", figures.new_clients, figures.new_clients),
        ("interpreter_visits", figures.interpreter_visits, figures.interpreter_people),
        ("slots_in_use", address.slots_in_use, address.slots_in_use),
        ("assignments_started", address.assignments_started, address.assignments_started),
        ("assignments_ended", address.assignments_ended, address.assignments_ended),
    ]
    add(
        _table(
            "key_figures",
            [(key, "") for key, _v, _p in key_rows],
            ["count"],
            Grid(values=[[v] for _k, v, _p in key_rows], people=[[p] for _k, _v, p in key_rows]),
            k,
        )
    )
    add(_one_column("visits_by_site", queries.visits_by_site(period), figures.clients, k))
    topics = queries.visits_by_topic(period)
    add(
        _table(
            "visits_by_topic",
            [(t.key, t.name) for t in topics],
            ["visits", "people"],
            Grid(
                values=[[t.value, t.people] for t in topics],
                people=[[t.people, t.people] for t in topics],
            ),
            k,
        )
    )

    by_gender_age = queries.clients_by(period, "gender", "age_band")
    genders, bands = list(Gender.values), list(AgeBand.values)
    add(
        _table(
            "clients_by_gender_age",
            [(g, "") for g in genders],
            bands,
            Grid(
                values=[[by_gender_age.get((g, b), 0) for b in bands] for g in genders],
                row_totals=True,
                column_totals=True,
            ),
            k,
        )
    )
    for key, column, choices in (
        ("clients_by_region", "region", Region),
        ("clients_by_interpreter", "interpreter", Interpreter),
    ):
        counts = {g[0]: (n, n) for g, n in queries.clients_by(period, column).items()}
        add(_one_column(key, _by_choice(choices, counts), figures.clients, k))
    add(_one_column("clients_by_language", queries.clients_by_language(period), None, k))

    referred = queries.referral_people(period)
    add(
        _one_column(
            "referrals_by_kind",
            _by_choice(ProviderKind, queries.referrals_by(period, "provider__kind")),
            referred,
            k,
        )
    )
    add(
        _one_column(
            "referrals_by_status",
            _by_choice(Status, queries.referrals_by(period, "status")),
            referred,
            k,
        )
    )
    outcomes = queries.referrals_by(period, "outcome")
    outcomes.pop("", None)
    add(_one_column("referrals_by_outcome", _by_choice(Outcome, outcomes), None, k))

    kept = queries.appointments_kept(period)
    appointments = _one_column(
        "appointments",
        [
            queries.Counted(status, "", *kept.get(status, (0, 0)))
            for status in (Status.ATTENDED, Status.NO_SHOW)
        ],
        queries.appointment_people(period),
        k,
    )
    add(appointments)

    letters_rows = list(SenderCategory.values)
    columns = {
        "received": address.letters_received,
        "handed_over": address.letters_handed_over,
        "returned": address.letters_returned,
    }
    # Letters are not people, but nobody gets fewer letters than there are people getting
    # them: a count of letters below k also counts fewer than k people.
    add(
        _table(
            "letters",
            [(c, "") for c in letters_rows],
            list(columns),
            Grid(
                values=[[columns[col][c] for col in columns] for c in letters_rows],
                column_totals=True,
            ),
            k,
        )
    )

    trend = queries.trend(period)
    months = [m.slug for m in trend.months]
    empty = queries.MonthTrend()
    month_rows = [trend.by_month.get(m, empty) for m in months]
    add(
        _table(
            "trend",
            [(m, "") for m in months],
            ["visits", "people", "new_clients"],
            Grid(
                values=[[t.visits, t.people, t.new_clients] for t in month_rows],
                people=[[t.people, t.people, t.new_clients] for t in month_rows],
            ),
            k,
        )
    )

    return Report(
        period=period,
        k=k,
        computed_at=timezone.now(),
        tables=tables,
        funds=[_fund_row(f, k) for f in queries.fund_figures(period)],
        slots_total=address.slots_total,
        no_show_rate=_no_show_rate(appointments),
    )


def _fund_row(figures: queries.FundFigures, k: int) -> FundRow:
    guarantees_hidden = ""
    if 0 < figures.guarantees < k:
        guarantees_hidden = Hidden.SMALL
    elif 0 < figures.guarantee_people < k:
        guarantees_hidden = Hidden.OTHER
    invoiced_hidden = Hidden.OTHER if 0 < figures.invoice_people < k else ""
    return FundRow(
        name=figures.name,
        currency=figures.currency,
        guarantees=None if guarantees_hidden else figures.guarantees,
        guaranteed=None if guarantees_hidden else _money(figures.guaranteed),
        invoiced=None if invoiced_hidden else _money(figures.invoiced),
        guarantees_hidden=str(guarantees_hidden),
        invoiced_hidden=str(invoiced_hidden),
    )


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _no_show_rate(appointments: Table) -> float | None:
    """Published only when both counts are: otherwise the rate would give a hidden one away."""
    if len(appointments.values) < 2:
        return None
    attended, missed = appointments.values[0][0], appointments.values[1][0]
    if attended is None or missed is None or attended + missed == 0:
        return None
    return round(100 * missed / (attended + missed), 1)
