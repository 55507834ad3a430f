"""Keep secrets that travel in addresses out of the logs."""

import logging
import re

from gunicorn.glogging import Logger

# Addresses that carry a secret: a contributor's tracking link, a staff set-up link, the
# links in readers' alert messages.
SECRET_IN_PATH = re.compile(
    r"(/feedback/track/|/admin/set-up/|/alerts/(?:confirm|manage|unsubscribe)/)[^/\s?\"']+"
)


class RedactSecretPaths(logging.Filter):
    """Replace the token in such an address by "…" in the message Django logs for a refused
    or failed request ("Not Found: /en/feedback/track/<token>/")."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = SECRET_IN_PATH.sub(r"\1…", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


class AccessLogger(Logger):
    """gunicorn's access log, with the same tokens cut out of every field it can print (the
    request line, the path, the Referer...): ``gunicorn --logger-class
    guidelines_portal.log_filters.AccessLogger``."""

    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: SECRET_IN_PATH.sub(r"\1…", value) if isinstance(value, str) else value
            for key, value in atoms.items()
        }
