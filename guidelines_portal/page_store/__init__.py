"""Published pages, stored once and served like static files.

A published edition never changes, so its reading pages (home, modules, sections, old
editions, the edition list, comparisons, section changes, removed sections, responses to
comments, feeds) are rendered once and kept as files, pre-compressed (brotli and gzip), with
their status and headers. StoredPageMiddleware answers from them before sessions, sign-in or
any view run; views opt in with the ``stored_page`` decorator.

- ``store``: where pages live (the default file storage: local files, or the S3-compatible
  bucket in production, so every process and host reads the same), which generation is
  current, and the per-process memory copy.
- ``middleware``: serving (ETag, Last-Modified, 304, Cache-Control, Accept-Encoding) and
  storing a page on its first request; ``expire_at`` for a page that says something due to
  change at a known moment (a consultation round opening or closing): it is rendered again
  from then on, and no cache in front keeps it longer.
- ``prepare``: rendering the current edition's pages before they are switched on.
- ``receivers``: what makes stored pages out of date (a new edition, a corrected date, a
  replacement note, a response to a comment).

Pages are keyed by the code release (templates, translations, code), a generation number
and the address. A change that alters published pages moves to a new generation; a new
edition's pages are prepared under the next generation while readers still get the previous
one, then switched on at once, so nobody reads a mix of two editions.
"""

from guidelines_portal.page_store.middleware import expire_at, stored_page

__all__ = ["expire_at", "stored_page"]
