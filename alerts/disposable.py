"""Domains of throw-away mailboxes: alerts go to addresses people keep. The list is short
and conservative (well-known services only); a deployment can add its own with
ALERTS_REFUSED_DOMAINS."""

from django.conf import settings

KNOWN = frozenset(
    {
        "10minutemail.com", "20minutemail.com", "33mail.com", "dispostable.com",
        "emailondeck.com", "fakeinbox.com", "getairmail.com", "getnada.com",
        "guerrillamail.biz", "guerrillamail.com", "guerrillamail.de", "guerrillamail.net",
        "guerrillamail.org", "guerrillamailblock.com", "harakirimail.com", "mailcatch.com",
        "maildrop.cc", "mailinator.com", "mailinator.net", "mailnesia.com", "mintemail.com",
        "mohmal.com", "mytemp.email", "sharklasers.com", "spamgourmet.com", "temp-mail.org",
        "tempmail.com", "tempmail.net", "tempmailo.com", "tempr.email", "throwawaymail.com",
        "trashmail.com", "trashmail.de", "yopmail.com", "yopmail.fr", "yopmail.net",
    }
)  # fmt: skip


def is_disposable(email: str) -> bool:
    domain = email.rpartition("@")[2].strip().lower().rstrip(".")
    refused = KNOWN | {d.lower() for d in settings.ALERTS_REFUSED_DOMAINS}
    # A subdomain of a refused domain is refused too (any.mailinator.com).
    return any(domain == d or domain.endswith("." + d) for d in refused)
