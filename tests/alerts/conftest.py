import pytest

from alerts import links, services
from alerts.models import Frequency, Scope, Subscriber


def subscribe(
    email: str = "reader@example.org",
    *,
    scope: str = Scope.WHOLE,
    target: str = "",
    language: str = "en",
    frequency: str = Frequency.IMMEDIATE,
    confirm: bool = True,
) -> Subscriber:
    """A subscriber following one thing, confirmed unless told otherwise (no e-mail)."""
    asked = services.subscription_request(
        email=email, language=language, frequency=frequency, scope=scope, target=target
    )
    if confirm:
        services.subscription_confirm(asked.subscriber)
    asked.subscriber.refresh_from_db()
    return asked.subscriber


def manage_path(subscriber: Subscriber, lang: str = "en") -> str:
    return f"/{lang}/alerts/manage/{links.manage_token(subscriber.key)}/"


def unsubscribe_path(subscriber: Subscriber, lang: str = "en") -> str:
    return f"/{lang}/alerts/unsubscribe/{links.unsubscribe_token(subscriber.key)}/"


def confirm_path(subscriber: Subscriber, lang: str = "en") -> str:
    return f"/{lang}/alerts/confirm/{links.confirm_token(subscriber.key)}/"


@pytest.fixture
def one_edition(published):
    return published
