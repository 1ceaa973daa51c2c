"""Where resources come from: a source maps rows to resources and answers scoped queries.

Every query of every source is limited to the patients the caller may see with the REST API's
own rule (`cloud.patients.access.visible`), before any other filter, so a search never reaches
another patient's rows and a read of one answers as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from cloud.clock import utc_now
from cloud.fhir.resources.common import Json, parse_uuid
from cloud.patients.access import visible
from cloud.users.models import User


@dataclass(frozen=True)
class Scope:
    """What a search asks for: rows the user may see, of one patient or all, within instants,
    as of `now` (figures such as adherence depend on which dose windows have closed)."""

    user: User
    patient_id: Any = None
    since: datetime | None = None
    before: datetime | None = None
    now: datetime = field(default_factory=utc_now)

    @property
    def dated(self) -> bool:
        return self.since is not None or self.before is not None


class Source(Protocol):
    """Resources of one kind (a FHIR type may gather several sources)."""

    @property
    def dated(self) -> bool:
        """Whether `date=` applies to these resources."""

    def count(self, db: Session, scope: Scope) -> int:
        """How many resources match."""

    def fetch(self, db: Session, scope: Scope, offset: int, limit: int | None) -> list[Json]:
        """The matching resources in a stable order, `limit` of them from `offset`."""

    def read(self, db: Session, scope: Scope, resource_id: str) -> Json | None:
        """The resource with this id if `scope`'s user may see it."""


Rows = Select[*tuple[Any, ...]]
Restrict = Callable[[Rows, Scope], Rows]
# Mapped attributes or core columns alike.
Column = Any


@dataclass(frozen=True)
class TableSource:
    """Resources made one per row of an SQL statement.

    `patient` is the column naming the row's patient; `restrict` replaces the default patient
    filter where a row reaches its patients through a link table.
    """

    statement: Rows
    id_column: Column
    order: Sequence[Column]
    to_resource: Callable[[Any], Json]
    patient: Column = None
    date: Column = None
    restrict: Restrict | None = None

    @property
    def dated(self) -> bool:
        return self.date is not None

    def _scoped(self, scope: Scope) -> Rows:
        if self.restrict is not None:
            statement = self.restrict(self.statement, scope)
        else:
            assert self.patient is not None, "a source needs a patient column or a restriction"
            statement = self.statement.where(visible(scope.user, self.patient))
            if scope.patient_id is not None:
                statement = statement.where(self.patient == scope.patient_id)
        if self.date is not None:
            if scope.since is not None:
                statement = statement.where(self.date >= scope.since)
            if scope.before is not None:
                statement = statement.where(self.date < scope.before)
        return statement

    def count(self, db: Session, scope: Scope) -> int:
        counted = select(func.count()).select_from(self._scoped(scope).subquery())
        return db.scalar(counted) or 0

    def fetch(self, db: Session, scope: Scope, offset: int, limit: int | None) -> list[Json]:
        statement = self._scoped(scope).order_by(*self.order).offset(offset).limit(limit)
        return [self.to_resource(row) for row in db.execute(statement)]

    def read(self, db: Session, scope: Scope, resource_id: str) -> Json | None:
        key = parse_uuid(resource_id)
        if key is None:
            return None
        statement = self._scoped(Scope(scope.user)).where(self.id_column == key)
        row = db.execute(statement).first()
        return None if row is None else self.to_resource(row)
