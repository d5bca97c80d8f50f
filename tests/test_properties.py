"""Property tests: arbitrary text through every way in, on SQLite and PostgreSQL.

Whatever text arrives (the importer's files, the admin's forms, public query
strings and paths), the archive answers without a 500 or a traceback, and
either refuses it cleanly (one line, a form error, a 4xx; nothing written) or
stores it so that every output shows it whole: the page, the feed, the
sitemap, and each citation format parsed back by a real reader.
"""

import itertools
import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import quote, urlencode

import pytest
import rispy
from django.db import connection
from django.utils.html import escape
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from pybtex.database import parse_string as parse_bibtex

from archive import importer
from archive.models import Organization, Report, Segment, Speaker, Topic
from archive.sitemaps import PAGE_SIZE
from archive.text import for_output, text_problem
from tests.desk import form_data
from tests.factories import (
    make_organization,
    make_quote,
    make_report,
    make_segment,
    make_speaker,
    make_topic,
)

pytestmark = pytest.mark.django_db

# Function-scoped fixtures (the database, the client) are shared by a test's
# examples on purpose: the rows one example writes are the next one's archive.
PROPERTY = settings(
    max_examples=25,
    deadline=None,
    database=None,  # no example files in the work tree; each run draws afresh
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Every code point, surrogates included, with the troublemakers made common.
TROUBLE = list("\x00\x01\x0b\x0c\x1e\x7f\x85\ud800\udfff\ufffe\u2028\ufeff{}\\%&#_~^$\"'<>@,;")
CHARACTERS = st.one_of(st.characters(exclude_categories=()), st.sampled_from(TROUBLE))
# Half hostile, half ordinary text of any script (that must be stored whole).
TEXT = st.one_of(
    st.text(CHARACTERS, min_size=1, max_size=40),
    st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=40),
)
_files = itertools.count(1)


def form_body(data):
    """A urlencoded form body; a lone surrogate arrives as the invalid UTF-8 it would be."""
    pairs = []
    for name, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((name, str(item).encode("utf-8", "surrogatepass")))
    return urlencode(pairs)


def post_form(client, url, data):
    return client.post(url, form_body(data), content_type="application/x-www-form-urlencoded")


def one_line(value):
    return " ".join(value.split())


# --- outputs ------------------------------------------------------------------------


def assert_every_output_shows(client, report):
    """The public report's page, feed item, sitemap entry and citations show it whole."""
    url = report.get_absolute_url()
    page = client.get(url)
    assert page.status_code == 200
    assert escape(report.title) in page.content.decode()

    feed = ET.fromstring(client.get("/feeds/reports/").content)
    items = [i for i in feed.iter("item") if i.findtext("link").endswith(url)]
    assert [i.findtext("title") for i in items] == [report.title]

    page_of_report = (report.pk - 1) // PAGE_SIZE + 1  # sitemap pages hold id ranges
    sitemap = client.get(f"/sitemap-reports.xml?p={page_of_report}").content.decode()
    assert any(loc.endswith(url) for loc in re.findall(r"<loc>([^<]*)</loc>", sitemap))

    csl = json.loads(client.get(f"{url}cite.json").content)
    assert [item["title"] for item in csl] == [report.title]

    ris = rispy.loads(client.get(f"{url}cite.ris").content.decode())
    assert [entry.get("title") for entry in ris] == [one_line(report.title)]

    assert one_line(report.title) in client.get(f"{url}cite.txt").content.decode()

    # Braces and backslashes included: a brace-counting reader stays inside the field.
    bibtex = parse_bibtex(client.get(f"{url}cite.bib").content.decode(), "bibtex")
    (entry,) = bibtex.entries.values()
    assert entry.fields["url"] == page.wsgi_request.build_absolute_uri(url)
    assert is_subsequence(letters(report.title), letters(entry.fields["title"]))


def letters(value):
    return [c for c in value if c.isalnum()]


def is_subsequence(wanted, found):
    remaining = iter(found)
    return all(c in remaining for c in wanted)


# --- the importer -----------------------------------------------------------------------


def transcript(title, topics, paragraph):
    head = json.dumps(topics)  # JSON escapes: lone surrogates and controls as \uXXXX
    text = f"{title}\n{head}\n03:28\n{paragraph}\nAnn Lee, CGTN, Kyiv.\n"
    return text.encode("utf-8", "surrogatepass")  # a lone surrogate: invalid UTF-8


@PROPERTY
@given(title=TEXT, topics=st.lists(TEXT, max_size=2), paragraph=TEXT)
def test_any_transcript_is_imported_whole_or_refused_in_one_line(
    client, tmp_path, title, topics, paragraph
):
    path = tmp_path / f"file-{next(_files)}.txt"
    path.write_bytes(transcript(title, topics, paragraph))
    refusals = []
    before = Report.objects.count()

    counts = importer.import_transcripts([path], publish=True, on_refused=refusals.append)

    if refusals:
        (refused,) = refusals
        event(f"refused: {refused.reason.split('(')[0]}")
        assert counts.failed == 1 and Report.objects.count() == before
        assert "\n" not in str(refused) and str(refused).startswith(f"{path}:")
        assert text_problem(str(refused)) is None  # printable on any terminal
        return
    event("imported")
    report = Report.objects.get(source_name=path.name)
    for value in [report.title, report.source_text, *report.topics.values_list("name", flat=True)]:
        assert text_problem(value) is None
    for segment in report.segments.all():
        assert text_problem(segment.text) is None
    assert_every_output_shows(client, report)


# --- the admin's forms --------------------------------------------------------------------


