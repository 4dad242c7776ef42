"""Forms of HR's directory: filters, roles, confirmations, invitations and the import upload."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Team
from .roles import Role
from .selectors import DIRECTORY_STATUSES

ROLE_CHOICES = [(role.value, role.value) for role in Role]


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or email"), required=False, max_length=100)
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.order_by("name"), required=False, empty_label=_("All teams")
    )
    role = forms.ChoiceField(label=_("Role"), choices=[("", _("All roles")), *ROLE_CHOICES], required=False)
    status = forms.ChoiceField(label=_("Status"), choices=list(DIRECTORY_STATUSES.items()), required=False)


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )
    reason = forms.CharField(label=_("Reason (kept in the audit log)"), required=False, max_length=500)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (kept in the audit log)"), required=False, max_length=500)


class InviteForm(forms.Form):
    display_name = forms.CharField(label=_("Name"), max_length=100)
    email = forms.EmailField(label=_("Work email"), max_length=254)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.order_by("name"), required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=[Role.EMPLOYEE.value],
        help_text=_("Everyone is an Employee; tick more roles only where needed."),
    )


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    create_teams = forms.BooleanField(label=_("Create teams the file names that do not exist yet"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            f"Columns: name, email, team, roles, manager (optional). Up to {settings.PEOPLE_IMPORT_MAX_MB} MB "
            f"and {settings.PEOPLE_IMPORT_MAX_ROWS:,} people."
        )
