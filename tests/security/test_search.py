"""Item 9: a search with thousands of words answers 400 with a message, never 500."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from common.text import check_search, search_terms
from procedures.selectors import procedure_list

HUGE = " ".join(f"tu{n}" for n in range(5000))


def test_check_search_caps_words_and_characters(settings):
    assert check_search("  khai sinh ") == "khai sinh"
    with pytest.raises(ValidationError) as info:
        check_search(HUGE)
    assert "10" in info.value.messages[0] and "200" in info.value.messages[0]
    with pytest.raises(ValidationError):
        check_search("a" * 201)
    settings.SEARCH_MAX_WORDS = 3
    with pytest.raises(ValidationError):
        check_search("mot hai ba bon")


def test_search_terms_never_returns_more_than_the_cap():
    assert len(search_terms(HUGE)) == 10
    assert search_terms("khai khai sinh") == ["khai", "sinh"]


def test_the_catalogue_query_survives_a_huge_search(catalog):
    assert list(procedure_list(search=HUGE)) == []


def test_no_search_input_answers_500(client, clerk, catalog):
    """Whatever the callers do with the message, none of them may fail."""
    client.raise_request_exception = False
    urls = [
        ("/thu-tuc/", {"q": HUGE}),
        (reverse("api:procedure-list"), {"search": HUGE}),
    ]
    for url, params in urls:
        assert client.get(url, params).status_code < 500, url
    client.force_login(clerk)
    for url, params in [
        (reverse("api:dossier-list"), {"q": HUGE}),
        (reverse("dossiers:worklist") if _has("dossiers:worklist") else "/ho-so/", {"q": HUGE}),
    ]:
        assert client.get(url, params).status_code < 500, url


def _has(name):
    from django.urls import NoReverseMatch

    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


def test_catalogue_page_answers_400_with_the_message(client, catalog):
    response = client.get("/thu-tuc/", {"q": HUGE})
    assert response.status_code == 400
    assert response.context["form"].errors["q"] == ["Nội dung tìm kiếm quá dài: dùng tối đa 10 từ và 200 ký tự."]
    assert client.get("/thu-tuc/", {"q": "khai sinh"}).status_code == 200


def test_catalogue_page_shows_the_message(client, catalog):
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = client.get("/thu-tuc/", {"q": HUGE}, **headers)
        assert "Nội dung tìm kiếm quá dài" in response.content.decode()


def test_procedures_api_answers_400_with_the_message(client, catalog):
    response = client.get(reverse("api:procedure-list"), {"search": HUGE})
    assert response.status_code == 400
    assert "search" in response.json()["errors"]
