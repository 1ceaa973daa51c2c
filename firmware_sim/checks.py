"""Compares a scenario's expectations with what the cloud's REST API (and the device) show."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from firmware_sim.cloud_client import CloudClient
from firmware_sim.device import VirtualDevice
from firmware_sim.people import CareTeam
from firmware_sim.scenario import CountSpec, Expectation, Scenario, as_count

# Percentages come back as floats; figures closer than this are equal.
TOLERANCE = 0.05

# Records one comparison: what was checked, whether it held, and what was seen.
Record = Callable[[str, bool, str], None]


@dataclass(frozen=True)
class Check:
    """One expectation compared with what the API returned."""

    at: datetime
    what: str
    ok: bool
    detail: str

    def __str__(self) -> str:
        mark = "ok  " if self.ok else "FAIL"
        return f"{mark} {self.at:%a %d %b %H:%M} {self.what}: {self.detail}"


class ExpectationChecker:
    """Checks expectations for one patient and device, as the care team sees them."""

    def __init__(self, scenario: Scenario, team: CareTeam, device: VirtualDevice) -> None:
        self.scenario = scenario
        self.team = team
        self.device = device

    def check(self, expect: Expectation) -> list[Check]:
        """Every expectation of `expect`, checked now (the caller settled sync and jobs)."""
        # The scenario's zone, not the device's: a device powered off cannot be asked.
        at = self.device.clock.now().astimezone(self.scenario.zone)
        checks: list[Check] = []

        def record(what: str, ok: bool, detail: str) -> None:
            checks.append(Check(at, what, ok, detail))

        self._days(expect, record)
        self._doses(expect, at, record)
        self._alerts(expect, record)
        self._notifications("caregiver", self.team.caregiver, expect.notifications, record)
        self._notifications("doctor", self.team.doctor, expect.doctor_notifications, record)
        self._symptoms(expect, record)
        self._device(expect, record)
        return checks

    def _days(self, expect: Expectation, record: Record) -> None:
        if not expect.days:
            return
        days = [self.scenario.local_date(figures.day) for figures in expect.days]
        rows = self.team.caregiver.daily_summaries(self.team.patient_id, min(days), max(days))
        by_date = {str(row["summary_date"]): row for row in rows}
        for figures in expect.days:
            day = self.scenario.local_date(figures.day)
            row = by_date.get(day.isoformat())
            for name, wanted in figures.expected().items():
                actual = None if row is None else row.get(name)
                record(
                    f"day {figures.day} ({day:%a %d %b}) {name}",
                    actual is not None and abs(float(actual) - float(wanted)) < TOLERANCE,
                    f"expected {wanted:g}, API says {actual}",
                )

    def _doses(self, expect: Expectation, at: datetime, record: Record) -> None:
        if not expect.doses:
            return
        doses = self.team.caregiver.doses(self.team.patient_id, self.scenario.start, at.date())
        for status, spec in expect.doses.items():
            actual = sum(1 for dose in doses if dose["status"] == status)
            _count(f"{status} doses", spec, actual, record)

    def _alerts(self, expect: Expectation, record: Record) -> None:
        if not expect.alerts and not expect.open_alerts:
            return
        alerts = self.team.caregiver.alerts(self.team.patient_id)
        for alert_type, spec in expect.alerts.items():
            actual = sum(1 for alert in alerts if alert["alert_type"] == alert_type.value)
            _count(f"{alert_type.value} alerts", spec, actual, record)
        for alert_type, spec in expect.open_alerts.items():
            actual = sum(
                1
                for alert in alerts
                if alert["alert_type"] == alert_type.value and alert["status"] != "resolved"
            )
            _count(f"open {alert_type.value} alerts", spec, actual, record)

    @staticmethod
    def _notifications(
        who: str, client: CloudClient, spec: CountSpec | None, record: Record
    ) -> None:
        if spec is not None:
            _count(f"{who} notifications", spec, len(client.notifications()), record)

    def _symptoms(self, expect: Expectation, record: Record) -> None:
        if not expect.symptoms:
            return
        rows = self.team.caregiver.symptoms(self.team.patient_id)
        logged = [str(row["symptom"]).lower() for row in rows]
        for symptom in expect.symptoms:
            found = any(symptom.lower() in entry for entry in logged)
            record(f"symptom {symptom!r}", found, f"symptom log holds {logged}")

    def _device(self, expect: Expectation, record: Record) -> None:
        device = self.device
        if expect.plan_version is not None:
            runs = device.plan_version()
            api = self.team.caregiver.device(device.device_id).get("plan_version_applied")
            record(
                "plan version",
                runs == expect.plan_version and api == expect.plan_version,
                f"expected v{expect.plan_version}; device runs v{runs}, API says v{api}",
            )
        said = " | ".join(device.said()).lower()
        for phrase in expect.device_said:
            heard = phrase.lower() in said
            record(f"device said {phrase!r}", heard, "heard" if heard else "never said")
        if expect.outbox_empty is not None:
            depth = device.outbox_depth()
            record(
                "device outbox",
                (depth == 0) == expect.outbox_empty,
                f"{depth} messages waiting for an ack",
            )


def _count(what: str, spec: CountSpec, actual: int, record: Record) -> None:
    problem = as_count(spec).check(actual)
    record(
        what,
        problem is None,
        str(actual) if problem is None else f"expected {problem}, API says {actual}",
    )
