"""Signing in and out of the web app, CSRF, and who sees which patient."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

from firmware_sim.stack import LocalCloud
from tests.cloud.factories import DEFAULT_PASSWORD, CloudFactory
from tests.cloud.web.browser import Browsing


def test_a_caregiver_signs_in_and_sees_her_patients(web: Browsing, factory: CloudFactory) -> None:
    mine, other = factory.patient(), factory.patient()
    factory.caregiver(other)
    caregiver = factory.caregiver(mine)

    web.goto("/app/")
    expect(web.page).to_have_url(f"{web.base_url}/app/login?next=%2Fapp%2F")
    web.check("sign-in")
    web.sign_in(caregiver.email, DEFAULT_PASSWORD)

    expect(web.page.get_by_role("heading", name="My patients")).to_be_visible()
    expect(web.page.get_by_role("link", name=mine.full_name)).to_be_visible()
    expect(web.page.get_by_role("link", name=other.full_name)).to_have_count(0)
    web.check("my-patients")


def test_a_wrong_password_is_refused_with_a_message(web: Browsing, factory: CloudFactory) -> None:
    caregiver = factory.caregiver(factory.patient())

    web.sign_in(caregiver.email, "not the password")

    expect(web.page.get_by_role("alert")).to_have_text("Wrong email or password.")
    web.check("wrong-password")


def test_a_deactivated_account_is_told_so_only_with_its_right_password(
    web: Browsing, factory: CloudFactory
) -> None:
    caregiver = factory.caregiver(factory.patient())
    caregiver.is_active = False
    factory.db.commit()

    web.sign_in(caregiver.email, "not the password")
    expect(web.page.get_by_role("alert")).to_have_text("Wrong email or password.")
    web.sign_in(caregiver.email, DEFAULT_PASSWORD)

    expect(web.page.get_by_role("alert")).to_contain_text("deactivated")
    expect(web.page.get_by_role("heading", name="My patients")).to_have_count(0)
    web.check("deactivated")


def test_the_session_cookie_is_httponly_and_samesite(web: Browsing, factory: CloudFactory) -> None:
    caregiver = factory.caregiver(factory.patient())

    web.sign_in(caregiver.email, DEFAULT_PASSWORD)

    cookies = {cookie["name"]: cookie for cookie in web.page.context.cookies()}
    session = cookies["medmind_session"]
    assert session["httpOnly"] is True
    assert session["sameSite"] == "Lax"
    assert session["path"] == "/app"


def test_an_unlinked_patient_is_a_not_found_page(web: Browsing, factory: CloudFactory) -> None:
    unlinked = factory.patient()
    caregiver = factory.caregiver(factory.patient())
    web.sign_in(caregiver.email, DEFAULT_PASSWORD)

    response = web.page.goto(f"{web.base_url}/app/patients/{unlinked.id}")

    assert response is not None and response.status == 404
    expect(web.page.get_by_role("heading", name="Not found")).to_be_visible()
    expect(web.page.get_by_text(unlinked.full_name)).to_have_count(0)
    web.check("not-found")


def test_a_form_posted_without_its_csrf_token_is_refused(
    web: Browsing, factory: CloudFactory
) -> None:
    caregiver = factory.caregiver(factory.patient())
    web.sign_in(caregiver.email, DEFAULT_PASSWORD)

    # The session cookie goes along (same site), the page's token does not.
    response = web.page.request.post(f"{web.base_url}/app/logout", form={"csrf_token": "forged"})

    assert response.status == 403
    web.goto("/app/")
    web.page.locator("form.sign-out input[name=csrf_token]").evaluate("input => input.remove()")
    web.page.get_by_role("button", name="Sign out").click()
    expect(web.page.get_by_role("heading", name="This form was refused")).to_be_visible()
    web.check("form-refused")
    web.goto("/app/")
    expect(web.page.get_by_role("heading", name="My patients")).to_be_visible()


def test_after_logout_the_back_button_shows_nothing_private(
    web: Browsing, factory: CloudFactory
) -> None:
    patient = factory.patient()
    caregiver = factory.caregiver(patient)
    web.sign_in(caregiver.email, DEFAULT_PASSWORD)
    web.goto(f"/app/patients/{patient.id}")
    expect(web.page.get_by_role("heading", name=patient.full_name)).to_be_visible()

    web.page.get_by_role("button", name="Sign out").click()
    expect(web.page.get_by_role("heading", name="Sign in")).to_be_visible()
    web.page.go_back()

    expect(web.page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(web.page.get_by_text(patient.full_name)).to_have_count(0)


def test_logout_ends_the_session_on_the_server(
    web: Browsing, factory: CloudFactory, web_cloud: LocalCloud
) -> None:
    caregiver = factory.caregiver(factory.patient())
    web.sign_in(caregiver.email, DEFAULT_PASSWORD)
    cookie = next(c for c in web.page.context.cookies() if c["name"] == "medmind_session")

    web.page.get_by_role("button", name="Sign out").click()
    expect(web.page.get_by_role("heading", name="Sign in")).to_be_visible()

    # The old cookie, replayed by someone who copied it, no longer opens anything.
    replayed = httpx.get(f"{web_cloud.api_url}/app/", cookies={"medmind_session": cookie["value"]})
    assert replayed.status_code == 303
    assert replayed.headers["location"].startswith("/app/login")


def test_signing_in_as_someone_else_ends_the_earlier_session(
    web: Browsing, factory: CloudFactory, web_cloud: LocalCloud
) -> None:
    patient = factory.patient()
    doctor, daughter = factory.doctor(patient), factory.caregiver(patient)
    web.sign_in(doctor.email, DEFAULT_PASSWORD)
    cookie = next(c for c in web.page.context.cookies() if c["name"] == "medmind_session")

    # The daughter signs in on the doctor's computer (or joins from her invitation there).
    web.sign_in(daughter.email, DEFAULT_PASSWORD)
    expect(web.page.get_by_text(f"{daughter.full_name} (caregiver)")).to_be_visible()

    # The doctor's session, whose cookie the browser just replaced, is over on the server too.
    replayed = httpx.get(f"{web_cloud.api_url}/app/", cookies={"medmind_session": cookie["value"]})
    assert replayed.status_code == 303
    assert replayed.headers["location"].startswith("/app/login")


def test_the_keyboard_reaches_the_skip_link_then_the_menu(
    web: Browsing, factory: CloudFactory
) -> None:
    caregiver = factory.caregiver(factory.patient())
    web.sign_in(caregiver.email, DEFAULT_PASSWORD)

    web.page.keyboard.press("Tab")
    expect(web.page.get_by_role("link", name="Skip to content")).to_be_focused()
    web.page.keyboard.press("Tab")
    expect(web.page.get_by_role("link", name="MedMind")).to_be_focused()
    web.page.keyboard.press("Tab")
    expect(web.page.get_by_role("link", name="My patients")).to_be_focused()


def test_a_chart_range_that_is_not_offered_shows_the_default(
    web: Browsing, factory: CloudFactory
) -> None:
    patient = factory.patient()
    caregiver = factory.caregiver(patient)
    web.sign_in(caregiver.email, DEFAULT_PASSWORD)

    web.goto(f"/app/patients/{patient.id}?days=abc")

    expect(web.page.get_by_role("heading", name="Adherence, last 30 days")).to_be_visible()
