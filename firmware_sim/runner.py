"""Runs a scenario: sets the patient up through the REST API, plays their days on a virtual
device at full speed, and checks each `expect` against the REST API.

Time only moves when the runner moves it, so a week takes seconds and every run is the same;
the cloud reads the same virtual clock (plan saves, expansion, ingest, jobs). The network is
real, though: messages travel through the broker to the ingest worker while the
device is online, and before each check the runner waits until the cloud has acknowledged
everything the device sent (unless the cable is cut, when there is nothing to wait for).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from edge_agent.clock import VirtualClock
from firmware_sim.checks import Check, ExpectationChecker
from firmware_sim.device import DeviceOptions, VirtualDevice
from firmware_sim.people import CareTeam, bootstrap_admin, set_up_patient
from firmware_sim.scenario import Action, Expectation, Refill, Scenario
from firmware_sim.stack import LocalCloud
from firmware_sim.voice import SpokenVoice

log = logging.getLogger(__name__)

SYNC_TIMEOUT_S = 60.0
PLAN_TIMEOUT_S = 20.0


@dataclass
class ScenarioResult:
    """Every check of a run, and what the device said."""

    scenario: Scenario
    device_id: str
    checks: list[Check] = field(default_factory=list)
    said: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [check for check in self.checks if not check.ok]

    def report(self) -> str:
        lines = [f"scenario: {self.scenario.name} (device {self.device_id})"]
        lines.extend(f"  {check}" for check in self.checks)
        verdict = "PASSED" if self.passed else f"FAILED ({len(self.failures)} checks)"
        lines.append(f"  {verdict}")
        return "\n".join(lines)


class ScenarioRunner:
    """Plays one scenario against a running `LocalCloud`."""

    def __init__(
        self,
        scenario: Scenario,
        cloud: LocalCloud,
        workdir: Path,
        *,
        device_id: str | None = None,
        llm: bool = False,
        progress: Callable[[str], None] = log.info,
    ) -> None:
        self.scenario = scenario
        self.cloud = cloud
        self.workdir = workdir
        self.device_id = device_id or f"sim-{uuid.uuid4().hex[:12]}"
        self.llm = llm
        self.progress = progress
        self.team: CareTeam | None = None
        self.device: VirtualDevice | None = None
        self.powered = True
        self.plan_version = 0
        self.medication_ids: dict[str, str] = {}

    def run(self) -> ScenarioResult:
        """Set up, play every step in time order, check every expectation; never raises on a
        failed expectation (see `ScenarioResult.passed`)."""
        scenario = self.scenario
        result = ScenarioResult(scenario, self.device_id)
        admin = bootstrap_admin(self.cloud)
        self.team = set_up_patient(admin, self.cloud.api_url, self.device_id, scenario.timezone)
        admin.close()
        clock = VirtualClock(scenario.started_at())
        self.cloud.clock.follow(clock.now)
        self._save_plan(scenario.plan, "scenario plan")
        for supply in scenario.medications:
            made = self.team.caregiver.dispense(
                self.team.patient_id, supply.to_api(), supply.quantity, clock.now()
            )
            self.medication_ids[supply.name] = str(made["id"])
        self.device = self._boot(clock, threading.RLock())
        try:
            self._wait_for_plan()
            for moment, action in scenario.schedule():
                self.device.advance_to(moment)
                result.checks.extend(self._perform(action))
            self.device.advance_to(scenario.ends_at())
            result.said = self.device.said()
        finally:
            self.cloud.clock.follow(None)
            if self.powered:
                self.device.close()
            if self.team is not None:
                self.team.close()
        return result

    def _boot(self, clock: VirtualClock, time_lock: threading.RLock) -> VirtualDevice:
        """Power the device on (its data directory keeps what it stored before)."""
        scenario = self.scenario
        options = DeviceOptions(timezone=scenario.timezone, heartbeat_interval_s=6 * 3600)
        device = VirtualDevice(
            self.device_id,
            self.workdir / self.device_id,
            start=clock.now(),
            broker_url=self.cloud.mqtt_url,
            options=options,
            clock=clock,
            time_lock=time_lock,
        )
        device.start()
        if any(action.say is not None for _, action in scenario.schedule()):
            device.attach_voice(SpokenVoice(device, llm=self.llm))
        self.powered = True
        return device

    def _power(self, state: str) -> None:
        device = self.device
        assert device is not None
        if state == "off" and self.powered:
            device.power_off()
            self.powered = False
        elif state == "on" and not self.powered:
            self.device = self._boot(device.clock, device.time_lock)
            if not self.device.wait_connected(SYNC_TIMEOUT_S):
                raise TimeoutError(f"device {self.device_id} did not reconnect after power on")
            # Let the agent catch up with the time it was off (doses closed meanwhile).
            self.device.advance(0)

    # -- steps -----------------------------------------------------------------------------

    def _perform(self, action: Action) -> list[Check]:
        device = self.device
        assert device is not None
        kind = action.kind
        if not self.powered and kind in ("press", "hold", "say"):
            self.progress(f"{self._local_now():%a %H:%M} {kind} ignored: the device is off")
            return []
        if action.power is not None:
            self._power(action.power)
        elif action.press is not None:
            device.press(action.press)
        elif action.hold is not None:
            device.hold(action.hold)
        elif action.say is not None:
            device.speak(action.say)
        elif action.network == "cut":
            device.cut_network()
        elif action.network == "restore":
            device.restore_network()
        elif action.refill is not None:
            self._refill(action.refill)
        elif action.change_plan is not None:
            self._save_plan(action.change_plan, "changed during the scenario")
            self._wait_for_plan()
        elif action.expect is not None:
            return self._check(action.expect)
        self.progress(f"{self._local_now():%a %H:%M} {kind} {_describe(action)}")
        return []

    def _local_now(self) -> datetime:
        """The scenario's wall time (the device may be off)."""
        assert self.device is not None
        return self.device.clock.now().astimezone(self.scenario.zone)

    def _refill(self, refill: Refill) -> None:
        assert self.team is not None and self.device is not None
        supply = next(s for s in self.scenario.medications if s.name == refill.medication)
        self.team.caregiver.dispense(
            self.team.patient_id,
            supply.to_api(),
            refill.quantity,
            self.device.clock.now(),
            medication_id=self.medication_ids[refill.medication],
        )

    def _save_plan(self, lines: list[Any], note: str) -> None:
        assert self.team is not None
        items = [line.to_api(self.scenario.start) for line in lines]
        saved = self.team.doctor.save_plan(
            self.team.patient_id, items, self.scenario.timezone, note
        )
        self.plan_version = int(saved["version"])

    def _wait_for_plan(self) -> None:
        device = self.device
        assert device is not None
        if not device.wait_for_plan(self.plan_version, PLAN_TIMEOUT_S):
            raise TimeoutError(
                f"device {self.device_id} did not apply plan version {self.plan_version}"
            )
        # The plan arrives on the sync thread: let the agent catch up with the clock.
        device.advance(0)

    # -- checks ----------------------------------------------------------------------------

    def _settle(self) -> None:
        """Let everything the device made reach the cloud (when the network lets it)."""
        device = self.device
        assert device is not None
        if device.network_up and not device.wait_synced(SYNC_TIMEOUT_S):
            raise TimeoutError(
                f"device {self.device_id} still has {device.outbox_depth()} unacked messages"
            )

    def _check(self, expect: Expectation) -> list[Check]:
        device, team = self.device, self.team
        assert device is not None and team is not None
        self._settle()
        self._run_jobs(device.clock.now())
        checks = ExpectationChecker(self.scenario, team, device).check(expect)
        for item in checks:
            self.progress(str(item))
        return checks

    def _run_jobs(self, now: datetime) -> None:
        """Summaries for every scenario day that has ended, then every other job, as of `now`."""
        from cloud.jobs.runner import run_job

        context = self.cloud.job_context()
        zone = self.scenario.zone
        today = now.astimezone(zone).date()
        day: date = self.scenario.start
        while day < today:
            run_job(context, "daily-summaries", now, day)
            day += timedelta(days=1)
        run_job(context, "weekly-summaries", now, self.scenario.start)
        self.cloud.run_jobs(now)


def _describe(action: Action) -> str:
    if action.press is not None:
        return action.press.value
    if action.hold is not None:
        return action.hold.value
    if action.say is not None:
        return repr(action.say)
    if action.network is not None:
        return action.network
    if action.power is not None:
        return action.power
    if action.refill is not None:
        return f"{action.refill.medication} x{action.refill.quantity:g}"
    return ""
