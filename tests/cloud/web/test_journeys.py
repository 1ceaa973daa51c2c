"""The journeys of the issue, end to end: Chromium, the real API, PostgreSQL, the broker, the
ingest worker and a simulated bedside device running the real edge agent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cloud.alerts.models import AlertLog, AlertStatus
from cloud.notifications.models import NotificationEvent
from firmware_sim.stack import LocalCloud
from tests.cloud.factories import DEFAULT_PASSWORD, CloudFactory
from tests.cloud.web.bedside import bedside, care_circle, in_minutes, metformin, settle
from tests.cloud.web.browser import Browsing

# Past the dose's late window (120 minutes), when the device gives up and reports it missed.
PAST_THE_WINDOW = timedelta(minutes=150)
LIVE_WITHIN_MS = 5000


def _notified(db: Session, user_id: object) -> int:
    db.expire_all()
    return (
        db.scalar(
            select(func.count())
            .select_from(NotificationEvent)
            .where(NotificationEvent.user_id == user_id)
        )
        or 0
    )


def _open_alerts(db: Session, patient_id: object) -> int:
    db.expire_all()
    return (
        db.scalar(
            select(func.count())
            .select_from(AlertLog)
            .where(AlertLog.patient_id == patient_id, AlertLog.status != AlertStatus.RESOLVED)
        )
        or 0
    )


def test_a_caregiver_acknowledges_a_missed_dose_and_the_doctor_is_not_woken(
    web: Browsing, web_cloud: LocalCloud, db: Session, factory: CloudFactory, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    circle = care_circle(factory, now)
    calm = factory.patient()
    factory.caregiver(calm)
    items = [metformin(circle, now, [in_minutes(circle, now, 10)])]
    with bedside(
        cloud=web_cloud, db=db, workdir=tmp_path, circle=circle, items=items, now=now
    ) as device:
        device.advance(PAST_THE_WINDOW.total_seconds())
        settle(device)
        web_cloud.run_jobs(device.clock.now())
        assert _notified(db, circle.caregiver.id) >= 1, "the ladder should tell the caregiver"

        web.sign_in(circle.caregiver.email, DEFAULT_PASSWORD)
        first = web.page.locator("table.patients tbody tr").first
        expect(first.get_by_role("rowheader")).to_have_text(circle.patient.full_name)
        expect(first.locator(".missed")).to_have_text("1 missed")
        web.check("missed-dose-first")
        first.get_by_role("link", name=circle.patient.full_name).click()
        alert = web.page.locator(".open-alerts > li").filter(has_text="Missed dose")
        expect(alert).to_contain_text("Next: doctors")
        alert.get_by_role("button", name="Acknowledge").click()
        expect(alert).to_contain_text("escalation stopped")

        web_cloud.run_jobs(device.clock.now() + timedelta(minutes=45))
        assert _notified(db, circle.doctor.id) == 0, "an acknowledged alert reached the doctor"


def test_a_new_device_alert_appears_on_the_open_page_within_5_s(
    web: Browsing, web_cloud: LocalCloud, db: Session, factory: CloudFactory, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    circle = care_circle(factory, now)
    items = [metformin(circle, now, [in_minutes(circle, now, 10)])]
    with bedside(
        cloud=web_cloud, db=db, workdir=tmp_path, circle=circle, items=items, now=now
    ) as device:
        web.sign_in(circle.caregiver.email, DEFAULT_PASSWORD)
        overview = web.page.context.new_page()
        overview.goto(f"{web.base_url}/app/")
        expect(overview).to_have_title("My patients · MedMind")
        web.goto(f"/app/patients/{circle.patient.id}")
        expect(web.page.locator("#alerts")).to_contain_text("No open alerts.")
        expect(web.page).to_have_title(f"{circle.patient.full_name} · MedMind")

        device.advance(PAST_THE_WINDOW.total_seconds())
        settle(device)

        alert = web.page.locator(".open-alerts > li").filter(has_text="Missed dose")
        expect(alert).to_be_visible(timeout=LIVE_WITHIN_MS)
        expect(web.page).to_have_title(
            f"(1) {circle.patient.full_name} · MedMind", timeout=LIVE_WITHIN_MS
        )
        expect(overview).to_have_title("(1) My patients · MedMind", timeout=LIVE_WITHIN_MS)
        expect(overview.locator("table.patients tbody tr .alerts")).to_have_text("1")
        web.check("live-alert")


def test_a_changed_evening_time_is_applied_on_the_device(
    web: Browsing, web_cloud: LocalCloud, db: Session, factory: CloudFactory, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    circle = care_circle(factory, now)
    items = [metformin(circle, now, ["08:00", "20:00"])]
    with bedside(
        cloud=web_cloud, db=db, workdir=tmp_path, circle=circle, items=items, now=now
    ) as device:
        settle(device)
        web.sign_in(circle.caregiver.email, DEFAULT_PASSWORD)
        web.goto(f"/app/patients/{circle.patient.id}/plan")
        expect(web.page.locator("[data-rollout]")).to_have_text("applied on the device")

        times = web.page.get_by_label("Times of day").first
        times.fill("08:00, 21:00")
        web.page.get_by_role("button", name="Save change").first.click()

        expect(web.page.locator(".rollout-status")).to_contain_text("Version 2")
        assert device.wait_for_plan(2, 20), "the device did not receive version 2"
        settle(device)
        expect(web.page.locator("[data-rollout]")).to_have_text(
            "applied on the device", timeout=LIVE_WITHIN_MS
        )
        expect(web.page.get_by_label("Times of day").first).to_have_value("08:00, 21:00")
        web.check("plan-applied")


def test_a_paused_medication_is_neither_reminded_nor_missed_until_resumed(
    web: Browsing, web_cloud: LocalCloud, db: Session, factory: CloudFactory, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    circle = care_circle(factory, now)
    items = [metformin(circle, now, [in_minutes(circle, now, 10)])]
    with bedside(
        cloud=web_cloud, db=db, workdir=tmp_path, circle=circle, items=items, now=now
    ) as device:
        settle(device)
        web.sign_in(circle.caregiver.email, DEFAULT_PASSWORD)
        web.goto(f"/app/patients/{circle.patient.id}/plan")
        line = web.page.locator("section.plan-line").filter(has_text="Metformin")
        line.get_by_role("button", name="Pause").click()

        expect(line.locator("h2")).to_contain_text("paused")
        assert device.wait_for_plan(2, 20), "the device did not receive version 2"
        device.advance(PAST_THE_WINDOW.total_seconds())
        settle(device)
        web_cloud.run_jobs(device.clock.now())
        assert not [text for text in device.said() if "Metformin" in text]
        assert _open_alerts(db, circle.patient.id) == 0
        expect(web.page.locator("[data-rollout]")).to_have_text(
            "applied on the device", timeout=LIVE_WITHIN_MS
        )
        web.check("plan-paused")

        line.get_by_role("button", name="Resume").click()
        expect(line.get_by_role("button", name="Pause")).to_be_visible()
        assert device.wait_for_plan(3, 20), "the device did not receive version 3"
        assert device.snapshot().upcoming, "resumed: the device expects its doses again"
