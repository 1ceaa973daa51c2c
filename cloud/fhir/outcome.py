"""OperationOutcome: how the FHIR interface says what went wrong, and where."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cloud.fhir.resources.common import Json


@dataclass(frozen=True)
class Issue:
    """One problem: an issue type code, what is wrong, and the elements it concerns."""

    code: str
    diagnostics: str
    expression: tuple[str, ...] = ()
    severity: str = "error"


@dataclass
class FhirError(Exception):
    """A request the FHIR interface refuses, with its HTTP status and the issues."""

    status: int
    issues: list[Issue] = field(default_factory=list)
    headers: dict[str, str] | None = None

    def __str__(self) -> str:
        return "; ".join(issue.diagnostics for issue in self.issues)


def invalid(expression: str, why: str) -> Issue:
    """An element of a request that MedMind cannot accept."""
    return Issue("invalid", f"{expression}: {why}", (expression,))


def operation_outcome(issues: list[Issue]) -> Json:
    """The OperationOutcome resource listing `issues`."""
    entries: list[dict[str, Any]] = []
    for issue in issues:
        entry: dict[str, Any] = {
            "severity": issue.severity,
            "code": issue.code,
            "diagnostics": issue.diagnostics,
        }
        if issue.expression:
            entry["expression"] = list(issue.expression)
        entries.append(entry)
    return {"resourceType": "OperationOutcome", "issue": entries}
