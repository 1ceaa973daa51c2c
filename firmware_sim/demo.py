"""`medmind demo`: the whole system on this machine, live, with one simulated patient's day.

It starts the local cloud (embedded PostgreSQL and broker unless `MEDMIND_DATABASE_URL` /
`MEDMIND_MQTT_URL` say otherwise, the REST API, the ingest worker and the jobs scheduler on the
simulated clock), makes a caregiver, a doctor, a patient, a device and a plan through the API,
and plays a day at `speed` times real time: reminders are spoken, buttons pressed, a dose is
forgotten and escalated, the network drops for a while. It prints what happens, where to look,
and the day's summary when the day is over or the time is up. Ctrl-C ends it too.
"""

from __future__ import annotations

import heapq
import itertools
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from firmware_sim.device import DeviceOptions, VirtualDevice
from firmware_sim.people import DEMO_PASSWORD, CareTeam, bootstrap_admin, set_up_patient
from firmware_sim.plans import demo_plan
from firmware_sim.stack import LocalCloud
from firmware_sim.voice import SpokenVoice
from shared.enums import Button
from shared.signals import stop_on_termination

Echo = Callable[[str], None]
DEMO_ADMIN = "admin@medmind.example"
PROGRESS_EVERY_S = 0.5


@dataclass(frozen=True)
class Beat:
    """One thing that happens in the demo day, at a local wall time."""

    at: str
    what: str
    act: Callable[[VirtualDevice], None]


def demo_day() -> list[Beat]:
    """The patient's day: good mornings, a forgotten midday dose, a late evening, an outage."""
    return [
        Beat("08:03", "patient presses TAKEN", lambda d: d.press(Button.TAKEN)),
        Beat("10:30", 'patient says "I have a bad headache"', _headache),
        Beat("11:00", "patient holds TAKEN for the as-needed menu", lambda d: d.hold(Button.TAKEN)),
        Beat(
            "11:00", "patient presses TAKEN to choose Paracetamol", lambda d: d.press(Button.TAKEN)
        ),
        Beat("13:00", "patient is out in the garden (the midday dose will be missed)", _nothing),
        Beat("17:00", "the home's internet goes down", lambda d: d.cut_network()),
        Beat("18:30", "the internet is back", lambda d: d.restore_network()),
        Beat("20:35", "patient presses TAKEN, late", lambda d: d.press(Button.TAKEN)),
    ]


def routine_day() -> list[Beat]:
    """Every later day (if the demo keeps running): each dose taken a few minutes after it."""
    return [
        Beat(at, "patient presses TAKEN", lambda d: d.press(Button.TAKEN))
        for at in ("08:03", "13:04", "20:02")
    ]


def _headache(device: VirtualDevice) -> None:
    device.speak("I have a bad headache")


def _nothing(device: VirtualDevice) -> None:
    """The patient does nothing (the beat only narrates)."""


class DemoDay:
    """Runs the beats on the device's clock thread as simulated time reaches them: the demo
    day first, then a routine day after day for as long as the demo runs."""

    def __init__(self, device: VirtualDevice, day: date, echo: Echo) -> None:
        self.device = device
        self.echo = echo
        self._counter = itertools.count()
        self._beats: list[tuple[datetime, int, Beat]] = []
        self._last_day = day
        self._plan(day, demo_day())

    def _plan(self, day: date, beats: list[Beat]) -> None:
        zone = self.device.agent.zone
        for beat in beats:
            hour, minute = (int(part) for part in beat.at.split(":"))
            moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
            heapq.heappush(self._beats, (moment, next(self._counter), beat))

    def step(self) -> None:
        now = self.device.clock.now()
        if not self._beats:
            self._last_day += timedelta(days=1)
            self._plan(self._last_day, routine_day())
        while self._beats and self._beats[0][0] <= now:
            _, _, beat = heapq.heappop(self._beats)
            self.echo(f"  [{self.device.local_now():%H:%M}] {beat.what}")
            beat.act(self.device)


