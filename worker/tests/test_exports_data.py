"""The known competition every export test reads, built through the real
services from the review on, and a check that it is what the tests assume.

"Działaj Lokalnie: ogrody" of the root fixture's operator, criteria Trafność
0-20 and Budżet 0-35 (maximum 55, threshold 60% = 33 points):

- DL/2026/001, "Stowarzyszenie Zielone Zabłocie" (KRS 0000123456, NIP
  6762466045), "Ogród sąsiedzki na Zabłociu", 4,000 PLN requested: Nina
  20+30=50, Szymon 16+28=44, mean 47; recommended and awarded 4,000 PLN;
  contract with tranches of 3,200 (paid) and 800.
- DL/2026/002, the informal group "Sąsiedzi z Podgórza", titled
  "=SUMA(1;2) sąsiadów" (a formula to be kept inert): Nina 10+20=30, the
  chair Anna 12+22=34, mean 32, below the threshold; Szymon declared a
  conflict (relative) and his review was recused; not recommended (0) and not
  funded ("Poniżej progu").
- With `informal_award`, DL/2026/003 of the informal group "Młodzi z Olszy",
  titled "@Ogród deszczowy", 2,500 PLN requested: Nina 14+24=38; recommended
  and awarded 1,500 PLN (a reduced award: its contract waits for the budget).
- Further applications (for the query counts) are scored 15+25 by Nina and
  put on the reserve list.

Formal check: 001 accepted in round 1; 002 asked to correct the signature in
round 1 ("Brak podpisu"), accepted in round 2.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone, translation
from django.utils.html import escape

from applications.models import ApplicantGroup, Application, FormalCheck, FormalCheckResult
from competitions.models import Competition
from core.roles import forget_roles
from payouts.models import Grant
from payouts.services import grant_contract_prepare, grant_sign
from payouts.tests import factories as pf
from reviews.models import CommissionMember, Conflict, Review
from reviews.services import competition_decide, decision_record, recommendation_record
from reviews.tests import factories as rf
from tests import factories as f

D = Decimal
INJECTED_TITLE = "=SUMA(1;2) sąsiadów"


@dataclass
class Known:
    competition: Competition
    chair: CommissionMember
    nina: CommissionMember
    szymon: CommissionMember
    expert: CommissionMember
    first: Application
    second: Application
    others: list[Application]
    grant: Grant | None
    third: Application | None = None


def polish(text: str, *, html: bool = False) -> str:
    """`text` as a Polish reader sees it (from whichever catalogue has it),
    checked to be translated at all."""
    with translation.override("pl"):
        translated = translation.gettext(text)
    assert translated != text, f"not translated into Polish: {text}"
    return escape(translated) if html else translated


def known_competition(
    *, operator, official, extra: int = 0, decide: bool = True, informal_award: bool = False
) -> Known:
    competition = f.CompetitionFactory(
        operator=operator, title="Działaj Lokalnie: ogrody", number_prefix="DL", year=2026
    )
    f.CriterionFactory(competition=competition, name="Trafność", max_points=20, position=1)
    f.CriterionFactory(competition=competition, name="Budżet", max_points=35, position=2)
    signed_on_time = f.ChecklistItemFactory(
        competition=competition, text="Wniosek złożony w terminie", correctable=False, position=1
    )
    signature = f.ChecklistItemFactory(
        competition=competition, text="Kompletny podpis", correctable=True, position=2
    )
    rf.set_status(competition, Competition.Status.IN_REVIEW)

    chair = rf.signed_member(
        competition,
        user=official,
        affiliation=CommissionMember.Affiliation.OFFICIAL,
        is_chair=True,
    )
    forget_roles(official)  # the chair's seat is new; roles are cached per user
    nina = rf.signed_member(
        competition, user__full_name="Nina Organizacja", user__email="nina@example.org"
    )
    szymon = rf.signed_member(competition, user__full_name="Szymon Społecznik")
    expert = rf.signed_member(
        competition,
        user__full_name="Ewa Ekspertka",
        affiliation=CommissionMember.Affiliation.EXPERT,
    )

    ngo = f.GroupFactory(
        name="Stowarzyszenie Zielone Zabłocie",
        kind=ApplicantGroup.Kind.NGO,
        krs="0000123456",
        nip="6762466045",
        regon="",
        email="biuro@zielone.example.org",
        phone="+48 600 100 200",
    )
    informal = f.GroupFactory(
        name="Sąsiedzi z Podgórza",
        kind=ApplicantGroup.Kind.INFORMAL,
        krs="",
        nip="",
        regon="",
        email="sasiedzi@example.org",
    )
    f.InformalMemberFactory(group=informal, full_name="Jan Sąsiad")
    first = rf.in_review_application(
        competition, group=ngo, submitted_minutes_ago=180, title="Ogród sąsiedzki na Zabłociu"
    )
    second = rf.in_review_application(
        competition, group=informal, submitted_minutes_ago=120, title=INJECTED_TITLE
    )
    third = None
    if informal_award:
        youth = f.GroupFactory(
            name="Młodzi z Olszy",
            kind=ApplicantGroup.Kind.INFORMAL,
            krs="",
            nip="",
            regon="",
            email="mlodzi@example.org",
        )
        f.InformalMemberFactory(group=youth, full_name="Ola Młoda")
        third = rf.in_review_application(
            competition,
            group=youth,
            submitted_minutes_ago=100,
            title="@Ogród deszczowy",
            amount_requested=D("2500.00"),
        )
    others = [
        rf.in_review_application(
            competition,
            group=f.GroupFactory(name=f"Fundacja Dodatkowa {i}"),
            submitted_minutes_ago=60 - i,
            title=f"Projekt dodatkowy {i}",
        )
        for i in range(extra)
    ]

    rf.scored(first, nina, 20, 30, comment="Bardzo dobry pomysł")
    rf.scored(first, szymon, 16, 28, comment="-Budżet zawyżony")
    rf.scored(second, nina, 10, 20, comment="Słabe uzasadnienie")
    rf.scored(second, chair, 12, 22)
    rf.ReviewFactory(application=second, member=szymon, status=Review.Status.RECUSED)
    rf.ConflictFactory(
        member=szymon,
        application=second,
        ground=Conflict.Ground.RELATIVE,
        source=Conflict.Source.LATER,
    )
    for other in others:
        rf.scored(other, nina, 15, 25)
    if third is not None:
        rf.scored(third, nina, 14, 24, comment="Ciekawy pomysł młodzieży")

    _formal_round(
        first, 1, FormalCheck.Outcome.ACCEPTED, official, {signed_on_time: True, signature: True}
    )
    _formal_round(
        second,
        1,
        FormalCheck.Outcome.CORRECTION_REQUESTED,
        official,
        {signed_on_time: True, signature: False},
        comments={signature: "Brak podpisu"},
    )
    _formal_round(
        second, 2, FormalCheck.Outcome.ACCEPTED, official, {signed_on_time: True, signature: True}
    )

    rf.close_scoring(competition)
    recommendation_record(application=first, actor=official, amount="4000.00", comment="Polecamy")
    recommendation_record(application=second, actor=official, amount="0", comment="Poniżej progu")
    decision_record(application=first, actor=official, outcome="awarded", amount="4000.00")
    decision_record(application=second, actor=official, outcome="rejected", reason="Poniżej progu")
    for other in others:
        decision_record(application=other, actor=official, outcome="reserve")
    if third is not None:
        recommendation_record(application=third, actor=official, amount="1500.00")
        decision_record(application=third, actor=official, outcome="awarded", amount="1500.00")

    grant = None
    if decide:
        competition_decide(competition=competition, actor=official)
        grant = Grant.objects.get(application=first)
        grant = grant_contract_prepare(
            grant=grant,
            actor=official,
            data={
                "bank_account": pf.IBAN,
                "operator_signatory": "Jan Burmistrz",
                "grantee_signatories": "Olga Właścicielka",
                "tranches": pf.tranches(grant, D("3200.00"), D("800.00")),
            },
        )
        grant = grant_sign(grant=grant, actor=official, signed_on=timezone.localdate())
        first_tranche = grant.payments.order_by("order").first()
        pf.pay(first_tranche, official)
        grant.refresh_from_db()
    competition.refresh_from_db()
    for application in (first, second, *others, *([third] if third else [])):
        application.refresh_from_db()
    return Known(competition, chair, nina, szymon, expert, first, second, others, grant, third)


def _formal_round(application, number, outcome, official, findings, comments=None):
    comments = comments or {}
    moment = timezone.now() - timedelta(minutes=100 - number)
    check = FormalCheck.objects.create(
        application=application,
        round=number,
        outcome=outcome,
        checked_by=official,
        concluded_by=official,
        concluded_at=moment,
        comment="Proszę uzupełnić podpis" if outcome == "correction_requested" else "",
    )
    for item, passed in findings.items():
        FormalCheckResult.objects.create(
            formal_check=check,
            item=item,
            passed=passed,
            comment=comments.get(item, ""),
            checked_by=official,
            checked_at=moment,
        )
    return check


def test_the_known_competition_is_as_described(operator, official):
    known = known_competition(operator=operator, official=official)
    assert known.competition.status == Competition.Status.DECIDED
    assert [known.first.status, known.second.status] == ["awarded", "rejected"]
    assert [known.first.number, known.second.number] == ["DL/2026/001", "DL/2026/002"]
    assert known.grant.amount_awarded == D("4000.00")
    assert known.grant.payments.filter(status="paid").get().amount_paid == D("3200.00")
