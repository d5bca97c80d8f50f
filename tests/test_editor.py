"""The transcript editor on the report page: split, merge, insert, select to quote,
flagged quotes that never block a save, deleting a quoted segment, the quote's source."""

import pytest
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from archive.admin.editor.alignment import offset_of_words, propose, quote_spans
from archive.models import Quote, Report, Segment
from tests.desk import form_data
from tests.factories import make_quote, make_report, make_segment, make_speaker

pytestmark = pytest.mark.django_db

ANN = "Ann Lee"


def change_url(report):
    return reverse("admin:archive_report_change", args=[report.pk])


def editor_url(report, action):
    return reverse(f"admin:archive_report_editor_{action}", args=[report.pk])


def post_action(client, report, action, **fields):
    """What pressing an editor's button posts: the whole change form, plus its own fields."""
    data = form_data(client.get(change_url(report)))
    return client.post(editor_url(report, action), {**data, **fields})


def messages_of(response):
    return [str(m) for m in response.wsgi_request._messages]


@pytest.fixture
def speaker():
    return make_speaker(ANN)


@pytest.fixture
def report(speaker):
    report = make_report("A report", status=Report.Status.DRAFT)
    make_segment(report, text="The studio introduces the story.")
    bite = make_segment(
        report,
        kind="soundbite",
        speaker=speaker,
        text="We built the plant in a year. Then the orders came from everywhere.",
        start_seconds=10,
        end_seconds=20,
    )
    make_quote(bite, text="We built the plant in a year")
    make_quote(bite, text="the orders came ... everywhere", featured=True)
    make_segment(report, text="The correspondent signs off.")
    return report


def row_prefix(data, segment):
    """The form prefix (``segments-N``) of ``segment``'s row in posted data."""
    key = next(k for k, v in data.items() if k.endswith("-id") and v == str(segment.pk))
    return key[: -len("-id")]


def texts(report):
    return list(report.segments.order_by("position").values_list("text", flat=True))


def revisions(report):
    return Version.objects.get_for_object(report).count()


def test_spans_and_words_are_found_in_the_segment_as_typed():
    text = "In the first place,  investors “come” here. And then they leave."
    assert quote_spans('investors "come" here ... they leave', text) == [(21, 42), (53, 63)]
    assert text[offset_of_words("And  then", text) :] == "And then they leave."
    with pytest.raises(ValueError, match="more than once"):
        offset_of_words("the", text)
    assert propose("investors come here", text.replace("investors", "financiers")) == (
        "financiers “come” here"
    )
    assert propose("entirely other words", text) is None


def test_split_at_the_cursor_moves_each_quote_with_its_half_as_one_revision(admin_client, report):
    bite = report.segments.get(position=2)
    before = revisions(report)
    offset = bite.text.index("Then")
    response = post_action(admin_client, report, "split", editor_segment=bite.pk,
                           editor_offset=str(offset))  # fmt: skip
    assert response.status_code == 302, messages_of(response)
    assert texts(report) == [
        "The studio introduces the story.",
        "We built the plant in a year.",
        "Then the orders came from everywhere.",
        "The correspondent signs off.",
    ]
    first, second = report.segments.filter(position__in=[2, 3]).order_by("position")
    assert (first.speaker, second.speaker, second.kind) == (bite.speaker, bite.speaker, "soundbite")
    assert (first.start_seconds, first.end_seconds, second.end_seconds) == (10, None, 20)
    assert list(first.quotes.values_list("text", flat=True)) == ["We built the plant in a year"]
    assert list(second.quotes.values_list("text", "featured")) == [
        ("the orders came ... everywhere", True)
    ]
    assert not Quote.objects.filter(matches_source=False).exists()
    assert revisions(report) == before + 1


def test_split_before_typed_words_works_without_javascript(admin_client, report):
    bite = report.segments.get(position=2)
    response = post_action(admin_client, report, "split", editor_segment=bite.pk,
                           **{f"editor-split-{bite.pk}": "Then the orders"})  # fmt: skip
    assert response.status_code == 302
    assert texts(report)[2] == "Then the orders came from everywhere."


