"""What attackers and broken clients send gets the right 4xx, never a 500, and writes nothing."""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client

from .conftest import SEED_SLUG

pytestmark = pytest.mark.django_db

REPORT = f"/reports/{SEED_SLUG}/"
TOO_MANY_FIELDS = "&".join(f"f{n}=1" for n in range(1500))  # DATA_UPLOAD_MAX_NUMBER_FIELDS is 1000

# (method, path, expected status). Paths are written out, not reversed: they are
# what arrives on the wire, broken ones included.
PUBLIC_ROWS = [
    # oversized and malformed query strings (a bad page number gives the nearest real page)
    ("get", "/reports/?" + TOO_MANY_FIELDS, 400),
    ("get", "/reports/?page=" + "9" * 5000, 200),
    ("get", "/reports/?page=abc", 200),
    ("get", "/reports/?page=-1", 200),
    ("get", "/reports/?page=%ff%fe", 200),
    ("get", "/reports/?page=%ff%fe%00", 400),  # a NUL anywhere in a query string: 400
    ("get", "/reports/?%zz=%%%&&==", 200),
    ("get", "/reports/?outlet=" + "x" * 20000, 200),
    ("get", "/speakers/?page=0", 200),
    ("get", "/quotes/?page=1e9", 200),
    ("get", "/sitemap-reports.xml?p=abc", 404),
    ("get", "/sitemap-reports.xml?p=999999", 404),
    ("get", "/sitemap-nothing.xml", 404),
    # search: hostile, huge and malformed queries are just text to look for
    ("get", "/search/?" + TOO_MANY_FIELDS, 400),
    ("get", "/search/?q=" + "x" * 20000, 200),
    ("get", "/search/?q=%00", 400),
    ("get", "/search/?q=%ff%fe", 200),
    ("get", "/search/?q=%27+OR+1%3D1+--", 200),
    ("get", "/search/?q=%22unclosed+*:*+AND+NOT+(", 200),
    ("get", "/search/?q=%25%25_%5C", 200),
    ("get", "/search/?q[]=x&q[]=y", 200),
    ("get", "/search/?q=skolkovo&page=abc", 200),
    ("get", "/search/?q=skolkovo&page=99999999999999999999", 200),
    # unknown slugs, hostile slugs, non-numeric and out-of-range ids
    ("get", "/reports/no-such-report/", 404),
    ("get", "/reports/%3Cscript%3Ealert(1)%3C%2Fscript%3E/", 404),
    ("get", "/reports/" + "a" * 5000 + "/", 404),
    ("get", "/reports/%C0%AE%C0%AE/", 404),
    ("get", "/speakers/nobody-at-all/", 404),
    ("get", "/topics/no-such-topic/", 404),
    ("get", "/quotes/abc/", 404),
    ("get", "/quotes/-1/", 404),
    ("get", "/quotes/99999999999999999999999999/", 404),
    ("get", "/quotes/1.5/", 404),
    ("get", f"/reports/{SEED_SLUG}/cite.exe", 404),
    ("get", "/reports/no-such-report/cite.bib", 404),
    ("get", "/quotes/abc/cite.bib", 404),
    # path traversal
    ("get", "/static/../config/settings.py", 404),
    ("get", "/static/%2e%2e/config/settings.py", 404),
    ("get", "/reports/..%2f..%2fetc/passwd", 404),
    ("get", "/reports/..%2F..%2F..%2Fetc%2Fpasswd/", 404),
    ("get", "/static/archive/..%2f..%2f..%2fconfig/settings.py", 404),
    # methods the public views do not accept
    ("post", "/", 405),
    ("put", "/reports/", 405),
    ("delete", REPORT, 405),
    ("patch", REPORT, 405),
    ("post", "/speakers/", 405),
    ("delete", "/quotes/", 405),
    ("put", f"/topics/{SEED_SLUG}/", 405),
    ("post", "/search/?q=skolkovo", 405),
    ("put", "/search/", 405),
    ("post", "/feeds/reports/", 405),
    ("post", "/sitemap.xml", 405),
    ("delete", f"/reports/{SEED_SLUG}/cite.bib", 405),
]


