"""The final report in a real browser, in Polish: the group writes it (saved
as they type) and submits it, the official returns it with a comment, the
group corrects and resubmits it, the official accepts it and the grant
settles."""

import re
from decimal import Decimal

import pytest

from payouts.models import Grant, Report
from payouts.tests import factories as pf
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"  # the factories' password


def log_in(page, base, email):
    from playwright.sync_api import expect

    page.goto(f"{base}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.locator("main").get_by_role("button", name="Zaloguj się").click()
    expect(page.get_by_role("navigation", name="Menu główne")).to_be_visible()


def fill_and_save(page, selector, text):
    """Type into a field of the report and wait for the autosave's answer:
    the next step (submitting) must not race a save still on its way."""
    from playwright.sync_api import expect

    saving = page.locator(selector)
    with page.expect_response(lambda r: r.url.endswith("/save/") and r.request.method == "POST"):
        saving.fill(text)
    expect(page.locator("#status-report")).to_contain_text("Zapisano")


def test_final_report_returned_corrected_accepted_and_settled(live_server, page, browser):
    from playwright.sync_api import expect

    operator = f.OperatorFactory(name="Urząd Miasta Testowo")
    official = f.StaffMembershipFactory(
        operator=operator, user__email="anna@example.org", user__full_name="Anna Urzędniczka"
    ).user
    competition = f.CompetitionFactory(operator=operator, title="Działaj Lokalnie: Ogrody")
    membership = f.MembershipFactory(
        user__email="olga@example.org",
        user__full_name="Olga Właścicielka",
        group__name="Stowarzyszenie Zielone Zabłocie",
    )
    owner, group = membership.user, membership.group
    grant = pf.running_grant(competition=competition, group=group, owner=owner, official=official)
    pf.pay_all(grant, official)
    lines = {line.name: line for line in grant.budget_lines.all()}
    indicator = grant.application.indicators.get()
    base = live_server.url
    script_errors = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))

    # The group finds its grant and starts the final report.
    log_in(page, base, owner.email)
    page.get_by_role("navigation", name="Menu główne").get_by_role("link", name="Dotacje").click()
    expect(page.locator("h1")).to_have_text("Dotacje moich grup")
    page.get_by_role("link", name="Ogród sąsiedzki na Zabłociu").click()
    expect(page.locator(".badge").first).to_have_text("W toku")
    page.get_by_role("button", name="Napisz sprawozdanie końcowe").click()
    expect(page.locator("h1")).to_have_text("Sprawozdanie końcowe")
    report = Report.objects.get(grant=grant, kind=Report.Kind.FINAL)

    # Planned beside actual: each line's plan is shown, the spending typed in.
    planned = page.locator(f"#line-{lines['Sadzonki i ziemia'].pk} tr.planned")
    expect(planned).to_contain_text("3\u00a0700,00\u00a0zł")
    sadzonki = lines["Sadzonki i ziemia"].pk
    fill_and_save(page, f"#id_line_{sadzonki}_spent_grant", "3000,00")
    expect(page.locator("#report-totals")).to_contain_text("3\u00a0000,00\u00a0zł")
    fill_and_save(page, f"#id_line_{sadzonki}_spent_own_financial", "400,00")
    fill_and_save(page, f"#id_line_{lines['Księgowość'].pk}_spent_grant", "300,00")
    fill_and_save(
        page, f"#id_line_{lines['Praca wolontariuszy'].pk}_spent_own_non_financial", "800,00"
    )
    fill_and_save(page, f"#id_result_{indicator.pk}_actual_value", "12")
    fill_and_save(page, "#id_narrative", "Ogród powstał, sąsiedzi posadzili 12 grządek.")
    report.refresh_from_db()
    assert report.narrative == "Ogród powstał, sąsiedzi posadzili 12 grządek."

    page.get_by_role("button", name="Złóż sprawozdanie").click()
    expect(page.locator(".messages")).to_contain_text("Sprawozdanie zostało złożone.")
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED

    # The official sees what accepting would settle, and returns the report.
    official_context = browser.new_context(
        locale="pl-PL", timezone_id="Europe/Warsaw", viewport={"width": 1280, "height": 900}
    )
    official_context.set_default_timeout(10_000)
    desk = official_context.new_page()
    desk.on("pageerror", lambda error: script_errors.append(str(error)))
    log_in(desk, base, official.email)
    desk.get_by_role("navigation", name="Menu główne").get_by_role("link", name="Dotacje").click()
    expect(desk.locator("h1")).to_have_text("Rejestr dotacji")
    desk.get_by_role("link", name=grant.contract_number).click()
    desk.locator("#reports").get_by_role("link", name="Sprawozdanie końcowe").click()
    review = desk.locator("#review")
    expect(review).to_contain_text("Rozliczenie po przyjęciu w obecnej postaci")
    expect(review.locator(".totals")).to_contain_text("700,00\u00a0zł")  # the refund
    desk.get_by_label("Co trzeba poprawić").fill(
        "Brakuje faktur za sadzonki: koszt był wyższy niż podany."
    )
    desk.get_by_role("button", name="Zwróć sprawozdanie").click()
    expect(desk.locator(".messages")).to_contain_text("Sprawozdanie zwrócono grupie do poprawy.")

    # The group reads the comment, corrects the spending and submits again.
    page.reload()
    expect(page.locator("#reports")).to_contain_text("Zwrócone do poprawy")
    page.locator("#reports").get_by_role("link", name="Sprawozdanie końcowe").click()
    expect(page.locator("#review-comment")).to_contain_text("Zwrócone do poprawy")
    expect(page.locator("#review-comment")).to_contain_text("Brakuje faktur za sadzonki")
    fill_and_save(page, f"#id_line_{sadzonki}_spent_grant", "3700,00")
    page.get_by_role("button", name="Złóż poprawione sprawozdanie").click()
    expect(page.locator(".messages")).to_contain_text("Sprawozdanie zostało złożone.")

    # The official accepts it: nothing is to be refunded, so the grant settles.
    desk.reload()
    desk.locator("#reports").get_by_role("link", name="Sprawozdanie końcowe").click()
    expect(desk.locator("#review .totals")).to_contain_text("4\u00a0000,00\u00a0zł")
    desk.get_by_role("button", name="Przyjmij sprawozdanie").click()
    expect(desk.locator(".messages")).to_contain_text("Sprawozdanie zostało przyjęte.")
    expect(desk).to_have_url(re.compile(r"/grants/\d+/#settlement$"))
    expect(desk.locator("h1 + .facts .badge")).to_have_text("Rozliczona")
    expect(desk.locator("#settlement")).to_contain_text("Obliczono")

    grant.refresh_from_db()
    assert grant.status == Grant.Status.SETTLED
    assert grant.eligible_spending == Decimal("4000.00")
    assert grant.refund_amount == Decimal("0.00")
    official_context.close()
    assert script_errors == []
