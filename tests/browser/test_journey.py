"""An applicant's whole journey in a real browser, in Polish: register, create
a group, start an application, fill it with autosave (surviving a session that
ends mid-sentence), see what blocks the submission, fix it, submit, get a number."""

from datetime import timedelta

import pytest

from applications.models import Application
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Sloneczny-Ogrod-2026"


def saved(page, status_id):
    from playwright.sync_api import expect

    expect(page.locator(f"#{status_id}")).to_contain_text("Zapisano")


def type_into(page, selector, text):
    # Typed key by key, as a person does, so the debounced autosave fires.
    page.locator(selector).click()
    page.locator(selector).press_sequentially(text, delay=5)


def add_row(page, kind, fields, button):
    from playwright.sync_api import expect

    block = page.locator(f"#{kind}-block")
    rows = block.locator("tbody tr[id]")  # the “nothing yet” row has no id
    rows_before = rows.count()
    for name, value in fields.items():
        locator = page.locator(f"#id_new-{kind}-{name}")
        if locator.evaluate("e => e.tagName") == "SELECT":
            locator.select_option(value)
        elif locator.get_attribute("type") == "checkbox":
            locator.check()
        else:
            locator.fill(value)
    block.get_by_role("button", name=button).click()
    expect(page.locator(f"#status-{'results' if kind == 'indicators' else kind}")).to_contain_text(
        "Zapisano"
    )
    expect(rows).to_have_count(rows_before + 1)


