import pytest
from django.urls import reverse

from accounts.scoping import ALL, visible_agency_ids
from tests.factories import PASSWORD, UserFactory


@pytest.mark.django_db
def test_clerks_and_officers_see_their_own_agency(clerk, officer, center, office):
    assert visible_agency_ids(clerk) == {center.pk}
    assert visible_agency_ids(officer) == {office.pk}


@pytest.mark.django_db
def test_leaders_see_their_agency_and_everything_below(leader, commune, center, office, other_commune):
    assert visible_agency_ids(leader) == {commune.pk, center.pk, office.pk}
    assert other_commune.pk not in visible_agency_ids(leader)


@pytest.mark.django_db
def test_province_leader_sees_every_commune(province, commune, other_commune, center):
    boss = UserFactory(username="boss", role="leader", agency=province)
    assert {province.pk, commune.pk, other_commune.pk, center.pk} <= visible_agency_ids(boss)


@pytest.mark.django_db
def test_superuser_without_agency_sees_all_and_anonymous_nothing(django_user_model):
    root = UserFactory(username="root", role="admin", agency=None, is_superuser=True)
    assert visible_agency_ids(root) is ALL
    from django.contrib.auth.models import AnonymousUser

    assert visible_agency_ids(AnonymousUser()) == set()


@pytest.mark.django_db
def test_staff_without_agency_see_nothing():
    assert visible_agency_ids(UserFactory(username="lost", role="clerk", agency=None)) == set()


@pytest.mark.django_db
def test_login_page_is_vietnamese_and_logs_in(client, clerk):
    page = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="vi")
    assert "Đăng nhập" in page.content.decode()
    bad = client.post(reverse("accounts:login"), {"username": "clerk1", "password": "wrong"})
    assert "Sai tên đăng nhập hoặc mật khẩu" in bad.content.decode()
    good = client.post(reverse("accounts:login"), {"username": "clerk1", "password": PASSWORD})
    assert good.status_code == 302
    home = client.get(reverse("home"))
    assert "Nguyễn Thị Lan" in home.content.decode() or "Lan" in home.content.decode()
    assert "Cán bộ một cửa" in home.content.decode()


@pytest.mark.django_db
def test_logout_needs_post_and_ends_the_session(client, clerk):
    client.force_login(clerk)
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_calendar_page_lists_holidays_and_admin_adds_a_day(client, administrator, clerk):
    client.force_login(clerk)
    page = client.get(reverse("agencies:calendar"), {"year": 2026})
    assert page.status_code == 200
    assert 'data-date="2026-02-17" data-working="0"' in page.content.decode()
    assert 'data-date="2026-08-22" data-working="1"' in page.content.decode()
    assert client.post(reverse("agencies:calendar"), {"date": "2026-03-09", "kind": "day_off"}).status_code == 403

    client.force_login(administrator)
    response = client.post(
        reverse("agencies:calendar") + "?year=2026", {"date": "2026-03-09", "kind": "day_off", "note": "Bầu cử"}
    )
    assert response.status_code == 302
    page = client.get(reverse("agencies:calendar"), {"year": 2026})
    assert 'data-date="2026-03-09" data-working="0"' in page.content.decode()
