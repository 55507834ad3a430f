"""What the content app announces, for the apps that stand on it to act on.

`modules` is the ground floor: it never imports `feedback` (or any later app). Where content
does something those apps must follow, it sends a signal here, and they connect to it in
their AppConfig.ready().
"""

from django.dispatch import Signal

# Sent by services.edition_publish inside the publication's transaction, once the edition and
# its snapshots are written, with ``edition``, ``changed_keys`` (the keys of the sections
# whose text differs from the previous edition) and ``notify`` (whether people may be
# e-mailed). A receiver that raises undoes the publication.
edition_published = Signal()
