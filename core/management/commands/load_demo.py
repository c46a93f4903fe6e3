"""Load a small, realistic installation to click through: two operators, their
officials, commission members, three applicant groups, a published
competition with a submitted application and a complete draft, and a second
competition still in preparation.

Everything that has a service is made through it, as a person would do it,
so the demo also shows the audit log and the numbering. Dates are relative to
today: the open competition always has about 30 days to go.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone

from applications.formal import formal_accept, formal_check_save
from applications.models import (
    ApplicantGroup,
    Application,
    BudgetLine,
    GroupMembership,
    Indicator,
    ScheduleItem,
)
from applications.services import (
    answers_save,
    application_create,
    application_submit,
    application_update,
    group_create,
    group_invite,
    informal_member_add,
    invitation_accept,
    part_save,
)
from competitions.models import (
    ChecklistItem,
    Competition,
    Criterion,
    FormQuestion,
    Operator,
    StaffMembership,
)
from competitions.services import (
    competition_close,
    competition_create,
    competition_part_save,
    competition_publish,
)
from core.models import AuditEntry, User
from reviews.models import CommissionMember
from reviews.services import (
    assignments_auto,
    commission_member_add,
    competition_decide,
    competition_start_review,
    decisions_from_proposal,
    declaration_sign,
    recommendations_from_proposal,
    review_submit,
    scoring_close,
)

# Published in the README: these accounts exist only in demo installations.
DEMO_PASSWORD = "demo-grantownik"  # noqa: S105
CENTRE_SLUG = "wspolne-podworko"
CITY_SLUG = "um-zielonki"
OFFICIALS_GROUP = "Urzędnicy operatora (panel administracyjny)"


@dataclass(frozen=True)
class Person:
    email: str
    full_name: str
    role: str  # what the README and the command's table say about them


OFFICIAL_ADMIN = Person(
    "katarzyna.wisniewska@example.org",
    "Katarzyna Wiśniewska",
    "coordinator of Fundacja Wspólne Podwórko, operator admin, Django admin",
)
OFFICIAL = Person(
    "tomasz.zielinski@example.org",
    "Tomasz Zieliński",
    "grants officer of Fundacja Wspólne Podwórko",
)
CITY_OFFICIAL = Person(
    "magdalena.kowalczyk@example.org",
    "Magdalena Kowalczyk",
    "NGO office of Urząd Miasta Zielonki, operator admin",
)
NGO_REPRESENTATIVES = (
    Person(
        "jan.lewandowski@example.org",
        "Jan Lewandowski",
        "NGO representative (Stowarzyszenie Razem dla Zielonek), chair of the spring edition's commission",
    ),
    Person(
        "ewa.dabrowska@example.org",
        "Ewa Dąbrowska",
        "NGO representative (Fundacja Otwarte Drzwi), commission member",
    ),
    Person(
        "piotr.kaminski@example.org",
        "Piotr Kamiński",
        "NGO representative (UKS Orlik Zielonki), commission member",
    ),
)
NGO_OWNER = Person(
    "agnieszka.wojcik@example.org",
    "Agnieszka Wójcik",
    "owner of Stowarzyszenie Przyjaciół Parku Zielonka (submitted application)",
)
NGO_EDITOR = Person(
    "marek.kozlowski@example.org",
    "Marek Kozłowski",
    "editor in Stowarzyszenie Przyjaciół Parku Zielonka",
)
ASSOCIATION_OWNER = Person(
    "barbara.mazur@example.org",
    "Barbara Mazur",
    "owner of Sąsiedzi z Ogrodowej, an ordinary association (complete draft)",
)
INFORMAL_OWNER = Person(
    "halina.krawczyk@example.org",
    "Halina Krawczyk",
    "owner of the informal group Seniorzy w Akcji (draft in progress)",
)
PEOPLE = (
    OFFICIAL_ADMIN,
    OFFICIAL,
    CITY_OFFICIAL,
    *NGO_REPRESENTATIVES,
    NGO_OWNER,
    NGO_EDITOR,
    ASSOCIATION_OWNER,
    INFORMAL_OWNER,
)

# Registration numbers with valid check digits (NIP and REGON are verified by
# python-stdnum when a group is created); they belong to no real body known to us.
NGO = {
    "name": "Stowarzyszenie Przyjaciół Parku Zielonka",
    "kind": ApplicantGroup.Kind.NGO,
    "krs": "0000612345",
    "nip": "6793182452",
    "regon": "365127841",
    "address": "ul. Parkowa 12",
    "postal_code": "32-087",
    "city": "Zielonki",
    "email": "kontakt@park-zielonka.example.org",
    "phone": "+48 12 345 67 89",
    "bank_account": "PL15102029110000987654321234",
}
ASSOCIATION = {
    "name": "Stowarzyszenie zwykłe „Sąsiedzi z Ogrodowej”",
    "kind": ApplicantGroup.Kind.ORDINARY_ASSOCIATION,
    "nip": "9452118762",
    "regon": "384210560",
    "address": "ul. Ogrodowa 5/3",
    "postal_code": "32-087",
    "city": "Zielonki",
    "email": "sasiedzi.ogrodowa@example.org",
    "bank_account": "PL05114020060000987654321234",
}
INFORMAL = {
    "name": "Grupa nieformalna „Seniorzy w Akcji”",
    "kind": ApplicantGroup.Kind.INFORMAL,
    "city": "Zielonki",
    "email": "seniorzy.w.akcji@example.org",
    "patron_name": NGO["name"],
    "patron_krs": NGO["krs"],
}
INFORMAL_MEMBERS = ("Halina Krawczyk", "Zbigniew Pawlak", "Teresa Michalska")

DL_RULES = """\
1. Program Działaj Lokalnie wspiera inicjatywy mieszkańców, które angażują \
społeczność lokalną we wspólne działania dla dobra wspólnego.
2. O dotację mogą ubiegać się organizacje pozarządowe i stowarzyszenia zwykłe \
z siedzibą na terenie gmin Zielonki, Michałowice i Wielka Wieś oraz grupy \
nieformalne złożone z co najmniej trzech pełnoletnich osób, które działają \
pod patronatem organizacji pozarządowej.
3. Dotacja wynosi od 1 000 do 6 000 zł. Wnioskodawca wnosi wkład własny \
w wysokości co najmniej 25% dotacji, w tym co najmniej 5% wkładu finansowego; \
pozostałą część może stanowić praca wolontariuszy (wyceniana na 40 zł za \
godzinę) lub wkład rzeczowy.
4. Koszty administracyjne (księgowość, koordynacja) nie mogą przekroczyć 10% \
dotacji. Dotacji nie przeznacza się na zakup środków trwałych powyżej 3 500 zł.
5. Wniosek składa się wyłącznie w generatorze, w terminie wskazanym \
w ogłoszeniu. Wnioski niekompletne w części podlegającej uzupełnieniu można \
poprawić w ciągu 7 dni od wezwania.
6. Wnioski ocenia komisja złożona z przedstawicieli organizacji pozarządowych \
i ośrodka; do dofinansowania kwalifikują się projekty, które uzyskały co \
najmniej 60% punktów.
"""


def _purge(queryset, depth: int = 0) -> None:
    """Delete the rows and, first, whatever protects them from deletion (the
    reviews, decisions and grants of a demo application). Records of public
    money are protected on purpose; only the demo's own are swept away here."""
    while True:
        try:
            with transaction.atomic():
                queryset.delete()
            return
        except ProtectedError as exc:
            if depth > 8:
                raise
            by_model: dict[type, list[int]] = {}
            for blocker in exc.protected_objects:
                by_model.setdefault(type(blocker), []).append(blocker.pk)
            for model, pks in by_model.items():
                _purge(model._default_manager.filter(pk__in=pks), depth + 1)


