"""Page forms of the commission's work. They turn what was typed into Python
values; the services check the rules and permissions, and their messages are
put back on these forms (`core.views.apply_domain_errors`)."""

from decimal import Decimal

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from .models import CommissionMember, Conflict, Decision, ReviewSettings

GROUND_CHOICES = [("", _("Choose the ground")), *Conflict.Ground.choices]


def money_field(label, *, required: bool = False) -> forms.DecimalField:
    # Localised like the editor's money fields: “1234,50” and “1234.50” both work.
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "short"}),
    )


# The member's own work.


class DeclarationForm(forms.Form):
    """The declaration: for each applicant a “conflict” box with its ground and
    details, and the member's confirmation of the statement."""

    confirm = forms.BooleanField(
        label=_("I have read the statement above and I make it"),
        error_messages={"required": _("Confirm the statement to sign it.")},
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        for candidate in self.candidates:
            pk = candidate.application_id
            self.fields[f"conflict_{pk}"] = forms.BooleanField(
                label=_("I have a conflict with %(number)s") % {"number": candidate.number},
                required=False,
            )
            self.fields[f"ground_{pk}"] = forms.ChoiceField(
                label=_("Ground"), choices=GROUND_CHOICES, required=False
            )
            self.fields[f"details_{pk}"] = forms.CharField(
                label=_("Details"),
                required=False,
                max_length=2000,
                help_text=_("Required when the ground is “another tie”."),
            )

    def rows(self):
        return [
            {
                "candidate": c,
                "conflict": self[f"conflict_{c.application_id}"],
                "ground": self[f"ground_{c.application_id}"],
                "details": self[f"details_{c.application_id}"],
            }
            for c in self.candidates
        ]

    def clean(self):
        data = super().clean()
        for candidate in self.candidates:
            pk = candidate.application_id
            if data.get(f"conflict_{pk}") and not data.get(f"ground_{pk}"):
                self.add_error(f"ground_{pk}", _("Choose the ground of this conflict."))
        return data

    def conflicts(self) -> list[dict]:
        """What `declaration_sign` takes: the applications marked, with grounds."""
        data = self.cleaned_data
        return [
            {
                "application": c.application_id,
                "ground": data.get(f"ground_{c.application_id}") or Conflict.Ground.OTHER,
                "details": data.get(f"details_{c.application_id}") or "",
            }
            for c in self.candidates
            if data.get(f"conflict_{c.application_id}")
        ]


class ScoreForm(forms.Form):
    """Points and a comment per criterion, and an overall comment."""

    comment = forms.CharField(
        label=_("Overall comment"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The applicant reads the comments once the competition is decided, unsigned."),
    )

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"points_{criterion.pk}"] = forms.DecimalField(
                label=_("Points (0–%(max)s)") % {"max": _plain(criterion.max_points)},
                required=False,
                min_value=Decimal("0"),
                max_value=criterion.max_points,
                max_digits=6,
                decimal_places=2,
                widget=forms.NumberInput(attrs={"class": "short", "inputmode": "decimal"}),
            )
            self.fields[f"note_{criterion.pk}"] = forms.CharField(
                label=_("Comment on “%(criterion)s”") % {"criterion": criterion.name},
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        # The overall comment comes after the criteria.
        self.order_fields([*(f for f in self.fields if f != "comment"), "comment"])

    @classmethod
    def initial_for(cls, review) -> dict:
        initial = {"comment": review.comment}
        for score in review.scores.all():
            initial[f"points_{score.criterion_id}"] = score.points
            initial[f"note_{score.criterion_id}"] = score.comment
        return initial

    def rows(self):
        return [
            {
                "criterion": c,
                "points": self[f"points_{c.pk}"],
                "note": self[f"note_{c.pk}"],
            }
            for c in self.criteria
        ]

    def scores(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "criterion": c.pk,
                "points": data.get(f"points_{c.pk}"),
                "comment": data.get(f"note_{c.pk}") or "",
            }
            for c in self.criteria
        ]

    def aliases(self) -> dict[str, str]:
        """The service's error keys → this form's fields."""
        return {f"scores.{c.pk}": f"points_{c.pk}" for c in self.criteria}


def _plain(value: Decimal) -> str:
    """20.00 → “20”, 12.50 → “12,5”: a maximum as people say it."""
    return formats.number_format(value.normalize(), use_l10n=True)


class ConflictForm(forms.Form):
    ground = forms.ChoiceField(label=_("Ground"), choices=GROUND_CHOICES)
    reason = forms.CharField(
        label=_("What is the conflict?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The chair and the officials read this; the applicant does not."),
    )


class ReasonForm(forms.Form):
    """A reason that goes on record (reopening a review or scoring)."""

    comment = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


# The commission, assignments and settings.


class CommissionMemberAddForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("The person must already have an account."),
    )
    affiliation = forms.ChoiceField(
        label=_("Capacity"),
        choices=CommissionMember.Affiliation.choices,
        widget=forms.RadioSelect,
    )
    is_chair = forms.BooleanField(label=_("Chair of the commission"), required=False)


class CommissionMemberUpdateForm(forms.Form):
    affiliation = forms.ChoiceField(
        label=_("Capacity"), choices=CommissionMember.Affiliation.choices
    )
    is_chair = forms.BooleanField(label=_("Chair"), required=False)


class ReviewSettingsForm(forms.Form):
    disagreement_pct = forms.DecimalField(
        label=ReviewSettings._meta.get_field("disagreement_pct").verbose_name,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        max_digits=5,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "short"}),
    )


class StartReviewForm(forms.Form):
    no_ngo_reason = forms.CharField(
        label=_("Why the commission has no representative of NGOs"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed only when no NGO representative sits on the commission."),
    )


class ManualAssignmentForm(forms.Form):
    application = forms.TypedChoiceField(label=_("Application"), coerce=int)
    member = forms.TypedChoiceField(label=_("Commission member"), coerce=int)

    def __init__(self, *args, applications=(), members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].choices = [("", "—"), *applications]
        self.fields["member"].choices = [("", "—"), *members]


# Recommendations and decisions, one small form per application.


class RecommendationForm(forms.Form):
    amount = money_field(_("Recommended amount"), required=True)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=5000)


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"), choices=[("", "—"), *Decision.Outcome.choices], required=False
    )
    amount = money_field(_("Amount awarded"))
    reason = forms.CharField(label=_("Reason"), required=False, max_length=5000)
