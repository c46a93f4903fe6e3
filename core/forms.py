from django import forms
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm
from django.utils.translation import gettext_lazy as _

from .models import User


class RegisterForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "language")
        widgets = {"language": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "autofocus": True})
        self.fields["full_name"].widget.attrs["autocomplete"] = "name"
        self.fields["language"].help_text = _("E-mails are sent in this language.")

    def clean_email(self):
        # Addresses are stored lower-case, so “Anna@…” and “anna@…” are one person.
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this e-mail address already exists."))
        return email


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs["autocomplete"] = "email"
