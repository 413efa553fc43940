from api import tokens
from api.models import SCOPES


def token_for(user, *, scopes=SCOPES, **kwargs) -> str:
    """A usable token acting as ``user`` (all scopes unless told): the secret to send."""
    by = kwargs.pop("by", user)
    return tokens.token_create(by=by, name=kwargs.pop("name", "test"), scopes=scopes, user=user, **kwargs).secret