class Demo:
    """Everything the demo runs; `run()` blocks until the duration ends or Ctrl-C."""

    def __init__(
        self,
        *,
        duration_s: float | None,
        speed: float,
        timezone: str,
        echo: Echo,
        workdir: Path,
        api_port: int | None = None,
    ) -> None:
        self.duration_s = duration_s
        self.speed = speed
        self.zone = ZoneInfo(timezone)
        self.echo = echo
        self.workdir = workdir
        self.cloud = LocalCloud(embedded_pg_dir=workdir / "pgdata", api_port=api_port, name="demo")
        self.stop_event = threading.Event()
        self.device: VirtualDevice | None = None
        self.team: CareTeam | None = None
        self.scheduler: Any = None
        self.day = datetime.now(self.zone).date()

    # -- lifecycle -------------------------------------------------------------------------

    def run(self) -> None:
        started = time.monotonic()
        self.echo("MedMind demo: starting the system on this machine")
        self.cloud.start(progress=lambda text: self.echo(f"  {text}"))
        try:
            self._seed()
            self._start_device()
            self._start_jobs()
            self._where_to_look()
            self._watch(started)
        finally:
            self._summary()
            self._shutdown()

    def request_stop(self) -> None:
        """End the demo early (from any thread)."""
        self.stop_event.set()

    def _seed(self) -> None:
        admin = bootstrap_admin(self.cloud, DEMO_ADMIN, DEMO_PASSWORD)
        device_id = f"demo-{uuid.uuid4().hex[:6]}"
        self.team = set_up_patient(
            admin,
            self.cloud.api_url,
            device_id,
            self.zone.key,
            label=device_id,
            password=DEMO_PASSWORD,
        )
        plan = demo_plan(uuid.uuid4(), self.zone.key, self.day)
        items = [
            item.model_dump(mode="json", exclude={"item_id", "medication_id"})
            for item in plan.items
        ]
        self.team.doctor.save_plan(self.team.patient_id, items, self.zone.key, "demo plan")
        admin.close()
        self.echo(f"  seeded a caregiver, a doctor, patient {self.team.patient_id} and a plan")

    def _start_device(self) -> None:
        assert self.team is not None
        start = datetime.combine(self.day, datetime.min.time(), tzinfo=self.zone) + timedelta(
            hours=6, minutes=30
        )
        device = VirtualDevice(
            self.team.device_id,
            self.workdir / "device",
            start=start,
            broker_url=self.cloud.mqtt_url,
            options=DeviceOptions(timezone=self.zone.key, heartbeat_interval_s=1800),
        )
        self.device = device
        self.cloud.clock.follow(device.clock.now)
        device.start()
        device.attach_voice(SpokenVoice(device))
        if not device.wait_for_plan(1, 30):
            raise TimeoutError("the simulated device never received its plan")
        script = DemoDay(device, self.day, self.echo)
        device.run_clock(self.speed, on_step=script.step)
        self.echo(f"  device {device.device_id} is online and runs the plan")

    def _start_jobs(self) -> None:
        from cloud.jobs.runner import Scheduler
        from cloud.jobs.settings import JobsSettings

        device = self.device
        assert device is not None
        context = self.cloud.job_context()
        # Intervals are on the simulated clock: every ten simulated minutes is plenty.
        context.jobs = JobsSettings(
            escalations_every_s=600,
            deliveries_every_s=300,
            summaries_every_s=1800,
            insights_every_s=6 * 3600,
        )
        speed = self.speed

        def sleep(seconds: float) -> None:
            self.stop_event.wait(min(seconds / max(speed, 1.0), 0.5))

        scheduler = Scheduler(context, clock=device.clock.now, sleep=sleep)
        self.scheduler = scheduler
        threading.Thread(target=scheduler.run_forever, name="jobs", daemon=True).start()
        self.echo("  jobs: summaries, escalations and notifications run on the simulated clock")

    def _where_to_look(self) -> None:
        team = self.team
        assert team is not None
        api = self.cloud.api_url
        self.echo("")
        self.echo("Where to look while it runs:")
        self.echo(f"  web app:    {api}/app/  (sign in with a login below)")
        self.echo(f"  API docs:   {api}/docs")
        self.echo(f"  log in:     {team.caregiver_email} / {team.password}  (caregiver)")
        self.echo(f"              {team.doctor_email} / {team.password}  (doctor)")
        self.echo(f"  patient:    {api}/api/v1/patients/{team.patient_id}")
        self.echo(f"  doses:      {api}/api/v1/patients/{team.patient_id}/occurrences")
        self.echo(f"  adherence:  {api}/api/v1/patients/{team.patient_id}/adherence")
        self.echo(f"  alerts:     {api}/api/v1/patients/{team.patient_id}/alerts")
        self.echo(f"  summaries:  {api}/api/v1/patients/{team.patient_id}/summaries/daily")
        self.echo(
            f"  e.g. curl -d username={team.caregiver_email} -d password={team.password} "
            f"{api}/api/v1/auth/login"
        )
        self.echo("")
        pace = "Ctrl-C to stop" if self.duration_s is None else f"{self.duration_s:g} s"
        self.echo(f"A simulated day at {self.speed:g}x real time ({pace}):")

    # -- while it runs ---------------------------------------------------------------------

    def _watch(self, started: float) -> None:
        device = self.device
        assert device is not None
        heard = 0
        was_connected = device.connected
        day_over = datetime.combine(
            self.day + timedelta(days=1), datetime.min.time(), tzinfo=self.zone
        ) + timedelta(minutes=30)
        announced_end = False
        while not self.stop_event.wait(PROGRESS_EVERY_S):
            utterances = device.utterances()
            for utterance in utterances[heard:]:
                when = utterance.started_at.astimezone(self.zone)
                self.echo(f"  [{when:%H:%M}] device says: {utterance.text}")
            heard = len(utterances)
            if device.connected != was_connected:
                was_connected = device.connected
                state = "online again" if was_connected else "offline"
                depth = device.outbox_depth()
                self.echo(
                    f"  [{device.local_now():%H:%M}] device is {state} ({depth} waiting to sync)"
                )
            if not announced_end and device.clock.now() >= day_over:
                announced_end = True
                device.run_clock(60.0)
                self.echo(f"  [{device.local_now():%H:%M}] the day is over; time now runs at 60x")
                self._summary()
            if self.duration_s is not None and time.monotonic() - started >= self.duration_s:
                return

    def _summary(self) -> None:
        """The day as the cloud's REST API tells it."""
        team, device = self.team, self.device
        if team is None or device is None:
            return
        from cloud.jobs.runner import run_job

        device.wait_synced(10)
        now = device.clock.now()
        context = self.cloud.job_context()
        run_job(context, "daily-summaries", now, self.day)
        run_job(context, "escalations", now)
        run_job(context, "deliveries", now)
        client = team.caregiver
        rows = client.daily_summaries(team.patient_id, self.day, self.day)
        self.echo("")
        self.echo(
            f"Summary of {self.day:%A %d %B %Y} "
            f"(from the REST API, at {device.local_now():%H:%M} simulated):"
        )
        if rows:
            row = rows[0]
            pct = row.get("adherence_pct")
            shown = "n/a" if pct is None else f"{float(pct):.0f} %"
            self.echo(
                f"  adherence {shown}: {row['scheduled']} scheduled, {row['on_time']} on time, "
                f"{row['late']} late, {row['missed']} missed, {row['skipped']} skipped, "
                f"{row['pending']} still pending, {row['as_needed_doses']} as needed"
            )
        alerts = client.alerts(team.patient_id)
        self.echo(f"  alerts: {len(alerts)}")
        for alert in alerts:
            self.echo(
                f"    {alert['alert_type']} ({alert['level']}, {alert['status']}): "
                f"{alert['message']}"
            )
        notes = client.notifications()
        symptoms = client.symptoms(team.patient_id)
        told = ", ".join(str(row["symptom"]) for row in symptoms) or "none"
        self.echo(f"  symptoms logged: {told}")
        self.echo(f"  caregiver notifications: {len(notes)}")
        escalated = team.doctor.notifications()
        self.echo(f"  doctor notifications (escalations, emergencies): {len(escalated)}")
        self.echo(f"  device outbox: {device.outbox_depth()} waiting for an ack")

    def _shutdown(self) -> None:
        if self.scheduler is not None:
            self.scheduler.stop()
        if self.device is not None:
            self.device.close()
        if self.team is not None:
            self.team.close()
        self.cloud.stop()
        self.echo("MedMind demo stopped.")


def run_demo(
    *,
    duration_s: float | None,
    speed: float,
    timezone: str,
    echo: Echo,
    api_port: int | None = None,
) -> None:
    """Run the demo in a fresh working directory; Ctrl-C or SIGTERM end it cleanly."""
    with tempfile.TemporaryDirectory(prefix="medmind-demo-") as workdir:
        demo = Demo(
            duration_s=duration_s,
            speed=speed,
            timezone=timezone,
            echo=echo,
            workdir=Path(workdir),
            api_port=api_port,
        )
        stop_on_termination(demo.request_stop)
        demo.run()