def arrived(value):
    """What a form field holds: a lone surrogate is invalid UTF-8, read as U+FFFD,
    and Django's form fields strip surrounding white space."""
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace").strip()


# The source fields are read-only in the desk (tests/test_source_history.py).
REPORT_PAGE_FIELDS = ["title", "dateline", "segments-0-text", "segments-0-speaker_title"]
REQUIRED = {"title", "text"}


@PROPERTY
@given(field=st.sampled_from(REPORT_PAGE_FIELDS), value=TEXT)
def test_any_text_in_the_report_page_is_saved_whole_or_a_form_error(admin_client, field, value):
    report = make_report(f"Report {next(_files)}")
    segment = make_segment(report, text="Words on air.")
    url = f"/admin/archive/report/{report.pk}/change/"
    data = {**form_data(admin_client.get(url)), field: value}

    response = post_form(admin_client, url, data)

    name = field.removeprefix("segments-0-")
    row = Segment.objects.get(pk=segment.pk) if name != field else Report.objects.get(pk=report.pk)
    expected = arrived(value)
    event(f"status {response.status_code}")
    if text_problem(expected) or (name in REQUIRED and not expected):
        assert response.status_code == 200 and response.context["errors"]
        assert getattr(row, name) == getattr(segment if name != field else report, name)
        return
    assert response.status_code == 302
    assert getattr(row, name) == expected
    report.refresh_from_db()
    assert_every_output_shows(admin_client, report)


SIMPLE_FORMS = [(Speaker, "name"), (Speaker, "role"), (Organization, "name"), (Topic, "name")]


@PROPERTY
@given(form=st.sampled_from(SIMPLE_FORMS), value=TEXT)
def test_any_text_in_the_speaker_organization_and_topic_forms_is_saved_or_refused(
    admin_client, form, value
):
    model, field = form
    slug = f"row-{next(_files)}"
    url = f"/admin/archive/{model._meta.model_name}/add/"

    response = post_form(admin_client, url, {"name": "A name", "slug": slug, field: value})

    saved = model.objects.filter(slug=slug).first()
    expected = arrived(value)
    if text_problem(expected) or (field == "name" and not expected):
        assert response.status_code == 200 and saved is None
    else:
        assert response.status_code == 302 and getattr(saved, field) == expected


# --- rows stored before the rule ------------------------------------------------------------


def storable(value):
    """What a database stores: no surrogates anywhere, no NUL in PostgreSQL."""
    return "\x00" not in value or connection.vendor == "sqlite"


OLD_TEXT = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=30)


@PROPERTY
@given(title=OLD_TEXT, names=st.lists(OLD_TEXT, min_size=4, max_size=4))
def test_any_old_row_still_gives_every_output(client, title, names):
    assume(all(storable(value) for value in [title, *names]))
    outlet, correspondent, topic, words = names
    number = next(_files)
    report = make_report(
        title, slug=f"old-{number}", dateline=words, outlet=make_organization(outlet),
        correspondent=make_speaker(correspondent, slug=f"old-speaker-{number}"),
    )  # fmt: skip
    report.topics.add(make_topic(f"{topic} {number}", slug=f"old-topic-{number}"))
    make_quote(make_segment(report, text=words, kind="soundbite", speaker=report.correspondent))
    url = report.get_absolute_url()

    for path in ["/", "/reports/", url, "/speakers/", "/quotes/", "/search/?q=old"]:
        assert client.get(path).status_code == 200, path
    feed = ET.fromstring(client.get("/feeds/reports/").content)
    titles = [i.findtext("title") for i in feed.iter("item") if i.findtext("link").endswith(url)]
    # An XML parser reads a line end (CR, CRLF) as LF (XML 1.0, section 2.11).
    assert titles == [for_output(title).replace("\r\n", "\n").replace("\r", "\n")]
    ET.fromstring(client.get("/sitemap.xml").content)
    assert json.loads(client.get(f"{url}cite.json").content)[0]["title"] == title
    assert len(rispy.loads(client.get(f"{url}cite.ris").content.decode())) == 1


# --- public query strings and paths -------------------------------------------------------

QUERY_PAGES = ["/", "/reports/", "/search/", "/speakers/", "/quotes/", "/feeds/reports/"]
QUERY_NAMES = st.sampled_from(["q", "topic", "outlet", "speaker", "year", "page", "x"])


@settings(PROPERTY, max_examples=60)
@given(page=st.sampled_from(QUERY_PAGES), params=st.lists(st.tuples(QUERY_NAMES, TEXT), max_size=3))
def test_any_query_string_gives_a_page_or_a_400(client, page, params):
    query = urlencode([(name, value.encode("utf-8", "surrogatepass")) for name, value in params])

    response = client.get(f"{page}?{query}")

    holds_nul = any("\x00" in value for _, value in params)
    assert response.status_code == (400 if holds_nul else 200)


PATHS = ["/reports/{}/", "/reports/{}/cite.bib", "/speakers/{}/", "/topics/{}/", "/quotes/{}/",
         "/quotes/{}/cite.ris", "/admin/archive/report/{}/change/"]  # fmt: skip


@settings(PROPERTY, max_examples=60)
@given(pattern=st.sampled_from(PATHS), value=TEXT)
def test_any_path_gives_a_404_never_a_500(admin_client, pattern, value):
    path = pattern.format(quote(value.encode("utf-8", "surrogatepass"), safe=""))

    response = admin_client.get(path)

    # 301: CommonMiddleware adding a slash a percent-encoded one took away.
    assert response.status_code in (301, 302, 404), path
