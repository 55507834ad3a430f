"""Keep secrets that travel in addresses out of the logs."""

import logging
import re

# Addresses that carry a secret: a contributor's tracking link, a staff set-up link.
SECRET_IN_PATH = re.compile(r"(/feedback/track/|/admin/set-up/)[^/\s?\"']+")


class RedactSecretPaths(logging.Filter):
    """Replace the token in such an address by "…" in the message Django logs for a refused
    or failed request ("Not Found: /en/feedback/track/<token>/")."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = SECRET_IN_PATH.sub(r"\1…", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
