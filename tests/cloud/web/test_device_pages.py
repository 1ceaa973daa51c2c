"""Devices: status for the care team; registration and one-time credentials for admins."""

from __future__ import annotations

from datetime import UTC, datetime

from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.devices.models import Device, DeviceCredential
from cloud.users.passwords import verify_password
from tests.cloud.analytics.history import History
from tests.cloud.factories import DEFAULT_PASSWORD, CloudFactory
from tests.cloud.web.browser import Browsing


def _password_works(db: Session, device_id: str, password: str) -> bool:
    db.expire_all()
    credential = db.scalar(
        select(DeviceCredential)
        .join(Device, Device.id == DeviceCredential.device_pk)
        .where(Device.device_id == device_id)
    )
    return credential is not None and verify_password(password, credential.password_hash)


def test_an_admin_registers_a_device_and_sees_its_credentials_once(
    web: Browsing, db: Session, factory: CloudFactory
) -> None:
    patient = factory.patient()
    admin = factory.admin()
    device_id = f"bedside-{patient.id.hex[:8]}"
    web.sign_in(admin.email, DEFAULT_PASSWORD)
    web.goto(f"/app/patients/{patient.id}/devices")

    web.page.get_by_label("Device id").fill(device_id)
    web.page.get_by_label("Name").fill("Bedroom")
    web.page.get_by_role("button", name="Register and show its credentials").click()

    password = web.page.locator("[data-credential=password]").inner_text()
    expect(web.page.locator("[data-credential=username]")).to_have_text(device_id)
    expect(web.page.locator("figure.qr svg")).to_be_visible()
    assert _password_works(db, device_id, password)
    web.check("credentials")

    web.goto(f"/app/patients/{patient.id}/devices")
    expect(web.page.locator(f"[data-device='{device_id}']")).not_to_contain_text(password)
    web.page.get_by_role("button", name="Issue new credentials").click()
    reissued = web.page.locator("[data-credential=password]").inner_text()
    assert reissued != password
    assert _password_works(db, device_id, reissued)
    assert not _password_works(db, device_id, password), "the old password still works"


def test_a_caregiver_sees_how_the_device_is_doing_but_may_not_reissue(
    web: Browsing, db: Session, factory: CloudFactory
) -> None:
    patient = factory.patient()
    caregiver = factory.caregiver(patient)
    device = factory.device(patient).device
    beat = History(db).heartbeat(device, datetime.now(UTC))
    beat.outbox_depth = 3
    device.online, device.software_version, device.clock_offset_s = True, "1.4.2", -0.4
    db.commit()
    web.sign_in(caregiver.email, DEFAULT_PASSWORD)
    web.goto(f"/app/patients/{patient.id}/devices")

    card = web.page.locator(f"[data-device='{device.device_id}']")
    expect(card).to_contain_text("online")
    expect(card).to_contain_text("1.4.2")
    expect(card).to_contain_text("3 messages")
    expect(card).to_contain_text("-0.4 s")
    expect(web.page.get_by_role("button", name="Issue new credentials")).to_have_count(0)
    web.check("device-status")

    csrf = web.page.locator("input[name=csrf_token]").first.get_attribute("value")
    refused = web.page.request.post(
        f"{web.base_url}/app/patients/{patient.id}/devices/{device.device_id}/credentials",
        form={"csrf_token": csrf or ""},
    )
    assert refused.status == 403
