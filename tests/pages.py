"""Every page type of the portal, for the quality checks (accessibility, HTML, layout).

Paths refer to the demonstration data (`load_demo`); {lang} is the language prefix and
{token} the private tracking token of the first demonstration feedback item, {round} the
first demonstration consultation round (past, with its comments) and {open_round} the last
(open now), {alert_confirm}, {alert_manage} and {alert_unsubscribe} the links of a subscriber
to e-mail alerts (see page_url).
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
    "alerts form": "/{lang}/alerts/?section=salw-marking",
    "alerts requested": "/{lang}/alerts/requested/",
    "alerts confirmation": "/{lang}/alerts/confirm/{alert_confirm}/",
    "alerts settings": "/{lang}/alerts/manage/{alert_manage}/?confirmed=1",
    "alerts unsubscription": "/{lang}/alerts/unsubscribe/{alert_unsubscribe}/",
    "alerts link that does not work": "/{lang}/alerts/manage/not-a-link/",
}

# Pages as they come back from a form sent empty (each form's first submit button).
POSTED_PAGES = {
    "feedback form with errors": "/{lang}/feedback/",
    "alerts form with errors": "/{lang}/alerts/?module=uas",
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
    return path.format(
        lang=lang, token=token, round=rounds[0], open_round=rounds[-1], **_alert_tokens(path)
    )


def _alert_tokens(path: str) -> dict[str, str]:
    """The links of a subscriber following two things, one of them still to confirm."""
    if "{alert_" not in path:
        return {}
    from alerts import links, services

    for target in ("salw-marking", "uas-sales"):
        asked = services.subscription_request(
            email="follower@example.org", language="en", frequency="immediate",
            scope="section", target=target,
        )  # fmt: skip
        if target == "salw-marking":
            services.subscription_confirm(asked.subscriber)
    key = asked.subscriber.key
    return {
        "alert_confirm": links.confirm_token(key),
        "alert_manage": links.manage_token(key),
        "alert_unsubscribe": links.unsubscribe_token(key),
    }


LANGUAGES = ("en", "ru")
