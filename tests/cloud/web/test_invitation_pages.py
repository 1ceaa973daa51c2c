"""Inviting someone from the care team page and accepting in the browser from the emailed link."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from playwright.sync_api import expect
from sqlalchemy.orm import Session

from cloud.config import CloudSettings
from cloud.invitations.schemas import InvitationIn
from cloud.invitations.service import InvitationService
from firmware_sim.stack import LocalCloud
from shared.enums import Role
from tests.cloud.accounts_support import link_in, link_of
from tests.cloud.analytics.receivers import SmtpServer
from tests.cloud.factories import DEFAULT_PASSWORD, CloudFactory
from tests.cloud.web.browser import Browsing
from tests.cloud.web.mail import wait_for_mail

NEW_PASSWORD = "marble cypress lagoon whistle"


def _address(name: str) -> str:
    return f"{name}.{uuid.uuid4().hex[:8]}@example.test"


def _invite(web: Browsing, email: str, role: str = "caregiver") -> None:
    web.page.get_by_label("Their email address").fill(email)
    web.page.get_by_label("As", exact=True).select_option(role)
    web.page.get_by_role("button", name="Send the invitation").click()
    web.page.wait_for_load_state("networkidle")


def test_an_invitation_is_emailed_accepted_in_the_browser_and_then_signs_in(
    web: Browsing, factory: CloudFactory, mailbox: SmtpServer
) -> None:
    patient = factory.patient()
    doctor = factory.doctor(patient)
    dana = _address("dana")
    web.sign_in(doctor.email, DEFAULT_PASSWORD)
    web.goto(f"/app/patients/{patient.id}")
    web.page.get_by_role("link", name="Care team").click()
    expect(
        web.page.get_by_role("heading", name=f"Care team of {patient.full_name}")
    ).to_be_visible()
    web.check("care-team")

    _invite(web, dana)
    expect(web.page.get_by_role("status")).to_have_text(f"Invitation sent to {dana}.")
    expect(web.page.locator("#invitations").get_by_text(dana)).to_be_visible()
    link = link_in(wait_for_mail(mailbox, dana))
    assert urlsplit(link).path == "/app/invitations/accept", link

    web.page.get_by_role("button", name="Sign out").click()
    web.page.goto(link)
    expect(
        web.page.get_by_role("heading", name=f"Join {patient.full_name}'s care team")
    ).to_be_visible()
    web.check("invitation")
    web.page.get_by_label("Your name").fill("Dana Daughter")
    web.page.get_by_label("Choose a password").fill("0000000000")
    web.page.get_by_role("button", name="Create my account and join").click()
    expect(web.page.get_by_role("alert")).to_contain_text("The password is too easy to guess")
    web.check("invitation-weak-password")
    web.page.get_by_label("Choose a password").fill(NEW_PASSWORD)
    web.page.get_by_role("button", name="Create my account and join").click()

    expect(web.page.get_by_role("status")).to_have_text(
        "Your account is ready. Sign in with your new password."
    )
    expect(web.page.get_by_label("Email")).to_have_value(dana)
    web.page.get_by_label("Password").fill(NEW_PASSWORD)
    web.page.get_by_role("button", name="Sign in").click()
    expect(web.page.get_by_role("heading", name=patient.full_name)).to_be_visible()

    response = web.page.goto(link)
    assert response is not None and response.status == 410
    expect(web.page.get_by_role("alert")).to_have_text(
        "This invitation was already accepted; sign in instead."
    )
    web.check("invitation-used")


def test_an_existing_account_joins_by_signing_in(
    web: Browsing, factory: CloudFactory, mailbox: SmtpServer
) -> None:
    patient, other = factory.patient(), factory.patient()
    doctor = factory.doctor(patient)
    caregiver = factory.caregiver(other)
    web.sign_in(doctor.email, DEFAULT_PASSWORD)
    web.goto(f"/app/patients/{patient.id}/team")
    _invite(web, caregiver.email)
    link = link_in(wait_for_mail(mailbox, caregiver.email))
    web.page.get_by_role("button", name="Sign out").click()

    web.page.goto(link)
    expect(web.page.get_by_text("You already have a MedMind account")).to_be_visible()
    web.page.get_by_label("Your password").fill("not my password")
    web.page.get_by_role("button", name="Sign in and join").click()
    expect(web.page.get_by_role("alert")).to_have_text("Wrong password.")
    web.page.get_by_label("Your password").fill(DEFAULT_PASSWORD)
    web.page.get_by_role("button", name="Sign in and join").click()

    expect(web.page.get_by_role("heading", name=patient.full_name)).to_be_visible()
    web.goto("/app/")
    expect(web.page.get_by_role("link", name=other.full_name)).to_be_visible()


def test_a_withdrawn_invitation_is_refused(
    web: Browsing, factory: CloudFactory, mailbox: SmtpServer
) -> None:
    patient = factory.patient()
    primary = factory.caregiver(patient, primary=True)
    erin = _address("erin")
    web.sign_in(primary.email, DEFAULT_PASSWORD)
    web.goto(f"/app/patients/{patient.id}/team")
    # A primary caregiver invites caregivers only, as the REST API lets her.
    expect(web.page.get_by_label("As", exact=True).locator("option")).to_have_text(["caregiver"])
    expect(web.page.get_by_role("button", name="Remove")).to_have_count(0)
    _invite(web, erin)
    link = link_in(wait_for_mail(mailbox, erin))

    web.page.get_by_role("button", name=f"Withdraw the invitation of {erin}").click()
    expect(web.page.locator("#invitations").get_by_text(erin)).to_have_count(0)
    response = web.page.goto(link)

    assert response is not None and response.status == 410
    expect(web.page.get_by_role("alert")).to_have_text(
        "This invitation was withdrawn; ask for a new one."
    )


def test_a_caregiver_who_is_not_primary_sees_the_team_but_cannot_invite(
    web: Browsing, factory: CloudFactory
) -> None:
    patient = factory.patient()
    doctor = factory.doctor(patient)
    caregiver = factory.caregiver(patient)
    web.sign_in(caregiver.email, DEFAULT_PASSWORD)

    web.goto(f"/app/patients/{patient.id}/team")
    refused = web.page.request.post(
        f"{web.base_url}/app/patients/{patient.id}/team/invitations",
        form={"csrf_token": _csrf(web), "email": _address("x"), "role": "caregiver"},
    )

    members = web.page.locator("#members")
    expect(members.get_by_text(doctor.full_name)).to_be_visible()
    expect(members.get_by_text(caregiver.full_name)).to_be_visible()
    expect(web.page.get_by_role("button", name="Send the invitation")).to_have_count(0)
    assert refused.status == 403


def test_a_doctor_removes_a_member(web: Browsing, factory: CloudFactory) -> None:
    patient = factory.patient()
    doctor = factory.doctor(patient)
    caregiver = factory.caregiver(patient)
    web.sign_in(doctor.email, DEFAULT_PASSWORD)
    web.goto(f"/app/patients/{patient.id}/team")

    web.page.get_by_role("link", name=f"Remove {caregiver.full_name} from the care team").click()
    expect(web.page.get_by_role("heading", name=f"Remove {caregiver.full_name}?")).to_be_visible()
    web.check("remove-member")
    web.page.get_by_role("button", name="Remove from the care team").click()

    expect(web.page.locator("#members").get_by_text(caregiver.full_name)).to_have_count(0)
    expect(web.page.locator("#members").get_by_text(doctor.full_name)).to_be_visible()


def test_a_doctor_about_to_remove_herself_is_warned_and_can_keep_her_place(
    web: Browsing, factory: CloudFactory
) -> None:
    patient = factory.patient()
    doctor = factory.doctor(patient)
    web.sign_in(doctor.email, DEFAULT_PASSWORD)
    web.goto(f"/app/patients/{patient.id}/team")

    web.page.get_by_role("link", name=f"Remove {doctor.full_name} from the care team").click()

    expect(web.page.get_by_role("heading", name="Remove yourself?")).to_be_visible()
    expect(web.page.get_by_text(f"You will no longer see {patient.full_name}")).to_be_visible()
    web.check("remove-yourself")
    web.page.get_by_role("link", name="Keep me on the team").click()
    expect(web.page.locator("#members").get_by_text(doctor.full_name)).to_be_visible()


def test_removing_someone_not_on_the_team_is_not_found(
    web: Browsing, factory: CloudFactory
) -> None:
    patient = factory.patient()
    doctor = factory.doctor(patient)
    stranger = factory.caregiver()
    web.sign_in(doctor.email, DEFAULT_PASSWORD)

    path = f"/app/patients/{patient.id}/team/members/{stranger.id}/remove"
    response = web.page.goto(web.base_url + path)

    assert response is not None and response.status == 404, "a stranger's removal page opened"


def _csrf(web: Browsing) -> str:
    value = web.page.locator("form.sign-out input[name=csrf_token]").get_attribute("value")
    assert value
    return value


def test_an_expired_invitation_is_refused(
    web: Browsing, db: Session, factory: CloudFactory, web_cloud: LocalCloud
) -> None:
    patient = factory.patient()
    doctor = factory.doctor(patient)
    settings = CloudSettings(
        environment="development", database_url=web_cloud.database_url, public_url=web_cloud.api_url
    )
    sent_at = datetime.now(UTC) - timedelta(days=settings.invitation_days, minutes=1)
    spec = InvitationIn(email=_address("late"), role=Role.CAREGIVER)
    _, email = InvitationService(db, settings).invite(patient, doctor, spec, sent_at)
    link = link_of(email.text)

    response = web.page.goto(link)

    assert response is not None and response.status == 410
    expect(web.page.get_by_role("alert")).to_have_text(
        "This invitation has expired; ask for a new one."
    )
    web.check("invitation-expired")


def test_a_caregiver_may_not_open_a_removal(web: Browsing, factory: CloudFactory) -> None:
    patient = factory.patient()
    caregiver = factory.caregiver(patient, primary=True)
    doctor = factory.doctor(patient)
    web.sign_in(caregiver.email, DEFAULT_PASSWORD)

    path = f"/app/patients/{patient.id}/team/members/{doctor.id}/remove"
    response = web.page.goto(web.base_url + path)

    assert response is not None and response.status == 403, "a caregiver opened a removal"
    expect(web.page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(web.page.get_by_text(doctor.full_name)).to_have_count(0)