def test_applicant_journey(live_server, page):
    from playwright.sync_api import expect

    competition = f.CompetitionFactory(title="Działaj Lokalnie: Zielone Podwórka")
    f.CriterionFactory(competition=competition, name="Trafność")
    question = f.FormQuestionFactory(
        competition=competition, label="Czy to wasz pierwszy projekt?", kind="yes_no", required=True
    )
    start = competition.implementation_start
    end = start + timedelta(days=30)
    base = live_server.url
    script_errors = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))

    # Register: Polish pages, a new account, logged in at once.
    page.goto(f"{base}/")
    expect(page.locator("h1")).to_contain_text("Małe granty")
    page.get_by_role("link", name="Zarejestruj się").click()
    page.fill("#id_email", "marta@example.org")
    page.fill("#id_full_name", "Marta Sąsiadka")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.check("#id_language_0")
    page.get_by_role("button", name="Załóż konto").click()
    expect(page.locator(".messages")).to_contain_text("Twoje konto jest gotowe")

    # A group: a registered association with its KRS number.
    page.get_by_role("navigation", name="Menu główne").get_by_role(
        "link", name="Moje grupy"
    ).click()
    page.get_by_role("link", name="Utwórz grupę").click()
    page.fill("#id_name", "Stowarzyszenie Zielone Podwórka")
    page.check("input[name=kind][value=ngo]")
    page.fill("#id_krs", "0000123456")
    page.fill("#id_city", "Kraków")
    page.get_by_role("button", name="Utwórz grupę").click()
    expect(page.locator("h1")).to_have_text("Stowarzyszenie Zielone Podwórka")

    # Start an application in the published competition.
    page.goto(f"{base}/")
    page.get_by_role("link", name=competition.title).click()
    page.get_by_role("button", name="Rozpocznij wniosek").click()
    expect(page.locator("h1")).to_have_text("Edytuj wniosek")
    application = Application.objects.get(competition=competition)

    # Basic data saves itself while typing.
    type_into(page, "#id_title", "Zielone podwórko na Zabłociu")
    saved(page, "status-basic")
    page.fill("#id_summary", "Sąsiedzi zakładają wspólny ogród na podwórku.")
    page.fill("#id_place", "Kraków, Zabłocie")
    page.fill("#id_start_date", start.isoformat())
    page.fill("#id_end_date", end.isoformat())
    page.locator("#id_end_date").blur()
    saved(page, "status-basic")

    # What blocks the submission is listed all at once.
    page.get_by_role("link", name="Sprawdź i złóż").first.click()
    expect(page.locator("h1")).to_have_text("Sprawdź i złóż")
    problems = page.locator(".problems")
    expect(problems).to_contain_text("Opisz projekt.")
    expect(problems).to_contain_text("Dodaj co najmniej jedną pozycję budżetu.")
    expect(problems).to_contain_text("Zaplanuj w harmonogramie co najmniej jedno działanie.")
    expect(problems).to_contain_text("Odpowiedz na obowiązkowe pytanie")
    expect(page.get_by_role("button", name="Złóż wniosek")).to_have_count(0)
    page.get_by_role("link", name="Opisz projekt.").click()
    expect(page.locator("#id_description")).to_be_visible()

    # The session ends mid-sentence: the text stays in the browser, the page
    # says so, and after logging in again it is saved.
    page.context.clear_cookies()
    type_into(page, "#id_description", "Posadzimy krzewy i zbudujemy grządki.")
    status = page.locator("#status-description")
    expect(status).to_contain_text("Wpisany tekst jest przechowywany w tej przeglądarce")
    application.refresh_from_db()
    assert application.description == ""
    status.get_by_role("link", name="Zaloguj się ponownie").click()
    page.fill("#id_username", "marta@example.org")
    page.fill("#id_password", PASSWORD)
    page.locator("main").get_by_role("button", name="Zaloguj się").click()
    expect(page.locator("h1")).to_have_text("Edytuj wniosek")
    expect(page.locator("#restored-notice")).to_be_visible()
    expect(page.locator("#id_description")).to_have_value("Posadzimy krzewy i zbudujemy grządki.")
    saved(page, "status-description")
    application.refresh_from_db()
    assert application.description == "Posadzimy krzewy i zbudujemy grządki."
    assert page.evaluate(f"localStorage.getItem('grantownik:unsaved:{application.pk}')") is None

    # The rest of the form.
    page.fill("#id_target_group", "Mieszkańcy kamienic przy ul. Zabłocie")
    page.fill("#id_target_group_size", "40")
    page.locator("#id_target_group_size").blur()
    saved(page, "status-target_group")

    add_row(
        page,
        "schedule",
        {
            "action": "Przygotowanie grządek",
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
        },
        "Dodaj",
    )
    add_row(
        page,
        "indicators",
        {
            "result": "Powstaje ogród",
            "name": "Liczba grządek",
            "target_value": "12",
            "unit": "szt.",
        },
        "Dodaj",
    )

    page.fill("#id_amount_requested", "4000,00")
    page.locator("#id_amount_requested").blur()
    saved(page, "status-budget")
    add_row(
        page,
        "budget",
        {
            "name": "Sadzonki i ziemia",
            "unit": "kpl.",
            "quantity": "1",
            "unit_cost": "4200,00",
            "grant_amount": "4000,00",
            "own_financial": "200,00",
        },
        "Dodaj pozycję",
    )
    totals = page.locator("#budget-totals")
    expect(totals).to_contain_text("4\u00a0200,00\u00a0zł")
    expect(totals).to_contain_text("5,00%")
    add_row(
        page,
        "budget",
        {
            "name": "Praca wolontariuszy",
            "unit": "godz.",
            "quantity": "40",
            "unit_cost": "20,00",
            "own_non_financial": "800,00",
            "is_volunteer_work": "on",
        },
        "Dodaj pozycję",
    )
    expect(totals).to_contain_text("5\u00a0000,00\u00a0zł")
    expect(totals).to_contain_text("25,00%")

    page.locator(f"#id_q_{question.pk}_0").check()
    saved(page, "status-questions")

    # Nothing blocks it now: submit and get the number.
    page.get_by_role("link", name="Sprawdź i złóż").first.click()
    expect(page.locator(".ready")).to_contain_text("Wniosek jest kompletny")
    page.get_by_role("button", name="Złóż wniosek").click()
    expect(page.locator("h1")).to_have_text("Wniosek złożony")
    expect(page.locator(".number")).to_have_text("DL/2026/001")
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.number == "DL/2026/001"
    assert script_errors == []
