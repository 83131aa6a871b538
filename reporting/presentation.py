"""A report as pages and files show it: labelled cells, bar charts and CSV rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from reporting.disclosure import HIDDEN_MARK
from reporting.periods import ReportPeriod
from reporting.report import TOTAL, Report, Table

# Geometry of the inline SVG charts, in SVG units (they scale with the page).
CHART_WIDTH = 640
LABEL_WIDTH = 220
BAR_SPACE = 340
ROW_HEIGHT = 22
BAR_HEIGHT = 14
COLUMN_CHART_HEIGHT = 200
COLUMN_TOP = 18
COLUMN_BASE = 170


@dataclass(frozen=True)
class Cell:
    text: str
    hidden: bool


@dataclass(frozen=True)
class Row:
    label: str
    cells: list[Cell]
    is_total: bool


def svg_number(value: float) -> str:
    """An SVG coordinate: one decimal, never localised (a decimal comma would break it).

    Formatted here, once, rather than through a template filter: a report draws hundreds."""
    return f"{value:.1f}"


@dataclass(frozen=True)
class Bar:
    label: str
    text: str
    # SVG coordinates, formatted by svg_number. Horizontal charts: size is the bar's length;
    # column charts: its height.
    size: str
    x: str
    y: str
    text_x: str
    text_y: str

    @classmethod
    def at(
        cls, label: str, text: str, size: float, x: float, y: float, text_x: float, text_y: float
    ) -> Bar:
        return cls(label, text, *(svg_number(v) for v in (size, x, y, text_x, text_y)))


@dataclass(frozen=True)
class Chart:
    title: str
    bars: list[Bar]
    vertical: bool
    width: int
    height: int
    bar_width: str  # svg_number


@dataclass(frozen=True)
class ShownTable:
    key: str
    title: str
    note: str
    columns: list[str]
    rows: list[Row]
    chart: Chart | None
    is_empty: bool


def shown_table(table: Table, k: int) -> ShownTable:
    rows = [
        Row(
            label=table.row_label(key, name),
            cells=[
                Cell(table.shown(i, j, k), bool(table.hidden[i][j]))
                for j in range(len(table.all_columns))
            ],
            is_total=key == TOTAL,
        )
        for i, (key, name) in enumerate(table.all_rows)
    ]
    return ShownTable(
        key=table.key,
        title=str(table.spec.title),
        note=str(table.spec.note),
        columns=[table.column_label(c) for c in table.all_columns],
        rows=rows,
        chart=_chart(table, rows),
        is_empty=table.is_empty,
    )


def _chart(table: Table, rows: list[Row]) -> Chart | None:
    spec = table.spec
    if spec.chart_column is None or table.is_empty:
        return None
    column = table.columns.index(spec.chart_column)
    points = [
        (row.label, row.cells[column].text, table.values[i][column])
        for i, row in enumerate(rows)
        if not row.is_total
    ]
    largest = max((value or 0 for _label, _text, value in points), default=0) or 1
    title = str(spec.title)
    if spec.vertical_chart:
        # Columns are months: their full names do not fit under a column.
        points = [
            (ReportPeriod.parse(key).short_label, text, value)
            for (key, _name), (_label, text, value) in zip(table.rows, points, strict=True)
        ]
        slot = CHART_WIDTH / len(points)
        bar_width = slot * 0.6
        bars = []
        for n, (label, text, value) in enumerate(points):
            height = (value or 0) / largest * (COLUMN_BASE - COLUMN_TOP)
            x = n * slot + (slot - bar_width) / 2
            bars.append(
                Bar.at(
                    label,
                    text,
                    height,
                    x,
                    COLUMN_BASE - height,
                    x + bar_width / 2,
                    COLUMN_BASE - height - 4,
                )
            )
        return Chart(title, bars, True, CHART_WIDTH, COLUMN_CHART_HEIGHT, svg_number(bar_width))
    bars = []
    for n, (label, text, value) in enumerate(points):
        length = (value or 0) / largest * BAR_SPACE
        y = n * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
        bars.append(
            Bar.at(
                label,
                text,
                length,
                LABEL_WIDTH + 10,
                y,
                LABEL_WIDTH + 16 + length,
                y + BAR_HEIGHT - 3,
            )
        )
    height = len(points) * ROW_HEIGHT + 4
    return Chart(title, bars, False, CHART_WIDTH, height, svg_number(BAR_HEIGHT))


@dataclass(frozen=True)
class ShownSection:
    key: str
    title: str
    tables: list[ShownTable]


def shown_sections(report: Report) -> list[ShownSection]:
    return [
        ShownSection(key, title, [shown_table(table, report.k) for table in tables])
        for key, title, tables in report.sections()
    ]


def _hidden_text(kind: str, k: int) -> str:
    return f"< {k}" if kind == "small" else HIDDEN_MARK


def fund_rows(report: Report) -> list[list[str]]:
    """Fund, currency, guarantees issued, amount guaranteed, amount invoiced, as shown."""
    rows = []
    for fund in report.funds:
        guarantee_mark = _hidden_text(fund.guarantees_hidden, report.k)
        invoice_mark = _hidden_text(fund.invoiced_hidden, report.k)
        rows.append(
            [
                fund.name,
                fund.currency,
                guarantee_mark if fund.guarantees_hidden else str(fund.guarantees),
                HIDDEN_MARK if fund.guarantees_hidden else str(fund.guaranteed),
                invoice_mark if fund.invoiced_hidden else str(fund.invoiced),
            ]
        )
    return rows


# A cell starting with one of these is run as a formula by spreadsheet programs (site and fund
# names are typed by staff); an apostrophe in front keeps it text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _defuse(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_rows(report: Report) -> Iterator[list[str]]:
    yield [_("Period"), _("Table"), _("Row"), _("Column"), _("Value")]
    period = report.period.slug
    for section in shown_sections(report):
        for table in section.tables:
            for row in table.rows:
                for column, cell in zip(table.columns, row.cells, strict=True):
                    yield [period, table.title, row.label, column, cell.text]
    funds_title = _("Cost guarantees and spending by fund")
    columns = [_("Guarantees issued"), _("Amount guaranteed"), _("Amount invoiced")]
    for name, currency, *values in fund_rows(report):
        for column, value in zip(columns, values, strict=True):
            yield [period, funds_title, name, f"{column} ({currency})", value]
    if report.no_show_rate is not None:
        yield [
            period,
            _("Appointments"),
            _("Missed (no-show rate, %)"),
            "",
            str(report.no_show_rate),
        ]
    yield [period, _("Address service"), _("Address slots available"), "", str(report.slots_total)]


def report_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in csv_rows(report):
        writer.writerow([_defuse(value) for value in row])
    return out.getvalue()
