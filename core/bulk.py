"""Insert many rows fast: PostgreSQL's COPY, or `bulk_create` on other databases.

Values go through each field's own `pre_save` and `get_db_prep_save`, exactly as `save()` and
`bulk_create()` prepare them, so encrypted fields are sealed and blind indexes computed as
always. Only the transport differs: COPY skips building one INSERT statement per batch, which
is what makes seeding millions of rows (`manage.py seed_synthetic`) take minutes, not hours.
Nothing is returned: rows with a database-generated key are not given their key.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, connections, models

from core.fields import Sealed


def insert(model: type[models.Model], objs: Sequence[models.Model]) -> int:
    """Insert `objs` (new instances of `model`). Returns the number of rows."""
    # The connection itself, not the `connection` proxy: each field asks it for its operations,
    # and through the proxy that lookup costs more than the rest of preparing the value.
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs, batch_size=2000)
        return len(objs)
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and isinstance(f, models.AutoField | models.BigAutoField))
    ]
    rows = ([_prepared(f, f.pre_save(obj, True), connection) for f in fields] for obj in objs)
    columns = [cast(str, f.column) for f in fields]  # concrete fields all have a column
    return copy_rows(model._meta.db_table, columns, rows)


# Values psycopg writes as they are; Django's preparation would return them unchanged.
_AS_IS = (str, int, bool, uuid.UUID, date, Decimal, type(None))


def _prepared(field: models.Field[Any, Any], value: Any, connection: Any) -> Any:
    if isinstance(value, _AS_IS) and not isinstance(value, datetime):
        return value
    if isinstance(value, Sealed):
        return value.token
    return field.get_db_prep_save(value, connection)


def insert_values(
    model: type[models.Model], columns: list[str], rows: list[tuple[Any, ...]]
) -> int:
    """Insert plain column values (for many-to-many link tables). Returns the number of rows."""
    if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
        model._default_manager.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=2000
        )
        return len(rows)
    return copy_rows(model._meta.db_table, columns, rows)


def copy_rows(table: str, columns: list[str], rows: Iterable[Sequence[Any]]) -> int:
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count
