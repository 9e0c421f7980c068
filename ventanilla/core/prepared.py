"""A SELECT over a model and its neighbours, written once per process from the models' metadata
(issue 7, rounds 3 and 4).

The ORM compiles a query with joins on every call (`select_related` with eight relations: about
a millisecond before the database sees it). A `PreparedJoin` writes the statement once per
database alias — only quoted names from the models' metadata go into its text, the looked-up
value is a parameter — and turns a row into model instances with `Model.from_db`, the way the ORM
does, converters included. Nothing is cached but the SQL text and the converters: every call
reads the database. The callers put the instances on each other's relation caches.
"""

from django.db import connections


class PreparedJoin:
    """`parts`: [(name, model, alias, join condition)], the first one the base (its condition
    None), the others LEFT JOINed on their condition (SQL over the aliases, quoted names only);
    `where`: the base's column compared with the parameter. `load(value)` returns
    {name: instance, or None when the join found no row}, or None when the base has no row."""

    def __init__(self, using, parts, where):
        connection = connections[using]
        qn = connection.ops.quote_name
        columns, joins, self.layout = [], [], []
        for name, model, alias, condition in parts:
            fields = model._meta.concrete_fields
            start = len(columns)
            converters = []
            for index, field in enumerate(fields):
                columns.append(f"{alias}.{qn(field.column)}")
                col = field.get_col(alias)
                found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
                if found:
                    converters.append((start + index, found, col))
            attnames = [field.attname for field in fields]
            pk_index = start + [f.primary_key for f in fields].index(True)
            self.layout.append((name, model, start, len(columns), attnames, pk_index, converters))
            if condition:
                joins.append(f"LEFT JOIN {qn(model._meta.db_table)} {alias} ON {condition}")
        _name, base, alias, _condition = parts[0]
        self.sql = (
            f"SELECT {', '.join(columns)} FROM {qn(base._meta.db_table)} {alias} "  # noqa: S608
            f"{' '.join(joins)} WHERE {alias}.{qn(where)} = %s"
        )
        self.using = using

    def load(self, value):
        connection = connections[self.using]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [value])
            row = cursor.fetchone()
        if row is None:
            return None
        row = list(row)
        found = {}
        for name, model, start, end, attnames, pk_index, converters in self.layout:
            if row[pk_index] is None:
                found[name] = None
                continue
            for index, functions, col in converters:
                value = row[index]
                for function in functions:
                    value = function(value, col, connection)
                row[index] = value
            found[name] = model.from_db(self.using, attnames, row[start:end])
        return found
