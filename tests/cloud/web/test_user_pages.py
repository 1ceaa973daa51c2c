"""Admins find people, deactivate and reactivate them and change their role; others may not."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.cloud.factories import DEFAULT_PASSWORD, CloudFactory
from tests.cloud.web.browser import Browsing


def test_an_admin_deactivates_a_caregiver_and_changes_a_role(
    web: Browsing, factory: CloudFactory
) -> None:
    admin = factory.admin()
    caregiver = factory.caregiver(factory.patient())
    web.sign_in(admin.email, DEFAULT_PASSWORD)
    web.page.get_by_role("link", name="People").click()
    web.page.get_by_label("Name or email contains").fill(caregiver.email)
    web.page.get_by_role("button", name="Find").click()
    row = web.page.locator(f"tr[data-user='{caregiver.email}']")
    expect(row).to_have_count(1)
    web.check("people")

    row.get_by_role("button", name=f"Deactivate {caregiver.full_name}").click()
    expect(row.get_by_text("deactivated")).to_be_visible()
    row.get_by_label(f"Role of {caregiver.full_name}", exact=True).select_option("doctor")
    row.get_by_role("button", name=f"Change the role of {caregiver.full_name}").click()
    expect(row.locator("td[data-label=Role]")).to_have_text("doctor")
    row.get_by_role("button", name=f"Reactivate {caregiver.full_name}").click()
    expect(row.get_by_text("active", exact=True)).to_be_visible()


def test_only_admins_manage_people(web: Browsing, factory: CloudFactory) -> None:
    caregiver = factory.caregiver(factory.patient())
    web.sign_in(caregiver.email, DEFAULT_PASSWORD)

    expect(web.page.get_by_role("link", name="People")).to_have_count(0)
    response = web.page.goto(f"{web.base_url}/app/users")

    assert response is not None and response.status == 403
    expect(web.page.get_by_role("heading", name="Not allowed")).to_be_visible()
