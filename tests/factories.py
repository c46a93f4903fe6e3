"""factory_boy factories for every model; `ready_application` builds one that
passes every submission rule of its competition."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from applications.models import (
    ApplicantGroup,
    Application,
    BudgetLine,
    GroupMembership,
    Indicator,
    InformalGroupMember,
    ScheduleItem,
)
from competitions.models import (
    ChecklistItem,
    Competition,
    Criterion,
    FormQuestion,
    Operator,
    StaffMembership,
)
from core.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="pl_PL")
    language = "pl"
    password = factory.django.Password("correct-horse-battery")


class OperatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Operator

    name = factory.Sequence(lambda n: f"Urząd Gminy {n}")
    slug = factory.Sequence(lambda n: f"operator-{n}")
    kind = Operator.Kind.MUNICIPALITY


class StaffMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMembership

    operator = factory.SubFactory(OperatorFactory)
    user = factory.SubFactory(UserFactory)


class CompetitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Competition

    operator = factory.SubFactory(OperatorFactory)
    title = factory.Sequence(lambda n: f"Działaj Lokalnie {n}")
    number_prefix = "DL"
    year = 2026
    status = Competition.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    submission_deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    budget_total = Decimal("60000.00")
    grant_min = Decimal("1000.00")
    grant_max = Decimal("6000.00")
    implementation_start = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=45))
    implementation_end = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=200))
    own_contribution_min_pct = Decimal("25.00")
    own_financial_min_pct = Decimal("5.00")
    admin_costs_max_pct = Decimal("10.00")


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    competition = factory.SubFactory(CompetitionFactory)
    name = factory.Sequence(lambda n: f"Kryterium {n}")
    max_points = Decimal("20")


class ChecklistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChecklistItem

    competition = factory.SubFactory(CompetitionFactory)
    text = factory.Sequence(lambda n: f"Wymóg formalny {n}")


class FormQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FormQuestion

    competition = factory.SubFactory(CompetitionFactory)
    label = factory.Sequence(lambda n: f"Pytanie {n}")
    kind = FormQuestion.Kind.SHORT_TEXT


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApplicantGroup

    name = factory.Sequence(lambda n: f"Stowarzyszenie Przyjaciół {n}")
    kind = ApplicantGroup.Kind.NGO
    krs = "0000123456"
    city = "Kraków"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupMembership

    group = factory.SubFactory(GroupFactory)
    user = factory.SubFactory(UserFactory)
    role = GroupMembership.Role.OWNER


class InformalMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InformalGroupMember

    group = factory.SubFactory(GroupFactory, kind=ApplicantGroup.Kind.INFORMAL, krs="")
    full_name = factory.Faker("name", locale="pl_PL")
    is_adult = True


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    competition = factory.SubFactory(CompetitionFactory)
    group = factory.SubFactory(GroupFactory)
    title = factory.Sequence(lambda n: f"Ogród sąsiedzki {n}")


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    application = factory.SubFactory(ApplicationFactory)
    name = "Materiały"
    quantity = Decimal("1")
    unit_cost = Decimal("1000.00")
    grant_amount = Decimal("1000.00")


def ready_application(competition=None, group=None, **fields) -> Application:
    """A draft that meets every rule of its competition (requested 4,000 PLN,
    own contribution 1,200 PLN of which 400 PLN financial, admin 300 PLN)."""
    competition = competition or CompetitionFactory()
    start = competition.implementation_start
    defaults = {
        "title": "Ogród sąsiedzki na Zabłociu",
        "summary": "Sąsiedzi zakładają wspólny ogród.",
        "description": "Opis działań projektu.",
        "target_group": "Mieszkańcy osiedla",
        "target_group_size": 40,
        "place": "Kraków, Zabłocie",
        "start_date": start,
        "end_date": start + timedelta(days=60),
        "amount_requested": Decimal("4000.00"),
    }
    defaults.update(fields)
    application = ApplicationFactory(
        competition=competition, group=group or GroupFactory(), **defaults
    )
    BudgetLine.objects.create(
        application=application,
        name="Sadzonki i ziemia",
        unit="kpl.",
        quantity=Decimal("1"),
        unit_cost=Decimal("4100.00"),
        grant_amount=Decimal("3700.00"),
        own_financial=Decimal("400.00"),
    )
    BudgetLine.objects.create(
        application=application,
        name="Praca wolontariuszy",
        unit="godz.",
        quantity=Decimal("40"),
        unit_cost=Decimal("20.00"),
        own_non_financial=Decimal("800.00"),
        is_volunteer_work=True,
    )
    BudgetLine.objects.create(
        application=application,
        category=BudgetLine.Category.ADMINISTRATIVE,
        name="Księgowość",
        unit="mies.",
        quantity=Decimal("1"),
        unit_cost=Decimal("300.00"),
        grant_amount=Decimal("300.00"),
    )
    ScheduleItem.objects.create(
        application=application,
        action="Przygotowanie terenu",
        start_date=start,
        end_date=start + timedelta(days=10),
    )
    Indicator.objects.create(
        application=application,
        result="Powstaje ogród",
        name="Liczba grządek",
        target_value=Decimal("12"),
        unit="szt.",
    )
    return application


def day(offset: int) -> date:
    return timezone.localdate() + timedelta(days=offset)
