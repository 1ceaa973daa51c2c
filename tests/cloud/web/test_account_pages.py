"""A forgotten password, from the sign-in page to the emailed link and a new password, which
ends the sessions signed in with the old one."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Browser, expect
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cloud.users.models import PasswordResetToken
from firmware_sim.stack import LocalCloud
from tests.cloud.accounts_support import link_in
from tests.cloud.analytics.receivers import SmtpServer
from tests.cloud.factories import DEFAULT_PASSWORD, CloudFactory
from tests.cloud.web.browser import Browsing, browsing
from tests.cloud.web.mail import mails_to, wait_for_mail

NEW_PASSWORD = "quarry lantern velvet oxbow"
ANSWER = "If this address has an account, a reset link is on its way."


def _ask_for_a_link(web: Browsing, email: str) -> None:
    web.goto("/app/login")
    web.page.get_by_role("link", name="Forgot your password?").click()
    web.page.get_by_label("Email").fill(email)
    web.page.get_by_role("button", name="Send me a link").click()
    expect(web.page.get_by_role("heading", name="Check your email")).to_be_visible()


def test_forgot_password_email_reset_and_the_old_session_is_gone(
    web: Browsing,
    browser: Browser,
    web_cloud: LocalCloud,
    factory: CloudFactory,
    mailbox: SmtpServer,
) -> None:
    patient = factory.patient()
    caregiver = factory.caregiver(patient)
    with browsing(browser, web_cloud.api_url, "old-session") as elsewhere:
        elsewhere.sign_in(caregiver.email, DEFAULT_PASSWORD)
        expect(elsewhere.page.get_by_role("heading", name="My patients")).to_be_visible()

        _ask_for_a_link(web, caregiver.email)
        expect(web.page.get_by_role("status")).to_contain_text(ANSWER)
        web.check("reset-requested")
        link = link_in(wait_for_mail(mailbox, caregiver.email))
        assert urlsplit(link).path == "/app/password/reset", link
        web.page.goto(link)
        web.check("reset-password")
        web.page.get_by_label("New password").fill("password123")
        web.page.get_by_role("button", name="Set the new password").click()
        expect(web.page.get_by_role("alert")).to_contain_text("The password is too easy to guess")
        web.page.get_by_label("New password").fill(NEW_PASSWORD)
        web.page.get_by_role("button", name="Set the new password").click()

        expect(web.page.get_by_role("status")).to_contain_text("Your password is changed")
        elsewhere.goto(f"/app/patients/{patient.id}")
        expect(elsewhere.page.get_by_role("heading", name="Sign in")).to_be_visible()
        expect(elsewhere.page.get_by_text(patient.full_name)).to_have_count(0)

    expect(web.page.get_by_label("Email")).to_have_value(caregiver.email)
    web.page.get_by_label("Password").fill(NEW_PASSWORD)
    web.page.get_by_role("button", name="Sign in").click()
    expect(web.page.get_by_role("heading", name="My patients")).to_be_visible()
    response = web.page.goto(link)
    assert response is not None and response.status == 410
    expect(web.page.get_by_role("alert")).to_contain_text("This reset link is not valid")
    web.check("reset-link-used")


def test_the_answer_is_the_same_for_an_unknown_address_and_past_the_limit(
    web: Browsing, db: Session, factory: CloudFactory, mailbox: SmtpServer
) -> None:
    caregiver = factory.caregiver(factory.patient())

    _ask_for_a_link(web, "nobody.here@example.test")
    unknown = web.page.locator("main").inner_text()
    for _ in range(4):
        _ask_for_a_link(web, caregiver.email)
    limited = web.page.locator("main").inner_text()
    wait_for_mail(mailbox, caregiver.email, count=3)

    links = db.scalar(select(func.count()).where(PasswordResetToken.user_id == caregiver.id))

    assert unknown == limited
    # Three links an hour to one address, then none (the page says the same).
    assert links == 3
    assert mails_to(mailbox, caregiver.email) == 3