def _deadline(days_ahead: int) -> datetime:
    """Submissions close at 16:00 Warsaw time, `days_ahead` days from today."""
    day = timezone.localdate() + timedelta(days=days_ahead)
    return timezone.make_aware(datetime.combine(day, time(16, 0)))


class Command(BaseCommand):
    help = (
        "Load the demo data (operators, officials, groups, competitions, applications). "
        "Does nothing when it is already loaded, unless --reset is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo data loaded earlier and load it again.",
        )

    def handle(self, *args, reset: bool = False, **options):
        loaded = Operator.objects.filter(slug=CENTRE_SLUG).exists()
        if loaded and not reset:
            self.stdout.write("The demo data is already loaded; nothing to do (--reset reloads).")
            self._print_accounts()
            return
        with transaction.atomic():
            if loaded:
                self._remove()
            self._load()
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self._print_accounts()

    # Removing

    def _remove(self) -> None:
        emails = [p.email for p in PEOPLE]
        users = User.objects.filter(email__in=emails)
        operators = Operator.objects.filter(slug__in=[CENTRE_SLUG, CITY_SLUG])
        groups = ApplicantGroup.objects.filter(memberships__user__in=users).distinct()
        applications = Application.objects.filter(
            Q(competition__operator__in=operators) | Q(group__in=groups)
        )
        competitions = Competition.objects.filter(operator__in=operators)
        try:
            # The audit log is append-only; only the demo's own rows go, with it.
            AuditEntry.objects.filter(actor__in=users).delete()
            for model, queryset in ((Application, applications), (Competition, competitions)):
                AuditEntry.objects.filter(
                    content_type__app_label=model._meta.app_label,
                    content_type__model=model._meta.model_name,
                    object_id__in=list(queryset.values_list("pk", flat=True)),
                ).delete()
            group_ids = list(groups.values_list("pk", flat=True))
            for queryset in (
                applications,
                competitions,
                ApplicantGroup.objects.filter(pk__in=group_ids),
                operators,
                users,
            ):
                _purge(queryset)
        except ProtectedError as exc:
            raise CommandError(
                "The demo data is referenced by other records and cannot be removed alone; "
                "start from an empty database instead (make demo). " + str(exc)
            ) from exc

    # Loading

    def _user(self, person: Person, **extra) -> User:
        return User.objects.create_user(
            person.email, DEMO_PASSWORD, full_name=person.full_name, language="pl", **extra
        )

    def _load(self) -> None:
        centre = Operator.objects.create(
            name="Fundacja Wspólne Podwórko (ośrodek Działaj Lokalnie)",
            slug=CENTRE_SLUG,
            kind=Operator.Kind.LOCAL_CENTRE,
            nip="6773124581",
            regon="520148361",
            krs="0000598765",
            address="ul. Krakowska 41, 32-087 Zielonki",
            email="dzialajlokalnie@wspolne-podworko.example.org",
        )
        city = Operator.objects.create(
            name="Urząd Miasta Zielonki – Biuro ds. NGO",
            slug=CITY_SLUG,
            kind=Operator.Kind.MUNICIPALITY,
            nip="5252984317",
            address="ul. Jana Pawła II 2, 32-087 Zielonki",
            email="ngo@um-zielonki.example.org",
        )

        coordinator = self._user(OFFICIAL_ADMIN, is_staff=True)
        coordinator.groups.add(self._officials_group())
        officer = self._user(OFFICIAL)
        city_official = self._user(CITY_OFFICIAL)
        StaffMembership.objects.create(
            operator=centre, user=coordinator, is_admin=True, job_title="Koordynatorka programu"
        )
        StaffMembership.objects.create(
            operator=centre, user=officer, job_title="Specjalista ds. grantów"
        )
        StaffMembership.objects.create(
            operator=city, user=city_official, is_admin=True, job_title="Kierowniczka Biura ds. NGO"
        )
        for person in NGO_REPRESENTATIVES:
            self._user(person)

        ngo_owner = self._user(NGO_OWNER)
        ngo_editor = self._user(NGO_EDITOR)
        association_owner = self._user(ASSOCIATION_OWNER)
        informal_owner = self._user(INFORMAL_OWNER)
        ngo = group_create(actor=ngo_owner, data=dict(NGO))
        invitation = group_invite(
            group=ngo, actor=ngo_owner, email=ngo_editor.email, role=GroupMembership.Role.EDITOR
        )
        invitation_accept(token=invitation.token, actor=ngo_editor)
        association = group_create(actor=association_owner, data=dict(ASSOCIATION))
        informal = group_create(actor=informal_owner, data=dict(INFORMAL))
        for name in INFORMAL_MEMBERS:
            informal_member_add(
                group=informal,
                actor=informal_owner,
                data={"full_name": name, "city": "Zielonki", "is_adult": True},
            )

        competition = self._open_competition(centre, coordinator)
        self._draft_competition(city, city_official)

        submitted = self._complete_application(
            competition, ngo, ngo_editor, NGO_PROJECT, answers=NGO_ANSWERS
        )
        application_submit(application=submitted, actor=ngo_owner)
        self._complete_application(
            competition, association, association_owner, ASSOCIATION_PROJECT, ASSOCIATION_ANSWERS
        )
        self._decided_competition(
            centre,
            coordinator,
            officer,
            [
                (ngo, ngo_owner, NGO_PROJECT, NGO_ANSWERS),
                (association, association_owner, ASSOCIATION_PROJECT, ASSOCIATION_ANSWERS),
                (informal, informal_owner, INFORMAL_PROJECT, NGO_ANSWERS),
            ],
        )
        started = application_create(competition=competition, group=informal, actor=informal_owner)
        application_update(
            application=started,
            actor=informal_owner,
            data={
                "title": "Seniorzy w sieci – warsztaty cyfrowe w bibliotece",
                "summary": (
                    "Cykl ośmiu warsztatów, na których seniorzy uczą się korzystać z bankowości "
                    "internetowej, e-recepty i wideorozmów z rodziną."
                ),
                "place": "Gminna Biblioteka Publiczna w Zielonkach",
            },
        )

    def _officials_group(self) -> Group:
        """Django-admin permissions for officials: read everything of the
        competitions and applications, manage competitions and staff."""
        group, _created = Group.objects.get_or_create(name=OFFICIALS_GROUP)
        manage = Q(content_type__app_label="competitions")
        read = Q(content_type__app_label__in=["applications", "core"], codename__startswith="view_")
        people = Q(content_type__app_label="core", codename__in=["add_user", "change_user"])
        group.permissions.set(Permission.objects.filter(manage | read | people))
        return group

    def _open_competition(
        self, operator: Operator, official: User, *, title: str = "", prefix: str = "DL"
    ) -> Competition:
        deadline = _deadline(30)
        start = timezone.localdate(deadline) + timedelta(days=45)
        end = start + timedelta(days=240)
        competition = competition_create(
            operator=operator,
            actor=official,
            data={
                "title": title or f"Działaj Lokalnie {start.year}",
                "kind": Competition.Kind.REGRANTING,
                "number_prefix": prefix,
                "year": start.year,
                "summary": (
                    "Konkurs grantowy programu Działaj Lokalnie dla organizacji i grup "
                    "mieszkańców z gmin Zielonki, Michałowice i Wielka Wieś. Wspieramy "
                    "projekty, które mieszkańcy przygotowują i realizują razem: sąsiedzkie "
                    "ogrody, warsztaty, festyny, kluby seniora, remonty wspólnych miejsc."
                ),
                "rules": DL_RULES,
                "submission_deadline": deadline,
                "min_submission_days": 21,
                "budget_total": Decimal("60000.00"),
                "grant_min": Decimal("1000.00"),
                "grant_max": Decimal("6000.00"),
                "implementation_start": start,
                "implementation_end": end,
                "max_project_days": 180,
                "own_contribution_min_pct": Decimal("25.00"),
                "own_financial_min_pct": Decimal("5.00"),
                "admin_costs_max_pct": Decimal("10.00"),
                "volunteer_hour_rate": Decimal("40.00"),
                "correction_window_days": 7,
                "score_threshold_pct": Decimal("60.00"),
                "reviewers_per_application": 2,
                "final_report_days": 21,
                "refund_days": 15,
            },
        )
        for position, (name, max_points, guidance) in enumerate(DL_CRITERIA, start=1):
            competition_part_save(
                competition=competition,
                actor=official,
                model=Criterion,
                data={
                    "name": name,
                    "max_points": Decimal(max_points),
                    "guidance": guidance,
                    "position": position,
                },
            )
        for position, (text, correctable) in enumerate(DL_CHECKLIST, start=1):
            competition_part_save(
                competition=competition,
                actor=official,
                model=ChecklistItem,
                data={"text": text, "correctable": correctable, "position": position},
            )
        for position, question in enumerate(DL_QUESTIONS, start=1):
            competition_part_save(
                competition=competition,
                actor=official,
                model=FormQuestion,
                data={**question, "position": position},
            )
        return competition_publish(competition=competition, actor=official)

    def _decided_competition(self, operator, coordinator, officer, applicants) -> Competition:
        """The spring edition, taken all the way to a decision through the same
        services people use: commission, declarations, automatic assignment,
        scores, the funding line, the recommendation and the decision, which
        opens the grants. Only the passing of time is simulated: submissions
        are made while the edition is open, then its deadline is moved to this
        morning, as the calendar would have done."""
        competition = self._open_competition(
            operator, coordinator, title="Działaj Lokalnie – edycja wiosenna", prefix="DLW"
        )
        representatives = list(
            User.objects.filter(email__in=[p.email for p in NGO_REPRESENTATIVES]).order_by("pk")
        )
        for official in (coordinator, officer):
            commission_member_add(
                competition=competition,
                actor=coordinator,
                user=official,
                affiliation=CommissionMember.Affiliation.OFFICIAL,
            )
        for position, person in enumerate(representatives):
            commission_member_add(
                competition=competition,
                actor=coordinator,
                user=person,
                affiliation=CommissionMember.Affiliation.NGO_REPRESENTATIVE,
                is_chair=position == 0,
            )
        submitted = []
        for group, owner, project, answers in applicants:
            spring = {
                **project,
                "fields": {**project["fields"], "title": SPRING_TITLES[group.name]},
            }
            application = self._complete_application(competition, group, owner, spring, answers)
            submitted.append(application_submit(application=application, actor=owner))

        Competition.objects.filter(pk=competition.pk).update(
            submission_deadline=timezone.now() - timedelta(hours=3)
        )
        competition.refresh_from_db()
        competition_close(competition=competition, actor=None)
        items = list(competition.checklist_items.all())
        for application in submitted:
            formal_check_save(
                application=application,
                actor=officer,
                results=[{"item": item.pk, "passed": True, "comment": ""} for item in items],
            )
            formal_accept(application=application, actor=officer)
        for user in [coordinator, officer, *representatives]:
            declaration_sign(competition=competition, actor=user)
        competition_start_review(competition=competition, actor=coordinator)
        criteria = list(competition.criteria.all())
        # Share of each criterion's maximum the reviewers give, by application:
        # the first clearly funded, the second above the threshold, the third below it.
        shares = {submitted[0].pk: (90, 80), submitted[1].pk: (75, 65), submitted[2].pk: (55, 50)}
        given: dict[int, int] = {}
        for review in assignments_auto(competition=competition, actor=coordinator):
            turn = given.get(review.application_id, 0)
            given[review.application_id] = turn + 1
            share = Decimal(shares[review.application_id][turn % 2]) / 100
            review_submit(
                review=review,
                actor=review.member.user,
                scores=[
                    {
                        "criterion": c.pk,
                        "points": (c.max_points * share).quantize(Decimal("1")),
                        "comment": "Ocena zgodna z kartą oceny.",
                    }
                    for c in criteria
                ],
                comment="Projekt oceniony według kryteriów konkursu.",
            )
        scoring_close(competition=competition, actor=coordinator)
        recommendations_from_proposal(competition=competition, actor=representatives[0])
        decisions_from_proposal(competition=competition, actor=coordinator)
        return competition_decide(
            competition=competition,
            actor=coordinator,
            comment="Uchwała Zarządu Fundacji nr 7/2026 w sprawie przyznania grantów.",
        )

    def _draft_competition(self, operator: Operator, official: User) -> Competition:
        deadline = _deadline(75)
        start = timezone.localdate(deadline) + timedelta(days=30)
        competition = competition_create(
            operator=operator,
            actor=official,
            data={
                "title": f"Małe granty {start.year}: aktywni seniorzy",
                "kind": Competition.Kind.SMALL_GRANT,
                "number_prefix": "MG",
                "year": start.year,
                "summary": (
                    "Zadania publiczne w trybie art. 19a ustawy o działalności pożytku "
                    "publicznego: zajęcia ruchowe, kulturalne i edukacyjne dla osób po 60. "
                    "roku życia, trwające nie dłużej niż 90 dni."
                ),
                "rules": (
                    "Oferty składają organizacje pozarządowe i podmioty z art. 3 ust. 3 "
                    "ustawy. Kwota dotacji do 10 000 zł, zadanie trwa do 90 dni. Wkład "
                    "własny co najmniej 10% dotacji."
                ),
                "submission_deadline": deadline,
                "min_submission_days": 21,
                "budget_total": Decimal("50000.00"),
                "grant_min": Decimal("2000.00"),
                "grant_max": Decimal("10000.00"),
                "implementation_start": start,
                "implementation_end": start + timedelta(days=150),
                "max_project_days": 90,
                "own_contribution_min_pct": Decimal("10.00"),
                "own_financial_min_pct": Decimal("0.00"),
                "admin_costs_max_pct": Decimal("15.00"),
                "final_report_days": 30,
            },
        )
        for position, (name, max_points) in enumerate(
            (
                ("Możliwość realizacji zadania przez oferenta", "10"),
                ("Jakość zadania i kwalifikacje osób realizujących", "20"),
                ("Kalkulacja kosztów w odniesieniu do zakresu zadania", "10"),
            ),
            start=1,
        ):
            competition_part_save(
                competition=competition,
                actor=official,
                model=Criterion,
                data={"name": name, "max_points": Decimal(max_points), "position": position},
            )
        competition_part_save(
            competition=competition,
            actor=official,
            model=ChecklistItem,
            data={"text": "Oferta złożona przez uprawniony podmiot", "correctable": False},
        )
        return competition

    def _complete_application(
        self, competition: Competition, group, actor: User, project: dict, answers: dict
    ) -> Application:
        application = application_create(competition=competition, group=group, actor=actor)
        start = competition.implementation_start + timedelta(days=project["starts_after_days"])
        end = start + timedelta(days=project["days"])
        application_update(
            application=application,
            actor=actor,
            data={**project["fields"], "start_date": start, "end_date": end},
        )
        for position, line in enumerate(project["budget"], start=1):
            part_save(
                application=application,
                actor=actor,
                model=BudgetLine,
                data={**line, "position": position},
            )
        for position, (action, offset, length, description) in enumerate(
            project["schedule"], start=1
        ):
            part_save(
                application=application,
                actor=actor,
                model=ScheduleItem,
                data={
                    "action": action,
                    "description": description,
                    "start_date": start + timedelta(days=offset),
                    "end_date": start + timedelta(days=offset + length),
                    "position": position,
                },
            )
        for position, indicator in enumerate(project["indicators"], start=1):
            part_save(
                application=application,
                actor=actor,
                model=Indicator,
                data={**indicator, "position": position},
            )
        questions = {q.label: q.pk for q in competition.questions.all()}
        answers_save(
            application=application,
            actor=actor,
            answers={questions[label]: value for label, value in answers.items()},
        )
        return application

    def _print_accounts(self) -> None:
        self.stdout.write(f"\nEvery demo account's password: {DEMO_PASSWORD}")
        for person in PEOPLE:
            self.stdout.write(f"  {person.email:<36} {person.full_name:<22} {person.role}")


