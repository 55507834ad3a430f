"""Every page type of the portal, for the quality checks (accessibility, HTML, layout).

Paths refer to the demonstration data (`load_demo`); {lang} is the language prefix and
{token} the private tracking token of the first demonstration feedback item, {round} the
first demonstration consultation round (past, with its comments) and {open_round} the last
(open now) (see page_url).
"""

PUBLIC_PAGES = {
    "home": "/{lang}/",
    "module": "/{lang}/modules/salw/",
    "section": "/{lang}/modules/salw/salw-marking/",
    "section with a table": "/{lang}/modules/salw/salw-maturity/",
    "edition home": "/{lang}/editions/1.0/",
    "old edition section": "/{lang}/editions/1.0/modules/uas/uas-geofencing/",
    "edition list": "/{lang}/editions/",
    "compare": "/{lang}/editions/1.0/compare/1.1/",
    "compare side by side": "/{lang}/editions/1.0/compare/1.1/?languages=both",
    "section change": "/{lang}/editions/1.0/compare/1.1/sections/salw-marking/",
    "removed section": "/{lang}/modules/uas/uas-geofencing/",
    "compare error": "/{lang}/editions/compare/?older=1.1&newer=1.1",
    "not found": "/{lang}/modules/nope/",
    "search": "/{lang}/search/",
    "search results": "/{lang}/search/?q=marking+маркировка+weapon+оружие",
    "search error": "/{lang}/search/?q=" + "x" * 201,
    "feedback form": "/{lang}/feedback/?edition=1.1&section=salw-marking&paragraph=2",
    "consultation rounds": "/{lang}/feedback/rounds/",
    "consultation round": "/{lang}/feedback/rounds/{round}/",
    "open consultation round": "/{lang}/feedback/rounds/{open_round}/",
    "round disposition": "/{lang}/feedback/rounds/{round}/disposition/",
    "round disposition PDF being prepared": "/{lang}/feedback/rounds/{round}/disposition.pdf",
    "regional workshops": "/{lang}/feedback/workshops/",
    "workshop": "/{lang}/feedback/workshops/europe-2022/",
    "online workshop": "/{lang}/feedback/workshops/caribbean-2023/",
    "feedback tracking": "/{lang}/feedback/track/{token}/?received=1",
    "response to comments": "/{lang}/feedback/editions/1.1/",
    "pdf being prepared": "/{lang}/editions/1.0/modules/salw/pdf/",
}

# Pages as they come back from a form sent empty (each form's first submit button).
POSTED_PAGES = {
    "feedback form with errors": "/{lang}/feedback/",
}

STAFF_PAGES = {
    "draft compared": "/{lang}/preview/",
    "draft module": "/{lang}/preview/modules/uas/",
    "draft section": "/{lang}/preview/modules/uas/uas-sales/",
    "translation status": "/{lang}/translation/",
    "translation detail": "/{lang}/translation/sections/salw-marking/",
    "xliff import": "/{lang}/translation/modules/salw/import/",
}


def page_url(path: str, lang: str) -> str:
    """A page's URL in ``lang``, with the demonstration data's tracking token filled in."""
    from feedback.models import ConsultationRound, Feedback
    from feedback.services import feedback_tracking_link

    token = ""
    if "{token}" in path:
        token = feedback_tracking_link(feedback=Feedback.objects.order_by("pk").first())
    rounds = list(ConsultationRound.objects.order_by("pk").values_list("pk", flat=True)) or [0]
    return path.format(lang=lang, token=token, round=rounds[0], open_round=rounds[-1])


LANGUAGES = ("en", "ru")
