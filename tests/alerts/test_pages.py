"""The alert pages as readers (and mail programs) use them: subscribe, confirm, manage,
leave. Every bad link or field gets a clear page in the reader's language; nothing changes."""

import logging
import re

import pytest
from django.core import mail, signing
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from alerts import links
from alerts.models import Erasure, Follow, Frequency, Scope, Subscriber
from tests.alerts.conftest import confirm_path, manage_path, subscribe, unsubscribe_path

ORIGIN = {"HTTP_ORIGIN": "http://testserver"}
FORM = "/{lang}/alerts/?section=salw-marking"


def form(**overrides) -> dict:
    return {"email": "reader@example.org", "frequency": "immediate", "language": "ru",
            "website": "", **overrides}  # fmt: skip


def assert_private(response) -> None:
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_form_names_what_is_followed_in_the_reader_s_language(client, editions, lang):
    response = client.get(FORM.format(lang=lang))
    assert response.status_code == 200
    assert "max-age=0" in response["Cache-Control"]
    text = response.content.decode()
    assert ("Marking and records" if lang == "en" else "Заголовок salw-marking") in text
    assert ("Получайте письмо" in text) is (lang == "ru")
    assert 'name="email"' in text and 'autocomplete="email"' in text
    assert re.search(rf'name="language" value="{lang}"[^>]*checked', text)


@pytest.mark.parametrize(
    "query", ["section=salw-legislation", "section=nope", "module=nope", "section=" + "x" * 500]
)
def test_a_section_or_module_the_current_edition_lacks_is_not_found(client, editions, query):
    assert client.get(f"/en/alerts/?{query}").status_code == 404


def test_nothing_to_follow_before_the_first_edition(client, db):
    assert client.get("/en/alerts/").status_code == 404


def test_the_page_runs_a_fixed_number_of_queries(client, editions, django_assert_num_queries):
    with django_assert_num_queries(3):  # current edition, the section, the navigation
        assert client.get(FORM.format(lang="en")).status_code == 200


def test_subscribing_sends_one_confirmation_in_the_chosen_language(client, editions, emails_sent):
    with emails_sent():
        response = client.post(FORM.format(lang="en"), form(), **ORIGIN)
    assert response.status_code == 302 and response["Location"] == "/en/alerts/requested/"
    [message] = mail.outbox
    assert message.to == ["reader@example.org"]
    assert "Подтвердите" in message.subject
    assert "B.1.1 Заголовок salw-marking" in message.body  # the section, in Russian
    confirm = re.search(r"https?://\S+/ru/alerts/confirm/\S+/", message.body).group(0)
    subscriber = Subscriber.objects.get()
    assert subscriber.confirmed_at is None and subscriber.language == "ru"
    follow = subscriber.follows.get()
    assert (follow.scope, follow.target, follow.confirmed_at) == ("section", "salw-marking", None)
    # Opening the link changes nothing (mail scanners open links); the button confirms.
    path = confirm.split("guidelines.test", 1)[-1]
    page = client.get(path)
    assert page.status_code == 200 and "Подтвердить" in page.content.decode()
    assert_private(page)
    assert Subscriber.objects.get().confirmed_at is None
    done = client.post(path, **ORIGIN)
    assert done.status_code == 302 and "/ru/alerts/manage/" in done["Location"]
    assert Follow.objects.get().confirmed_at is not None


def test_the_same_address_twice_is_one_subscription_and_a_double_click_one_message(
    client, editions, emails_sent
):
    with emails_sent():
        client.post(FORM.format(lang="en"), form(), **ORIGIN)
        client.post(FORM.format(lang="en"), form(email=" Reader@Example.org "), **ORIGIN)
    assert Subscriber.objects.count() == 1 and Follow.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_known_address_keeps_its_own_settings(client, editions):
    subscribe("reader@example.org", language="en", frequency=Frequency.WEEKLY)
    client.post(FORM.format(lang="ru"), form(language="ru", frequency="immediate"), **ORIGIN)
    subscriber = Subscriber.objects.get()
    assert (subscriber.language, subscriber.frequency) == ("en", "weekly")
    # The new follow waits for its owner's confirmation.
    assert subscriber.follows.get(scope="section").confirmed_at is None


def test_confirmations_to_one_address_are_capped(client, editions, settings):
    settings.ALERTS_RATE_LIMIT = 0
    from alerts import services

    sends = [
        services.subscription_request(
            email="victim@example.org", language="en", frequency="immediate",
            scope=Scope.SECTION, target=f"k{n}",
        ).send
        for n in range(6)
    ]  # fmt: skip
    assert sends == [True, True, True, False, False, False]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "not an address"}, "Введите адрес электронной почты"),
        ({"email": ""}, "Обязательное поле"),
        ({"email": "a@mailinator.com"}, "временных почтовых ящиков"),
        ({"email": "a@x.yopmail.com"}, "временных почтовых ящиков"),
        ({"email": "a" * 250 + "@example.org"}, "не более"),
        ({"frequency": "hourly"}, "Выберите корректный вариант"),
        ({"language": "fr"}, "Выберите корректный вариант"),
    ],
)
def test_bad_fields_get_a_russian_message_and_nothing_is_stored(client, editions, fields, message):
    response = client.post(FORM.format(lang="ru"), form(**fields), **ORIGIN)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Subscriber.objects.exists()


def test_a_post_from_another_site_is_refused(client, editions):
    response = client.post(
        FORM.format(lang="en"),
        form(),
        HTTP_ORIGIN="https://evil.example",
        HTTP_SEC_FETCH_SITE="cross-site",
    )
    assert response.status_code == 403
    assert not Subscriber.objects.exists()


def test_a_robot_is_thanked_and_forgotten(client, editions):
    response = client.post(FORM.format(lang="en"), form(website="http://spam"), **ORIGIN)
    assert response.status_code == 302
    assert not Subscriber.objects.exists()


def test_a_flood_is_limited_with_the_form_kept(client, editions, settings):
    settings.ALERTS_RATE_LIMIT = 2
    for n in range(2):
        client.post(FORM.format(lang="en"), form(email=f"r{n}@example.org"), **ORIGIN)
    response = client.post(FORM.format(lang="en"), form(email="r9@example.org"), **ORIGIN)
    assert response.status_code == 429
    assert 'value="r9@example.org"' in response.content.decode()
    assert Subscriber.objects.count() == 2


def test_an_altered_or_foreign_link_changes_nothing(client, editions):
    subscriber = subscribe(confirm=False)
    good = links.confirm_token(subscriber.key)
    for token in (good + "x", good[:-3], links.manage_token(subscriber.key), "x" * 200, "a:b:c"):
        response = client.post(f"/ru/alerts/confirm/{token}/", **ORIGIN)
        assert response.status_code == 404
        assert "Эта ссылка не работает" in response.content.decode()
    assert Subscriber.objects.get().confirmed_at is None


def test_an_expired_confirmation_link_says_so(client, editions, monkeypatch):
    subscriber = subscribe(confirm=False)
    path = confirm_path(subscriber)
    later = signing.time.time() + links.CONFIRM_MAX_AGE + 60
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = client.post(path, **ORIGIN)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert Subscriber.objects.get().confirmed_at is None


def test_the_manage_page_changes_settings_and_follows(client, editions):
    subscriber = subscribe(scope=Scope.SECTION, target="salw-marking")
    other = subscribe("other@example.org", scope=Scope.MODULE, target="salw")
    subscribe(scope=Scope.MODULE, target="uas")
    page = client.get(manage_path(subscriber, "ru"))
    assert page.status_code == 200
    assert_private(page)
    text = page.content.decode()
    assert "reader@example.org" in text and "other@example.org" not in text
    assert "B.1.1 Заголовок salw-marking" in text
    saved = client.post(manage_path(subscriber), {"action": "settings", "frequency": "weekly",
                                                  "language": "ru"}, **ORIGIN)  # fmt: skip
    assert saved.status_code == 302
    subscriber.refresh_from_db()
    assert (subscriber.frequency, subscriber.language) == ("weekly", "ru")
    # Another subscriber's follow cannot be removed from this page.
    theirs = other.follows.get()
    client.post(manage_path(subscriber), {"action": "remove", "follow": theirs.pk}, **ORIGIN)
    assert Follow.objects.filter(pk=theirs.pk).exists()
    bad = client.post(manage_path(subscriber), {"action": "settings", "frequency": "x"}, **ORIGIN)
    assert bad.status_code == 400
    assert client.post(manage_path(subscriber), {"action": "remove", "follow": "9" * 30},
                       **ORIGIN).status_code == 400  # fmt: skip
    # Removing the last follow ends the subscription.
    for follow in subscriber.follows.all():
        client.post(manage_path(subscriber), {"action": "remove", "follow": follow.pk}, **ORIGIN)
    assert not Subscriber.objects.filter(pk=subscriber.pk).exists()


def test_opening_the_unsubscribe_link_asks_and_the_button_erases(client, editions):
    subscriber = subscribe()
    path = unsubscribe_path(subscriber, "ru")
    page = client.get(path)
    assert page.status_code == 200 and "Отписаться" in page.content.decode()
    assert Subscriber.objects.filter(pk=subscriber.pk).exists()  # a link scanner changes nothing
    done = client.post(path)
    assert done.status_code == 200 and "адрес удалён" in done.content.decode()
    assert not Subscriber.objects.exists() and not Follow.objects.exists()
    assert Erasure.objects.get().count == 1
    again = client.post(path)  # a second click, or the mail program after the person
    assert again.status_code == 200
    assert Erasure.objects.get().count == 1


def test_unsubscribing_from_the_manage_page(client, editions):
    subscriber = subscribe()
    response = client.post(manage_path(subscriber), {"action": "erase"}, **ORIGIN)
    assert response.status_code == 200
    assert not Subscriber.objects.exists()


def test_tokens_never_reach_the_logs(client, editions, caplog):
    subscriber = subscribe()
    token = links.manage_token(subscriber.key)
    with caplog.at_level(logging.WARNING):
        client.get(f"/en/alerts/manage/{token}x/")
        client.put(f"/en/alerts/manage/{token}/")
    assert caplog.records
    assert all(subscriber.key not in r.getMessage() for r in caplog.records)


def test_other_methods_are_refused(client, editions):
    subscriber = subscribe()
    for path in (FORM.format(lang="en"), manage_path(subscriber), unsubscribe_path(subscriber)):
        response = client.put(path)
        assert response.status_code == 405 and "POST" in response["Allow"]


@hypothesis_settings(
    max_examples=30, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(
    lang=st.sampled_from(("en", "ru")),
    values=st.dictionaries(
        st.sampled_from(("email", "frequency", "language", "website")),
        st.one_of(st.text(max_size=300), st.sampled_from(["<script>x</script>@a.org", "x" * 6000])),
        max_size=4,
    ),
)
def test_hostile_fields_never_give_a_500_or_a_stored_script(client, editions, lang, values):
    response = client.post(FORM.format(lang=lang), form(**values), **ORIGIN)
    assert response.status_code in (302, 400, 429)
    assert "<script>x" not in response.content.decode()
    assert not Subscriber.objects.filter(email__contains="<").exists()