DL_CRITERIA = (
    (
        "Zaangażowanie społeczności lokalnej",
        "35",
        "Czy mieszkańcy współtworzą projekt, a nie są tylko odbiorcami? Ile osób i "
        "instytucji włącza się w przygotowanie i realizację, w jakiej roli? Wysoko oceniamy "
        "wolontariat, współpracę sąsiedzką i partnerstwa z lokalnymi instytucjami.",
    ),
    (
        "Trafność: odpowiedź na rzeczywistą potrzebę",
        "20",
        "Czy wnioskodawca opisał potrzebę konkretnie i przekonująco (skąd o niej wie)? "
        "Czy działania prowadzą do jej zaspokojenia i czy grupa docelowa jest dobrze "
        "określona?",
    ),
    (
        "Realność wykonania i harmonogram",
        "25",
        "Czy działania są opisane konkretnie, harmonogram jest wykonalny, a zaplanowane "
        "rezultaty mierzalne i osiągalne? Czy wnioskodawca ma doświadczenie lub zasoby, "
        "by projekt zrealizować?",
    ),
    (
        "Budżet: celowość i gospodarność",
        "20",
        "Czy koszty są niezbędne do realizacji działań i realistycznie wycenione? Czy "
        "wkład własny jest rzetelnie wyliczony, a koszty administracyjne uzasadnione?",
    ),
)

