"""The plan editor saves through the plan service and refuses what the shared rules refuse."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy.orm import Session

from cloud.plans.service import PlanService
from tests.cloud.factories import DEFAULT_PASSWORD, CloudFactory
from tests.cloud.web.browser import Browsing


def test_adding_the_first_medication_makes_plan_version_1(
    web: Browsing, db: Session, factory: CloudFactory
) -> None:
    patient = factory.patient()
    caregiver = factory.caregiver(patient)
    web.sign_in(caregiver.email, DEFAULT_PASSWORD)
    web.goto(f"/app/patients/{patient.id}/plan")
    web.check("empty-plan")
    new = web.page.locator("form[action$='/plan/lines']")

    new.get_by_label("Medication").fill("Ramipril")
    new.get_by_label("Dose").fill("5")
    new.get_by_label("Unit").fill("mg")
    new.get_by_label("Times of day").fill("07:30")
    new.get_by_label("Mon").check()
    new.get_by_label("Thu").check()
    new.get_by_role("button", name="Add").click()

    expect(web.page.locator("[data-rollout]")).to_have_text("no device to run it yet")
    db.expire_all()
    plan = PlanService(db).current(patient.id)
    assert plan is not None and plan.version == 1
    (line,) = plan.items
    assert (line.medication_name, line.times_of_day, line.days_of_week) == (
        "Ramipril",
        ["07:30"],
        ["mon", "thu"],
    )


def test_a_line_the_shared_rules_refuse_is_not_saved(
    web: Browsing, db: Session, factory: CloudFactory
) -> None:
    patient = factory.patient()
    factory.plan(patient)
    caregiver = factory.caregiver(patient)
    web.sign_in(caregiver.email, DEFAULT_PASSWORD)
    web.goto(f"/app/patients/{patient.id}/plan")
    line = web.page.locator("section.plan-line").filter(has_text="Metformin")

    line.get_by_label("Times of day").fill("08:00, 25:00")
    with web.page.expect_response(lambda r: r.request.method == "POST") as posted:
        line.get_by_role("button", name="Save change").click()

    assert posted.value.status == 422
    expect(web.page.get_by_role("alert")).to_contain_text("The plan was not saved")
    expect(line.get_by_label("Times of day")).to_have_value("08:00, 25:00")
    web.check("plan-refused")
    db.expire_all()
    plan = PlanService(db).current(patient.id)
    assert plan is not None and plan.version == 1


def test_a_lines_windows_are_edited_and_a_pause_survives_a_change(
    web: Browsing, db: Session, factory: CloudFactory
) -> None:
    patient = factory.patient()
    factory.plan(patient)
    caregiver = factory.caregiver(patient)
    web.sign_in(caregiver.email, DEFAULT_PASSWORD)
    web.goto(f"/app/patients/{patient.id}/plan")
    line = web.page.locator("section.plan-line").filter(has_text="Metformin")
    expect(line.get_by_label("On time within (minutes)")).to_have_value("15")
    expect(line.get_by_label("Missed after (minutes)")).to_have_value("120")

    line.get_by_role("button", name="Pause").click()
    expect(line.locator("h2")).to_contain_text("paused")
    line.get_by_label("On time within (minutes)").fill("30")
    line.get_by_label("Missed after (minutes)").fill("90")
    line.get_by_role("button", name="Save change").click()

    expect(line.get_by_label("Missed after (minutes)")).to_have_value("90")
    expect(line.get_by_role("button", name="Resume")).to_be_visible()
    web.check("plan-windows")
    db.expire_all()
    plan = PlanService(db).current(patient.id)
    assert plan is not None and plan.version == 3
    metformin = next(item for item in plan.items if item.medication_name == "Metformin")
    assert (metformin.on_time_minutes, metformin.late_window_minutes) == (30, 90)
    assert metformin.paused, "changing a paused line keeps it paused"
    assert [v.note for v in PlanService(db).versions(patient.id)][:2] == [
        "Metformin changed",
        "Metformin paused",
    ]
