"""Page forms. They only read what was typed into Python values; the services
check the rules and the permissions, and their messages are put back on these
forms' fields (`core.views.apply_domain_errors`)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from competitions.models import FormQuestion

from .models import (
    ApplicantGroup,
    Application,
    BudgetLine,
    GroupMembership,
    Indicator,
    InformalGroupMember,
    ScheduleItem,
)


def _label(model, field: str):
    return model._meta.get_field(field).verbose_name


def _help(model, field: str):
    return model._meta.get_field(field).help_text


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs={"class": "short", **(attrs or {})}, format="%Y-%m-%d")


def money_field(model, field: str, *, required: bool = False) -> forms.DecimalField:
    # Localised: Polish users type “1234,50”; a dot works too.
    return forms.DecimalField(
        label=_label(model, field),
        help_text=_help(model, field),
        required=required,
        max_digits=12,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "short"}),
    )


# Groups


class GroupForm(forms.Form):
    name = forms.CharField(label=_label(ApplicantGroup, "name"), max_length=300)
    kind = forms.ChoiceField(
        label=_("Kind of group"),
        choices=ApplicantGroup.Kind.choices,
        widget=forms.RadioSelect,
    )
    krs = forms.CharField(
        label=_label(ApplicantGroup, "krs"),
        required=False,
        max_length=14,
        help_text=_("Up to 10 digits, e.g. 0000123456."),
    )
    nip = forms.CharField(label=_label(ApplicantGroup, "nip"), required=False, max_length=13)
    regon = forms.CharField(label=_label(ApplicantGroup, "regon"), required=False, max_length=17)
    patron_name = forms.CharField(
        label=_label(ApplicantGroup, "patron_name"),
        required=False,
        max_length=300,
        help_text=_("The registered organisation that supports your informal group."),
    )
    patron_krs = forms.CharField(
        label=_label(ApplicantGroup, "patron_krs"), required=False, max_length=14
    )
    address = forms.CharField(
        label=_label(ApplicantGroup, "address"), required=False, max_length=300
    )
    postal_code = forms.CharField(
        label=_label(ApplicantGroup, "postal_code"),
        required=False,
        max_length=6,
        widget=forms.TextInput(attrs={"class": "short", "autocomplete": "postal-code"}),
    )
    city = forms.CharField(label=_label(ApplicantGroup, "city"), required=False, max_length=100)
    email = forms.EmailField(label=_label(ApplicantGroup, "email"), required=False)
    phone = forms.CharField(
        label=_label(ApplicantGroup, "phone"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    bank_account = forms.CharField(
        label=_label(ApplicantGroup, "bank_account"), required=False, max_length=40
    )

    # Which kinds of group each field concerns; the page shows only those.
    KIND_FIELDS = {
        "krs": "ngo",
        "nip": "ngo ordinary_association",
        "regon": "ngo ordinary_association",
        "patron_name": "informal",
        "patron_krs": "informal",
    }

    @classmethod
    def initial_from(cls, group: ApplicantGroup) -> dict:
        return {name: getattr(group, name) for name in cls.base_fields}

    def common_fields(self):
        return [self[name] for name in self.fields if name not in self.KIND_FIELDS]

    def kind_fields(self):
        return [(self[name], kinds) for name, kinds in self.KIND_FIELDS.items()]


class InformalMemberForm(forms.Form):
    full_name = forms.CharField(
        label=_label(InformalGroupMember, "full_name"), max_length=200, required=False
    )
    city = forms.CharField(
        label=_label(InformalGroupMember, "city"), max_length=100, required=False
    )
    is_adult = forms.BooleanField(label=_label(InformalGroupMember, "is_adult"), required=False)

    def clean(self):
        data = super().clean()
        if (data.get("city") or data.get("is_adult")) and not data.get("full_name"):
            self.add_error("full_name", _("Give the member's full name."))
        return data


class RequiredInformalMemberForm(InformalMemberForm):
    full_name = forms.CharField(label=_label(InformalGroupMember, "full_name"), max_length=200)


InformalMemberFormSet = forms.formset_factory(InformalMemberForm, extra=3, max_num=30)


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of the person to invite"))
    role = forms.ChoiceField(
        label=_("Role"),
        choices=GroupMembership.Role.choices,
        initial=GroupMembership.Role.EDITOR,
        widget=forms.RadioSelect,
        help_text=_("Editors prepare applications; owners also manage the group and its members."),
    )


# Applications: one form per section of the editor


class BasicSectionForm(forms.Form):
    title = forms.CharField(label=_label(Application, "title"), required=False, max_length=300)
    summary = forms.CharField(
        label=_label(Application, "summary"),
        required=False,
        max_length=1500,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "A few sentences: what will happen, for whom, and why. At most 1500 characters."
        ),
    )
    place = forms.CharField(label=_label(Application, "place"), required=False, max_length=300)
    start_date = forms.DateField(
        label=_label(Application, "start_date"), required=False, widget=DateInput()
    )
    end_date = forms.DateField(
        label=_label(Application, "end_date"), required=False, widget=DateInput()
    )


class DescriptionSectionForm(forms.Form):
    description = forms.CharField(
        label=_label(Application, "description"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("What you will do, step by step, and what will change thanks to the project."),
    )


class TargetGroupSectionForm(forms.Form):
    target_group = forms.CharField(
        label=_label(Application, "target_group"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Who the project is for and how you will reach them."),
    )
    target_group_size = forms.IntegerField(
        label=_label(Application, "target_group_size"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "short"}),
    )


class AmountSectionForm(forms.Form):
    amount_requested = money_field(Application, "amount_requested")


class QuestionsSectionForm(forms.Form):
    """The competition's own questions, one field each, named `q_<id>`."""

    def __init__(self, *args, questions=(), answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        answers = answers or {}
        self.questions = {}
        for question in questions:
            if question.kind == FormQuestion.Kind.FILE:
                continue
            name = f"q_{question.pk}"
            self.questions[name] = question
            self.fields[name] = self._field_for(question)
            value = answers.get(question.pk)
            if question.kind == FormQuestion.Kind.YES_NO and isinstance(value, bool):
                value = "yes" if value else "no"
            self.initial[name] = value

    @staticmethod
    def _field_for(question: FormQuestion) -> forms.Field:
        common = {"label": question.label, "help_text": question.help_text, "required": False}
        kind = question.kind
        if kind == FormQuestion.Kind.LONG_TEXT:
            return forms.CharField(
                widget=forms.Textarea(attrs={"rows": 5}), max_length=question.max_length, **common
            )
        if kind == FormQuestion.Kind.NUMBER:
            return forms.CharField(
                max_length=40,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "short"}),
                **common,
            )
        if kind == FormQuestion.Kind.CHOICE:
            return forms.ChoiceField(
                choices=[(c, c) for c in question.choices], widget=forms.RadioSelect, **common
            )
        if kind == FormQuestion.Kind.YES_NO:
            return forms.ChoiceField(
                choices=[("yes", _("Yes")), ("no", _("No"))], widget=forms.RadioSelect, **common
            )
        return forms.CharField(max_length=question.max_length, **common)

    def answers(self) -> dict[int, object]:
        return {q.pk: self.cleaned_data.get(name) for name, q in self.questions.items()}