def test_a_split_through_a_quote_is_refused_naming_it(admin_client, report):
    bite = report.segments.get(position=2)
    before = texts(report)
    response = post_action(admin_client, report, "split", editor_segment=bite.pk,
                           editor_offset=str(bite.text.index("plant")))  # fmt: skip
    assert "through the quote “We built the plant in a year”" in " ".join(messages_of(response))
    assert texts(report) == before


def test_merge_keeps_the_quotes_matching_in_the_previous_segment(admin_client, speaker):
    report = make_report(status=Report.Status.DRAFT)
    first = make_segment(report, kind="soundbite", speaker=speaker, text="We built it.")
    second = make_segment(report, kind="soundbite", speaker=speaker, text="It was hard.")
    third = make_segment(report, text="Narration.")
    make_quote(first, text="We built it")
    make_quote(second, text="It was hard", featured=True)
    before = revisions(report)
    response = post_action(admin_client, report, "merge", editor_segment=second.pk)
    assert response.status_code == 302, messages_of(response)
    first.refresh_from_db()
    assert first.text == "We built it. It was hard."
    assert sorted(first.quotes.values_list("text", "featured")) == [
        ("It was hard", True), ("We built it", False),
    ]  # fmt: skip
    assert not Quote.objects.filter(matches_source=False).exists()
    assert list(report.segments.values_list("pk", "position")) == [(first.pk, 1), (third.pk, 2)]
    assert revisions(report) == before + 1


def test_merge_refuses_two_speakers_and_the_first_segment(admin_client, report):
    first = report.segments.get(position=1)
    response = post_action(admin_client, report, "merge", editor_segment=first.pk)
    assert "none to merge into" in " ".join(messages_of(response))
    other = make_segment(report, kind="soundbite", speaker=make_speaker("Bo"), text="No.")
    make_segment(report, kind="soundbite", speaker=make_speaker("Cy"), text="Yes.")
    last = report.segments.get(position=5)
    response = post_action(admin_client, report, "merge", editor_segment=last.pk)
    assert "different speakers" in " ".join(messages_of(response))
    assert report.segments.count() == 5 and other.pk


def test_insert_puts_a_segment_between_two(admin_client, report):
    first = report.segments.get(position=1)
    before = revisions(report)
    response = post_action(admin_client, report, "insert", editor_segment=first.pk,
                           **{f"editor-insert-kind-{first.pk}": "direction",
                              f"editor-insert-text-{first.pk}": "(BEGIN VIDEOTAPE)"})  # fmt: skip
    assert response.status_code == 302
    assert texts(report)[1] == "(BEGIN VIDEOTAPE)"
    assert report.segments.get(position=2).kind == "direction"
    assert revisions(report) == before + 1


def test_insert_without_text_or_with_a_bad_kind_writes_nothing(admin_client, report):
    first = report.segments.get(position=1)
    for fields in ({}, {f"editor-insert-kind-{first.pk}": "nonsense",
                        f"editor-insert-text-{first.pk}": "Words."}):  # fmt: skip
        response = post_action(admin_client, report, "insert", editor_segment=first.pk, **fields)
        assert response.status_code == 302 and messages_of(response)
        assert report.segments.count() == 3


def test_select_to_quote_makes_a_quote_by_the_segments_speaker(admin_client, report, speaker):
    bite = report.segments.get(position=2)
    response = post_action(admin_client, report, "quote", editor_segment=bite.pk,
                           **{f"editor-quote-{bite.pk}": "the orders came"})  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == f"{change_url(report)}#segment-{bite.pk}"
    quote = bite.quotes.get(text="the orders came")
    assert (quote.speaker, quote.matches_source) == (speaker, True)


