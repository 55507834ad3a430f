"""The read-only JSON API (/api/v1/): published editions, their modules and sections in both
languages (HTML and Markdown), each section's history and the changes between editions.

It stands on the content app (``modules``) and nothing stands on it. ``documents`` turns
published rows into JSON documents, ``responses`` sends them (kept bytes, ETag, 304, rate
limit, RFC 9457 problem details), ``views`` reads the request, ``openapi`` describes it all.
"""