DL_CHECKLIST = (
    ("Wniosek złożono w generatorze przed upływem terminu.", False),
    (
        "Wnioskodawca jest uprawniony: organizacja z siedzibą na terenie programu albo "
        "grupa nieformalna (co najmniej 3 pełnoletnie osoby) z organizacją patronacką.",
        False,
    ),
    ("Wnioskowana kwota mieści się w przedziale 1 000–6 000 zł.", False),
    ("Projekt będzie realizowany w okresie wskazanym w regulaminie.", False),
    ("Wkład własny wynosi co najmniej 25% dotacji, w tym co najmniej 5% finansowego.", True),
    ("Koszty administracyjne nie przekraczają 10% dotacji.", True),
    (
        "Dołączono oświadczenie organizacji patronackiej (dotyczy grup nieformalnych) lub "
        "aktualny odpis z rejestru.",
        True,
    ),
    ("Wniosek podpisały osoby upoważnione do reprezentacji wnioskodawcy.", True),
)

THEMES = [
    "Integracja sąsiedzka",
    "Kultura i tradycja lokalna",
    "Ekologia i otoczenie",
    "Sport i rekreacja",
    "Edukacja",
    "Seniorzy i międzypokoleniowość",
]
Q_INVOLVEMENT = "W jaki sposób mieszkańcy włączą się w przygotowanie i realizację projektu?"
Q_THEME = "Jaki obszar tematyczny najlepiej opisuje projekt?"
Q_VOLUNTEERS = "Ilu wolontariuszy zaangażujecie w projekt?"
Q_BEFORE = "Czy wnioskodawca realizował już projekt z programu Działaj Lokalnie?"
Q_WEBSITE = "Strona internetowa lub profil w mediach społecznościowych"
DL_QUESTIONS = (
    {
        "label": Q_INVOLVEMENT,
        "kind": FormQuestion.Kind.LONG_TEXT,
        "required": True,
        "max_length": 3000,
        "help_text": "Napiszcie, kto z mieszkańców co robi: planuje, prowadzi, pomaga, użycza.",
    },
    {
        "label": Q_THEME,
        "kind": FormQuestion.Kind.CHOICE,
        "required": True,
        "choices": THEMES,
    },
    {"label": Q_VOLUNTEERS, "kind": FormQuestion.Kind.NUMBER, "required": True},
    {"label": Q_BEFORE, "kind": FormQuestion.Kind.YES_NO, "required": True},
    {"label": Q_WEBSITE, "kind": FormQuestion.Kind.SHORT_TEXT, "max_length": 200},
    {
        "label": "Listy poparcia lub rekomendacje (nieobowiązkowe)",
        "kind": FormQuestion.Kind.FILE,
        "help_text": "Skan lub zdjęcie, PDF albo JPG.",
    },
)