def row_counts():
    """Rows in every table, sessions and login records included."""
    return {model._meta.label: model._base_manager.count() for model in apps.get_models()}


@pytest.fixture(autouse=True)
def archive(seed_report):
    return seed_report


@pytest.mark.parametrize(
    "method, path, expected", PUBLIC_ROWS, ids=[f"{m} {p[:60]}" for m, p, _ in PUBLIC_ROWS]
)
def test_public_bad_request_gets_the_right_4xx_and_writes_nothing(client, method, path, expected):
    before = row_counts()
    response = getattr(client, method)(path)
    assert response.status_code == expected
    assert row_counts() == before


def test_hostile_search_text_is_shown_escaped(client):
    response = client.get("/search/", {"q": '<script>alert("x")</script>'})
    assert response.status_code == 200
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert" in response.text


def test_a_forged_host_header_is_refused(client):
    before = row_counts()
    response = client.get("/", headers={"host": "evil.example"})
    assert response.status_code == 400
    assert row_counts() == before


def test_public_posts_without_a_csrf_token_are_forbidden():
    client = Client(enforce_csrf_checks=True)
    before = row_counts()
    assert client.post(REPORT, {"title": "defaced"}).status_code == 403
    assert row_counts() == before


@pytest.fixture
def staff_client(archive):
    """Logged in, with CSRF enforced as a browser would meet it."""
    user = get_user_model().objects.create_superuser("editor", password="unused-here")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def admin_rows(report):
    change = f"/admin/archive/report/{report.pk}/change/"
    return [
        # no CSRF token: forbidden, whatever the form says
        ("post", change, {"title": "Defaced", "slug": report.slug, "status": "draft"}, 403),
        ("post", f"/admin/archive/report/{report.pk}/delete/", {"post": "yes"}, 403),
        ("post", "/admin/archive/report/add/", {"title": "Injected", "slug": "injected"}, 403),
        (
            "post",
            "/admin/archive/report/",
            {"action": "delete_selected", "_selected_action": [report.pk], "post": "yes"},
            403,
        ),
        ("post", "/admin/logout/", {}, 403),
        ("post", "/admin/password_change/", {"new_password1": "x", "new_password2": "x"}, 403),
        # unknown models, non-numeric ids, malformed changelist parameters
        ("get", "/admin/archive/nothing/", None, 404),
        ("get", "/admin/archive/report/abc/change/", None, 302),  # "does not exist" message
        ("get", "/admin/archive/report/99999999999999999999999/change/", None, 302),
        ("get", "/admin/archive/report/?status__exact=bogus", None, 200),
        ("get", "/admin/archive/report/?o=abc.-x", None, 200),
        ("get", "/admin/archive/report/?not_a_field=1", None, 302),  # the admin's ?e=1
        ("get", "/admin/archive/report/?p=abc", None, 200),  # the first page
        ("get", "/admin/archive/report/?" + TOO_MANY_FIELDS, None, 400),
        ("get", "/admin/archive/report/?q=" + "%" * 10000, None, 200),
        ("get", "/admin/../config/settings.py", None, 404),
    ]


ADMIN_ROW_IDS = [
    "change-no-csrf",
    "delete-no-csrf",
    "add-no-csrf",
    "bulk-delete-no-csrf",
    "logout-no-csrf",
    "password-no-csrf",
    "unknown-model",
    "non-numeric-id",
    "huge-id",
    "bogus-filter-value",
    "bogus-ordering",
    "unknown-lookup",
    "non-numeric-page",
    "too-many-fields",
    "percent-search",
    "traversal",
]


@pytest.mark.parametrize("row", range(len(ADMIN_ROW_IDS)), ids=ADMIN_ROW_IDS)
def test_admin_bad_request_gets_the_right_answer_and_writes_nothing(staff_client, archive, row):
    method, path, data, expected = admin_rows(archive)[row]
    before = row_counts()
    title = archive.title
    response = (
        getattr(staff_client, method)(path, data)
        if data is not None
        else (getattr(staff_client, method)(path))
    )
    assert response.status_code == expected
    assert row_counts() == before
    archive.refresh_from_db()
    assert archive.title == title
