"""Model instances from hand-written SQL: for the few hot paths (token check, the annotation
queue) where one statement reads several tables and the ORM would compile its query anew on
every call.

``columns(Model, "alias")`` lists the model's concrete columns in field order, and
``instance(Model, row, start)`` builds the instance from that slice of a row, as the ORM's own
``from_db`` does (the instance is "from the database": saving it updates, deferred fields load
on access).
"""

from functools import cache
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model

M = TypeVar("M", bound=Model)


@cache
def _attnames(model: type[Model]) -> tuple[str, ...]:
    return tuple(field.attname for field in model._meta.concrete_fields)


@cache
def columns(model: type[Model], alias: str) -> str:
    """``alias.col1, alias.col2, …``: every concrete column of ``model`` in field order."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(str(field.column))}" for field in model._meta.concrete_fields)


def width(model: type[Model]) -> int:
    """How many columns ``columns(model, …)`` selects."""
    return len(_attnames(model))


@cache
def _converters(model: type[Model]) -> tuple[tuple[int, Any, tuple[Any, ...]], ...]:
    """Per column that needs one: its index, the ``Col`` and the database's own converters
    (JSON text on SQLite, time zones, booleans), as the ORM applies them to the same columns."""
    found = []
    for index, field in enumerate(model._meta.concrete_fields):
        col = field.get_col(model._meta.db_table)
        converters = (*connection.ops.get_db_converters(col), *field.get_db_converters(connection))
        if converters:
            found.append((index, col, converters))
    return tuple(found)


def instance(model: type[M], row: tuple[Any, ...] | list[Any], start: int = 0) -> M | None:
    """The ``model`` instance whose columns start at ``row[start]`` (as ``columns`` selected
    them); None when its primary key is NULL (the outer side of a LEFT JOIN found nothing)."""
    names = _attnames(model)
    values = list(row[start : start + len(names)])
    if values[names.index(model._meta.pk.attname)] is None:
        return None
    for index, col, converters in _converters(model):
        value = values[index]
        if value is not None:
            for converter in converters:
                value = converter(value, col, connection)
            values[index] = value
    return model.from_db(connection.alias, list(names), values)


@cache
def _insert_sql(model: type[Model]) -> tuple[str, tuple[Any, ...]]:
    fields = tuple(field for field in model._meta.concrete_fields if not field.primary_key)
    quote = connection.ops.quote_name
    names = ", ".join(quote(str(field.column)) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    pk = quote(str(model._meta.pk.column))
    table = quote(model._meta.db_table)
    return f"INSERT INTO {table} ({names}) VALUES ({marks}) RETURNING {pk}", fields  # noqa: S608


def insert(obj: Model) -> Model:
    """``obj.save()`` for a new row on a hot path: one INSERT … RETURNING with the same values
    the ORM would write (each field's ``pre_save``, so ``auto_now`` stamps, and its database
    preparation, so JSON), without compiling the statement anew. No signals are sent (Tandem
    connects none to the models it is used for). Returns ``obj`` with its primary key."""
    sql, fields = _insert_sql(type(obj))
    raw = [field.pre_save(obj, True) for field in fields]
    if any(hasattr(value, "resolve_expression") for value in raw):
        # An expression (a database default, F(), a function) needs the ORM's compiler.
        obj.save(force_insert=True)
        return obj
    values = [
        field.get_db_prep_save(value, connection) for field, value in zip(fields, raw, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        obj.pk = cursor.fetchone()[0]
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj
