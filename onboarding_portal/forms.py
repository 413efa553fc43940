from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: field errors at their fields, the rest on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else NON_FIELD_ERRORS, errors)
    else:
        form.add_error(NON_FIELD_ERRORS, error.messages)
