"""Long names and addresses wrap on a phone instead of widening the page."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect
from sqlalchemy.orm import Session

from tests.cloud.factories import DEFAULT_PASSWORD, CloudFactory
from tests.cloud.web.browser import PHONE_WIDTH, Browsing

# A 64-character local part (the most an address may have) and a name with no place to break.
LONG_NAME = "Zoë Ångström-Núñez " + "Wolfeschlegelsteinhausenbergerdorff" * 2
LONG_LOCAL = "a" * 56 + uuid.uuid4().hex[:8]


def _page_width(web: Browsing) -> int:
    width: int = web.page.evaluate("document.documentElement.scrollWidth")
    return width


def test_a_long_name_and_address_fit_a_phone_screen(
    web: Browsing, factory: CloudFactory, db: Session
) -> None:
    patient = factory.patient()
    doctor = factory.doctor(patient)
    admin = factory.admin()
    member = factory.caregiver(patient)
    member.full_name, member.email = LONG_NAME, f"{LONG_LOCAL}@example.test"
    db.commit()
    web.page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})

    web.sign_in(doctor.email, DEFAULT_PASSWORD)
    web.goto(f"/app/patients/{patient.id}/team")
    expect(web.page.locator("#members").get_by_text(LONG_NAME)).to_be_visible()
    assert _page_width(web) <= PHONE_WIDTH
    web.check("care-team-long-name")

    web.sign_in(member.email, DEFAULT_PASSWORD)
    web.goto(f"/app/patients/{patient.id}")
    web.sign_in(doctor.email, DEFAULT_PASSWORD)
    web.goto(f"/app/patients/{patient.id}/access-log")
    expect(web.page.locator("table.access-log").get_by_text(LONG_NAME).first).to_be_visible()
    assert _page_width(web) <= PHONE_WIDTH
    web.check("access-log-long-name")

    web.sign_in(admin.email, DEFAULT_PASSWORD)
    web.goto(f"/app/users?q={LONG_LOCAL}")
    expect(web.page.get_by_role("rowheader", name=LONG_NAME)).to_be_visible()
    assert _page_width(web) <= PHONE_WIDTH
    web.check("people-long-name")
