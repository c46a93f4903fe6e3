"""A commission member's journey in a real browser, in Polish: sign the
impartiality declaration, open the assigned application, score it with a
draft in between (save, leave, come back: the scores are still there), then
submit after the confirmation."""

from decimal import Decimal

import pytest

from applications.models import ApplicationSnapshot
from applications.services import snapshot_data
from competitions.models import Competition
from reviews.models import Declaration, Review
from reviews.services import assignments_apply
from reviews.tests import factories as rf
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"  # the user factory's


def autosaved(page, review):
    """Wait for the autosave of what is typed inside the block: the embedded
    database takes one writer at a time, so the test lets it finish before
    the next click saves again."""
    path = f"/commission/reviews/{review.pk}/"
    return page.expect_response(
        lambda response: response.request.method == "POST" and response.url.endswith(path)
    )


def test_member_signs_scores_with_a_draft_and_submits(live_server, page):
    from playwright.sync_api import expect

    operator = f.OperatorFactory(name="Urząd Gminy Zielonka")
    official = f.StaffMembershipFactory(operator=operator, user__full_name="Anna Urzędniczka").user
    competition = f.CompetitionFactory(
        operator=operator, title="Działaj Lokalnie: Zielone Podwórka", reviewers_per_application=1
    )
    f.CriterionFactory(
        competition=competition,
        name="Trafność",
        max_points=20,
        position=1,
        guidance="Czy projekt odpowiada na potrzeby mieszkańców?",
    )
    f.CriterionFactory(competition=competition, name="Budżet", max_points=35, position=2)
    competition = rf.set_status(competition, Competition.Status.IN_REVIEW)
    application = rf.in_review_application(
        competition, group=f.GroupFactory(name="Stowarzyszenie Zielone Podwórka")
    )
    ApplicationSnapshot.objects.create(
        application=application, version=1, data=snapshot_data(application)
    )
    member = rf.CommissionMemberFactory(
        competition=competition,
        user=f.UserFactory(email="nina@example.org", full_name="Nina Organizacja"),
    )
    base = live_server.url
    script_errors = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))

    # Log in; the menu offers the commission's pages.
    page.goto(f"{base}/login/")
    page.fill("#id_username", "nina@example.org")
    page.fill("#id_password", PASSWORD)
    page.locator("main").get_by_role("button", name="Zaloguj się").click()
    page.get_by_role("navigation", name="Menu główne").get_by_role("link", name="Komisja").click()
    expect(page.locator("h1")).to_have_text("Praca w komisji")
    expect(page.locator("main")).not_to_contain_text(application.title)

    # The declaration: the statement, the applicants by number and name only.
    page.get_by_role("link", name="Podpisz deklarację bezstronności").click()
    expect(page.locator("h1")).to_have_text("Deklaracja bezstronności")
    expect(page.locator(".statement")).to_contain_text("art. 24")
    expect(page.locator("main")).to_contain_text(application.number)
    expect(page.locator("main")).to_contain_text("Stowarzyszenie Zielone Podwórka")
    expect(page.locator("main")).not_to_contain_text(application.title)
    page.get_by_role("button", name="Podpisz deklarację").click()
    expect(page.locator(".error-summary")).to_contain_text("Potwierdź oświadczenie")
    page.get_by_label("Składam powyższe oświadczenie").check()
    page.get_by_role("button", name="Podpisz deklarację").click()
    expect(page.locator(".messages")).to_contain_text("Podpisano deklarację")
    assert Declaration.objects.filter(member=member).exists()

    # The official assigns the application to the member who signed.
    assignments_apply(competition=competition, actor=official, plan={application.pk: [member.pk]})
    review = Review.objects.get(member=member)

    page.reload()
    page.get_by_role("link", name=f"Oceń {application.number}").click()
    expect(page.locator("h1")).to_have_text(f"Ocena wniosku {application.number}")
    expect(page.locator(".reading")).to_contain_text("Sadzonki i ziemia")
    expect(page.locator("main")).to_contain_text("Czy projekt odpowiada na potrzeby mieszkańców?")

    # A draft: one criterion scored, saved, then the member leaves.
    relevance, budget = list(competition.criteria.all())
    with autosaved(page, review):
        page.fill(f"#id_points_{relevance.pk}", "15")
        page.fill(f"#id_note_{relevance.pk}", "Potrzeba dobrze opisana.")
    expect(page.locator("#status-review")).to_contain_text("Zapisano")
    page.get_by_role("button", name="Zapisz wersję roboczą").click()
    expect(page.locator(".messages")).to_contain_text("Zapisano wersję roboczą")
    page.get_by_role("link", name="Praca w komisji").first.click()
    expect(page.locator("main")).to_contain_text("W trakcie oceniania")
    expect(page.locator("main")).to_contain_text("1 z 2 kryteriów")

    # Back again: what was saved is there; the rest is scored now.
    page.get_by_role("link", name=f"Kontynuuj ocenianie {application.number}").click()
    expect(page.locator(f"#id_points_{relevance.pk}")).to_have_value("15.00")
    expect(page.locator(f"#id_note_{relevance.pk}")).to_have_value("Potrzeba dobrze opisana.")
    with autosaved(page, review):
        page.locator(f"#id_points_{budget.pk}").press_sequentially("30", delay=5)
    expect(page.locator("#status-review")).to_contain_text("Zapisano")
    with autosaved(page, review):
        page.fill("#id_comment", "Solidny, realistyczny projekt.")
    page.get_by_role("button", name="Wyślij ocenę…").click()

    # The confirmation shows the total; submitting locks the review.
    expect(page.locator("h1")).to_have_text("Wysłać ocenę?")
    expect(page.locator("main")).to_contain_text("45")
    page.get_by_role("button", name="Tak, wyślij ocenę").click()
    expect(page.locator(".messages")).to_contain_text("Twoja ocena została wysłana")
    expect(page.locator("main")).to_contain_text("nie można jej już zmienić")
    expect(page.locator(f"#id_points_{budget.pk}")).to_have_count(0)

    review.refresh_from_db()
    assert review.status == Review.Status.SUBMITTED
    assert review.comment == "Solidny, realistyczny projekt."
    assert sorted(review.scores.values_list("points", flat=True)) == [
        Decimal("15.00"),
        Decimal("30.00"),
    ]
    assert script_errors == []
