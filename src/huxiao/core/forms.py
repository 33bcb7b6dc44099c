from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username"), max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "class": "form-control"}),
    )
    password = forms.CharField(
        label=_("Password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "class": "form-control"}),
    )



class SecondFactorForm(forms.Form):
    """The second factor (F-AUTH, issue #14): the app's six digits or, at login, a recovery code. The templates
    write the input themselves (its hints differ on the two pages)."""

    code = forms.CharField(label=_("Code"), max_length=20, strip=True)


class EnrolForm(SecondFactorForm):
    """Confirming the app: its six digits."""

    code = forms.CharField(label=_("Code from the app"), max_length=12, strip=True)