NGO_PROJECT = {
    "starts_after_days": 20,
    "days": 120,
    "fields": {
        "title": "Zielona klasa w Parku Zielonka",
        "summary": (
            "Mieszkańcy razem z uczniami szkoły podstawowej urządzają w parku zieloną klasę: "
            "ławki z drewna, tablice o drzewach i ptakach, rabatę ziół. Przez całe lato "
            "prowadzimy tam sobotnie zajęcia przyrodnicze dla rodzin."
        ),
        "description": (
            "Park Zielonka to jedyny większy teren zielony w centrum miejscowości, ale "
            "brakuje w nim miejsca do wspólnych zajęć. Na zebraniu sąsiedzkim w marcu "
            "mieszkańcy zaproponowali zieloną klasę pod lipami przy stawie.\n\n"
            "Projekt ma trzy etapy: (1) warsztaty projektowe z dziećmi i rodzicami, na "
            "których wspólnie wybieramy wyposażenie; (2) dwa sąsiedzkie dni pracy: "
            "budowa ławek z drewna modrzewiowego, sadzenie rabaty ziół, montaż tablic; "
            "(3) dziesięć sobotnich zajęć przyrodniczych prowadzonych przez nauczycielki "
            "biologii i członków koła wędkarskiego."
        ),
        "target_group": (
            "Rodziny z dziećmi w wieku 6–12 lat z Zielonek i okolic, uczniowie Szkoły "
            "Podstawowej nr 1, seniorzy z pobliskiego osiedla."
        ),
        "target_group_size": 180,
        "place": "Park Zielonka, ul. Parkowa, Zielonki",
        "amount_requested": Decimal("5400.00"),
    },
    # The grant column adds up to the amount requested; own contribution is
    # 1,600 PLN (29.6%), of which 400 PLN (7.4%) financial; admin 500 PLN (9.3%).
    "budget": (
        {
            "name": "Drewno modrzewiowe i okucia na 6 ławek",
            "unit": "kpl.",
            "quantity": Decimal("6"),
            "unit_cost": Decimal("450.00"),
            "grant_amount": Decimal("2400.00"),
            "own_financial": Decimal("300.00"),
        },
        {
            "name": "Tablice edukacyjne (projekt i druk na dibondzie)",
            "unit": "szt.",
            "quantity": Decimal("4"),
            "unit_cost": Decimal("350.00"),
            "grant_amount": Decimal("1400.00"),
        },
        {
            "name": "Sadzonki ziół, ziemia, kora",
            "unit": "kpl.",
            "quantity": Decimal("1"),
            "unit_cost": Decimal("900.00"),
            "grant_amount": Decimal("800.00"),
            "own_financial": Decimal("100.00"),
        },
        {
            "name": "Materiały na zajęcia przyrodnicze (lupy, klucze do oznaczania)",
            "unit": "kpl.",
            "quantity": Decimal("1"),
            "unit_cost": Decimal("300.00"),
            "grant_amount": Decimal("300.00"),
        },
        {
            "name": "Praca wolontariuszy przy budowie i zajęciach",
            "unit": "godz.",
            "quantity": Decimal("30"),
            "unit_cost": Decimal("40.00"),
            "own_non_financial": Decimal("1200.00"),
            "is_volunteer_work": True,
        },
        {
            "category": BudgetLine.Category.ADMINISTRATIVE,
            "name": "Obsługa księgowa projektu",
            "unit": "mies.",
            "quantity": Decimal("4"),
            "unit_cost": Decimal("125.00"),
            "grant_amount": Decimal("500.00"),
        },
    ),
    "schedule": (
        ("Warsztaty projektowe z dziećmi i rodzicami", 0, 14, "Dwa spotkania w szkole."),
        ("Zakup materiałów", 10, 14, ""),
        ("Sąsiedzkie dni pracy w parku", 28, 14, "Budowa ławek, sadzenie rabaty, tablice."),
        ("Sobotnie zajęcia przyrodnicze", 45, 70, "Dziesięć zajęć po 3 godziny."),
        ("Piknik na zakończenie i podsumowanie", 116, 4, ""),
    ),
    "indicators": (
        {
            "result": "W parku powstaje zielona klasa",
            "name": "Liczba ławek i tablic edukacyjnych",
            "target_value": Decimal("10"),
            "unit": "szt.",
            "verification": "Dokumentacja zdjęciowa, protokół odbioru",
        },
        {
            "result": "Rodziny uczestniczą w zajęciach przyrodniczych",
            "name": "Liczba uczestników zajęć",
            "target_value": Decimal("150"),
            "unit": "osób",
            "verification": "Listy obecności",
        },
        {
            "result": "Mieszkańcy pracują razem jako wolontariusze",
            "name": "Liczba wolontariuszy",
            "target_value": Decimal("15"),
            "unit": "osób",
            "verification": "Porozumienia wolontariackie",
        },
    ),
}
NGO_ANSWERS = {
    Q_INVOLVEMENT: (
        "Wyposażenie wybierają dzieci i rodzice na warsztatach. Ławki budujemy z sąsiadami "
        "podczas dwóch dni pracy (zgłosiło się już 12 osób), koło wędkarskie prowadzi zajęcia "
        "o stawie, a rada sołecka użycza namiotu i nagłośnienia na piknik."
    ),
    Q_THEME: "Ekologia i otoczenie",
    Q_VOLUNTEERS: 15,
    Q_BEFORE: True,
    Q_WEBSITE: "https://www.facebook.com/park.zielonka",
}