@pytest.mark.parametrize(
    ("words", "problem"),
    [("", "select the words"), ("never said this", "does not occur"),
     ("We built the plant in a year", "already has a quote")],
)  # fmt: skip
def test_select_to_quote_checks_the_text_as_always(admin_client, report, words, problem):
    bite = report.segments.get(position=2)
    response = post_action(admin_client, report, "quote", editor_segment=bite.pk,
                           **{f"editor-quote-{bite.pk}": words})  # fmt: skip
    assert problem in " ".join(messages_of(response))
    assert bite.quotes.count() == 2


def test_no_quote_from_a_segment_that_needs_review(admin_client, report):
    bite = report.segments.get(position=2)
    Segment.objects.filter(pk=bite.pk).update(needs_review=True)
    response = post_action(admin_client, report, "quote", editor_segment=bite.pk,
                           **{f"editor-quote-{bite.pk}": "the orders came"})  # fmt: skip
    assert "needs review" in " ".join(messages_of(response))
    assert bite.quotes.count() == 2


def test_an_action_refuses_a_segment_with_unsaved_edits_and_a_stale_form(admin_client, report):
    bite = report.segments.get(position=2)
    data = form_data(admin_client.get(change_url(report)))
    index = row_prefix(data, bite)
    edited = {**data, f"{index}-text": "We built it. Then more.", "editor_segment": bite.pk,
              "editor_offset": "13"}  # fmt: skip
    response = admin_client.post(editor_url(report, "split"), edited)
    assert "unsaved changes" in " ".join(messages_of(response))
    stale = {**data, "edit_token": "2000-01-01T00:00:00+00:00", "editor_segment": bite.pk,
             "editor_offset": str(bite.text.index("Then"))}  # fmt: skip
    response = admin_client.post(editor_url(report, "split"), stale)
    assert "NOT saved" in " ".join(messages_of(response))
    assert report.segments.count() == 3


@pytest.mark.parametrize("junk", ["", "x", "99999"])
def test_a_malformed_segment_id_is_a_message_not_a_500(admin_client, report, junk):
    response = post_action(admin_client, report, "merge", editor_segment=junk)
    assert response.status_code == 302 and messages_of(response)


def test_an_action_is_post_only(admin_client, report):
    assert admin_client.get(editor_url(report, "split")).status_code == 405


def edit_segment_text(client, report, segment, text, **changes):
    url = change_url(report)
    data = form_data(client.get(url))
    data[f"{row_prefix(data, segment)}-text"] = text
    return client.post(url, {**data, **changes})


def test_a_save_that_breaks_a_quote_says_so_at_the_top_with_the_word_difference(
    admin_client, report
):
    bite = report.segments.get(position=2)
    edited = bite.text.replace("plant", "factory")
    response = edit_segment_text(admin_client, report, bite, edited)
    assert response.status_code == 302
    assert response["Location"] == f"{change_url(report)}?flagged=new#flagged-quotes"
    assert "stop matching" in " ".join(messages_of(response))
    page = admin_client.get(response["Location"]).content.decode()
    top = page.index('id="flagged-quotes"')
    panel = page[top : page.index("</details>", top)]
    assert "<del>plant</del>" in panel and "<ins>factory</ins>" in panel
    assert top < page.index('id="segments-group"')
    quote = Quote.objects.get(text="We built the plant in a year")
    proposal = {f"editor-proposal-{quote.pk}": "We built the factory in a year"}
    response = post_action(admin_client, report, "update_quote", editor_quote=quote.pk, **proposal)
    assert response.status_code == 302
    quote.refresh_from_db()
    assert (quote.text, quote.matches_source) == ("We built the factory in a year", True)


