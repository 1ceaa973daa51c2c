"""Notification settings: a caregiver manages her own channels and sees what reached her."""

from __future__ import annotations

from datetime import UTC, datetime

from playwright.sync_api import expect
from sqlalchemy.orm import Session

from cloud.notifications.channels import ChannelService
from cloud.notifications.models import (
    ChannelKind,
    DeliveryStatus,
    NotificationChannel,
    NotificationDelivery,
    NotificationEvent,
)
from shared.enums import AlertLevel
from tests.cloud.factories import DEFAULT_PASSWORD, CloudFactory
from tests.cloud.web.browser import Browsing


def test_a_caregiver_adds_and_removes_her_own_channels(
    web: Browsing, db: Session, factory: CloudFactory
) -> None:
    caregiver = factory.caregiver(factory.patient())
    web.sign_in(caregiver.email, DEFAULT_PASSWORD)
    web.page.get_by_role("link", name="Notifications").click()

    web.page.get_by_label("Kind").select_option("webhook")
    web.page.get_by_label("Email address or webhook URL").fill("not a url")
    web.page.get_by_role("button", name="Add channel").click()
    expect(web.page.get_by_role("alert")).to_contain_text("http(s) URL")

    web.page.get_by_label("Kind").select_option("email")
    web.page.get_by_label("Email address or webhook URL").fill("carol@example.org")
    web.page.get_by_role("button", name="Add channel").click()
    expect(web.page.locator(".channels")).to_contain_text("carol@example.org")
    web.check("channels")
    db.expire_all()
    assert [c.target for c in ChannelService(db).of_user(caregiver.id)] == ["carol@example.org"]

    web.page.get_by_role("button", name="Remove email carol@example.org").click()
    expect(web.page.locator("#channels")).to_contain_text("No channel outside MedMind yet.")
    db.expire_all()
    assert list(ChannelService(db).of_user(caregiver.id)) == []


def test_a_caregiver_sees_what_was_delivered_to_her_and_when(
    web: Browsing, db: Session, factory: CloudFactory
) -> None:
    patient = factory.patient()
    caregiver = factory.caregiver(patient)
    channel = NotificationChannel(user_id=caregiver.id, kind=ChannelKind.EMAIL, target="c@x.org")
    event = NotificationEvent(
        user_id=caregiver.id,
        patient_id=patient.id,
        event_type="alert.missed_dose",
        level=AlertLevel.WARNING,
        title="Missed dose: Patient",
    )
    db.add_all([channel, event])
    db.flush()
    sent_at = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)
    db.add(
        NotificationDelivery(
            event_id=event.id,
            channel_id=channel.id,
            status=DeliveryStatus.SENT,
            attempts=2,
            sent_at=sent_at,
        )
    )
    db.commit()

    web.sign_in(caregiver.email, DEFAULT_PASSWORD)
    web.goto("/app/settings")

    row = web.page.locator("table.deliveries tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("30 Nov 09:15 UTC")
    expect(row).to_contain_text("Missed dose: Patient")
    expect(row).to_contain_text("sent")
    expect(row).to_contain_text("after 2 attempts")
    web.check("deliveries")
