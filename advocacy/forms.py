from django import forms
from django.core.exceptions import ValidationError

# Primary keys are 64-bit: a longer number cannot name a row, and sent to the database it
# overflows (SQLite raises OverflowError, PostgreSQL a DataError) instead of being refused.
_MAX_PK_DIGITS = 18


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that refuses ids too large for the database with its usual message."""

    def _check_values(self, value):
        if self.to_field_name in (None, "pk", "id"):
            for pk in value:
                digits = str(pk).strip().lstrip("+-")
                if digits.isdigit() and len(digits) > _MAX_PK_DIGITS:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                    )
        return super()._check_values(value)


def posted(request) -> tuple:
    """(data, files) to bind a page's form with: bound on every POST, even an empty one.

    ``request.POST or None`` would leave an empty POST unbound, and the page would answer
    400 without saying what was missing; bound, it names every required field.
    """
    if request.method != "POST":
        return None, None
    return request.POST, request.FILES


def form_errors_from(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form, field by field where the field exists."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