@pytest.mark.parametrize(
    "changes",
    [{"title": "Renamed"}, {"status": "withdrawn", "withdrawal_reason": "Wrong footage."}],
    ids=["an unrelated field", "withdrawing it"],
)
def test_a_flagged_quote_never_blocks_saving_anything_else(admin_client, report, changes):
    report.status, report.published_at = Report.Status.PUBLISHED, timezone.now()
    report.save()
    bite = report.segments.get(position=2)
    # As import_transcripts --replace leaves it: the words quoted are gone.
    Segment.objects.filter(pk=bite.pk).update(text="Entirely rewritten by a --replace import.")
    bite.refresh_from_db()
    bite.recheck_quotes()
    assert Quote.objects.filter(matches_source=False).count() == 2
    url = change_url(report)
    response = admin_client.post(url, {**form_data(admin_client.get(url)), **changes})
    assert response.status_code == 302, response.context and response.context["errors"]
    report.refresh_from_db()
    assert {name: getattr(report, name) for name in changes} == changes
    assert Quote.objects.filter(matches_source=False).count() == 2  # kept, still flagged
    page = admin_client.get(url).content.decode()
    assert "2 quotes no longer match their segments" in page


def test_the_flagged_quote_can_be_removed_by_an_editor(admin_client, report):
    bite = report.segments.get(position=2)
    Segment.objects.filter(pk=bite.pk).update(text="Something else.")
    bite.refresh_from_db()
    bite.recheck_quotes()
    quote = bite.quotes.first()
    response = post_action(admin_client, report, "remove_quote", editor_quote=quote.pk)
    assert response.status_code == 302
    assert not Quote.objects.filter(pk=quote.pk).exists()


def test_deleting_a_segment_with_quotes_asks_first_naming_them(admin_client, report):
    bite = report.segments.get(position=2)
    url = change_url(report)
    data = form_data(admin_client.get(url))
    index = row_prefix(data, bite)
    response = admin_client.post(url, {**data, f"{index}-DELETE": "on"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Segment 2 has quotes: “We built the plant in a year”, " in page
    assert "“the orders came ... everywhere” (featured)" in page
    assert report.segments.count() == 3 and Quote.objects.count() == 2
    response = admin_client.post(
        url, {**data, f"{index}-DELETE": "on", f"{index}-delete_quotes_too": "on"}
    )
    assert response.status_code == 302
    assert report.segments.count() == 2 and Quote.objects.count() == 0


def test_the_quote_page_shows_its_source_as_text_with_the_quoted_words_marked(admin_client):
    text = "<b>Bold</b> claim: we built it.\nAnd more."
    segment = make_segment(text=text, speaker=make_speaker())
    quote = make_quote(segment, text="we built it")
    page = admin_client.get(reverse("admin:archive_quote_change", args=[quote.pk])).content.decode()
    assert (
        '<div class="quote-source">&lt;b&gt;Bold&lt;/b&gt; claim: <mark>we built it</mark>.\n'
        "And more.</div>"
    ) in page


def test_the_editor_shows_and_filters_segments_that_need_review(admin_client, report):
    Segment.objects.filter(position=3, report=report).update(needs_review=True)
    page = admin_client.get(change_url(report)).content.decode()
    assert "Show only the 1 segment that needs review" in page
    assert page.count("segment has_original needs-review") == 1
    assert "needs review: confirm the speaker" in page


def test_each_text_box_is_sized_to_its_text(admin_client, report):
    long = make_segment(report, text="word " * 120)
    page = admin_client.get(change_url(report)).content.decode()
    box = page[page.index(f'value="{long.pk}"') - 4000 :]
    assert 'rows="9"' in page and 'rows="2"' in page and box


def test_the_report_change_form_costs_the_same_queries_for_3_and_30_segments(
    admin_client, report, speaker, django_assert_num_queries
):
    admin_client.get(change_url(report))  # warm the session and content types
    with django_assert_num_queries(CHANGE_FORM_QUERIES):
        admin_client.get(change_url(report))
    for n in range(27):
        segment = make_segment(report, kind="soundbite", speaker=speaker, text=f"Line {n}.")
        make_quote(segment, text=f"Line {n}")
    with django_assert_num_queries(CHANGE_FORM_QUERIES):
        admin_client.get(change_url(report))


# The editor, the pending-change banner and the presence list (sweep, record, others) included.
CHANGE_FORM_QUERIES = 20