ASSOCIATION_PROJECT = {
    "starts_after_days": 60,
    "days": 90,
    "fields": {
        "title": "Potańcówki na Ogrodowej – sąsiedzkie wieczory z muzyką",
        "summary": (
            "Trzy letnie potańcówki na podwórku przy ul. Ogrodowej z nauką tańców "
            "ludowych i towarzyskich, dla sąsiadów w każdym wieku."
        ),
        "description": (
            "Nasze podwórko jest puste, a sąsiedzi znają się coraz słabiej. Chcemy to "
            "zmienić przy muzyce: raz w miesiącu, od czerwca do sierpnia, zapraszamy "
            "wszystkich na wieczór tańca. Każdy wieczór zaczyna godzinna nauka kroków z "
            "instruktorką, potem gra kapela z Zielonek. Sąsiedzi przygotowują "
            "poczęstunek i dekoracje, młodzież prowadzi stoisko z lemoniadą."
        ),
        "target_group": "Mieszkańcy ul. Ogrodowej i sąsiednich ulic, od dzieci po seniorów.",
        "target_group_size": 120,
        "place": "Podwórko przy ul. Ogrodowej 5–9, Zielonki",
        "amount_requested": Decimal("3800.00"),
    },
    # Own contribution 1,000 PLN (26.3%), of which 200 PLN (5.3%) financial.
    "budget": (
        {
            "name": "Występ kapeli ludowej",
            "unit": "wieczór",
            "quantity": Decimal("3"),
            "unit_cost": Decimal("800.00"),
            "grant_amount": Decimal("2400.00"),
        },
        {
            "name": "Instruktorka tańca",
            "unit": "godz.",
            "quantity": Decimal("3"),
            "unit_cost": Decimal("150.00"),
            "grant_amount": Decimal("450.00"),
        },
        {
            "name": "Oświetlenie i dekoracje podwórka",
            "unit": "kpl.",
            "quantity": Decimal("1"),
            "unit_cost": Decimal("800.00"),
            "grant_amount": Decimal("600.00"),
            "own_financial": Decimal("200.00"),
        },
        {
            "name": "Praca wolontariuszy (przygotowanie i sprzątanie)",
            "unit": "godz.",
            "quantity": Decimal("20"),
            "unit_cost": Decimal("40.00"),
            "own_non_financial": Decimal("800.00"),
            "is_volunteer_work": True,
        },
        {
            "category": BudgetLine.Category.ADMINISTRATIVE,
            "name": "Koordynacja i rozliczenie projektu",
            "unit": "ryczałt",
            "quantity": Decimal("1"),
            "unit_cost": Decimal("350.00"),
            "grant_amount": Decimal("350.00"),
        },
    ),
    "schedule": (
        ("Spotkanie organizacyjne z sąsiadami", 0, 7, "Podział zadań, wybór repertuaru."),
        ("Pierwsza potańcówka", 20, 1, ""),
        ("Druga potańcówka", 50, 1, ""),
        ("Trzecia potańcówka i podsumowanie", 80, 10, ""),
    ),
    "indicators": (
        {
            "result": "Sąsiedzi spotykają się na wspólnych wieczorach",
            "name": "Liczba uczestników potańcówek łącznie",
            "target_value": Decimal("250"),
            "unit": "osób",
            "verification": "Szacunek organizatorów, zdjęcia",
        },
    ),
}
ASSOCIATION_ANSWERS = {
    Q_INVOLVEMENT: (
        "Sąsiedzi sami wybierają repertuar, przygotowują poczęstunek i dekoracje; "
        "młodzież z bloku nr 7 prowadzi stoisko z lemoniadą."
    ),
    Q_THEME: "Integracja sąsiedzka",
    Q_VOLUNTEERS: 8,
    Q_BEFORE: False,
}

# The informal group's project in the spring edition: a smaller version of the
# park classroom, run by the seniors.
INFORMAL_PROJECT = {
    **NGO_PROJECT,
    "fields": {
        **NGO_PROJECT["fields"],
        "summary": (
            "Seniorzy z Zielonek razem z wnukami sadzą zioła i krzewy owocowe przy "
            "bibliotece i prowadzą tam spotkania o ogrodnictwie."
        ),
    },
}
SPRING_TITLES = {
    NGO["name"]: "Wiosenne porządki w Parku Zielonka",
    ASSOCIATION["name"]: "Podwórkowe kino letnie na Ogrodowej",
    INFORMAL["name"]: "Ogródek ziołowy przy bibliotece",
}