SECTION_FORMS = {
    "basic": BasicSectionForm,
    "description": DescriptionSectionForm,
    "target_group": TargetGroupSectionForm,
    "amount": AmountSectionForm,
    "questions": QuestionsSectionForm,
}


# Rows of an application: budget lines, schedule items, indicators


class BudgetLineForm(forms.Form):
    category = forms.ChoiceField(
        label=_label(BudgetLine, "category"), choices=BudgetLine.Category.choices
    )
    name = forms.CharField(label=_label(BudgetLine, "name"), max_length=300)
    unit = forms.CharField(
        label=_label(BudgetLine, "unit"),
        max_length=40,
        initial=_("pcs."),
        widget=forms.TextInput(attrs={"class": "short"}),
    )
    quantity = money_field(BudgetLine, "quantity", required=True)
    unit_cost = money_field(BudgetLine, "unit_cost", required=True)
    grant_amount = money_field(BudgetLine, "grant_amount")
    own_financial = money_field(BudgetLine, "own_financial")
    own_non_financial = money_field(BudgetLine, "own_non_financial")
    is_volunteer_work = forms.BooleanField(
        label=_label(BudgetLine, "is_volunteer_work"),
        required=False,
        help_text=_("Hours of work as the quantity, the value of an hour as the unit cost."),
    )

    def clean(self):
        data = super().clean()
        # An empty source means nothing comes from it.
        for name in ("grant_amount", "own_financial", "own_non_financial"):
            if name in data and data[name] is None:
                data[name] = Decimal("0.00")
        return data


class ScheduleItemForm(forms.Form):
    action = forms.CharField(label=_label(ScheduleItem, "action"), max_length=300)
    description = forms.CharField(
        label=_label(ScheduleItem, "description"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    start_date = forms.DateField(label=_label(ScheduleItem, "start_date"), widget=DateInput())
    end_date = forms.DateField(label=_label(ScheduleItem, "end_date"), widget=DateInput())


class IndicatorForm(forms.Form):
    result = forms.CharField(label=_label(Indicator, "result"), max_length=300)
    name = forms.CharField(label=_label(Indicator, "name"), max_length=300)
    target_value = money_field(Indicator, "target_value", required=True)
    unit = forms.CharField(
        label=_label(Indicator, "unit"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"class": "short"}),
    )
    verification = forms.CharField(
        label=_label(Indicator, "verification"), required=False, max_length=300
    )


PART_FORMS = {
    "budget": (BudgetLine, BudgetLineForm),
    "schedule": (ScheduleItem, ScheduleItemForm),
    "indicators": (Indicator, IndicatorForm),
}


def part_initial(instance, form_class) -> dict:
    return {name: getattr(instance, name) for name in form_class.base_fields}


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    question = forms.ChoiceField(label=_("Attach it as"), required=False)
    description = forms.CharField(label=_("Description"), required=False, max_length=300)

    def __init__(self, *args, file_questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.file_questions = {str(q.pk): q for q in file_questions}
        self.fields["question"].choices = [("", _("another attachment"))] + [
            (str(q.pk), q.label) for q in file_questions
        ]
        if not file_questions:
            del self.fields["question"]

    def chosen_question(self):
        return self.file_questions.get(self.cleaned_data.get("question") or "")


class WithdrawForm(forms.Form):
    comment = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
