from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.models import (
    Organization,
    Quote,
    Report,
    Segment,
    Speaker,
    Topic,
    public_report_exists,
)

from .factories import (
    make_organization,
    make_quote,
    make_report,
    make_segment,
    make_speaker,
    make_topic,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model, factory",
    [
        (Report, make_report),
        (Speaker, make_speaker),
        (Organization, make_organization),
        (Topic, make_topic),
    ],
)
def test_database_rejects_duplicate_slugs(model, factory):
    factory(slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        # bulk_create skips save() and validation: only the database stands guard.
        model.objects.bulk_create(
            [
                model(name="x", slug="same")
                if model is not Report
                else Report(title="x", slug="same")
            ]
        )


def test_database_rejects_duplicate_positions_in_a_report():
    segment = make_segment(position=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Segment.objects.create(report=segment.report, position=1, text="Again.")


def test_same_position_in_another_report_is_fine():
    make_segment(position=1)
    assert make_segment(position=1).position == 1


def test_database_rejects_unknown_segment_kind():
    segment = make_segment()
    with pytest.raises(IntegrityError), transaction.atomic():
        Segment.objects.filter(pk=segment.pk).update(kind="interview")


def test_database_rejects_unknown_report_status():
    report = make_report()
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.filter(pk=report.pk).update(status="archived")


def test_database_rejects_published_report_without_time():
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(title="No time", status=Report.Status.PUBLISHED)


def test_slugs_are_made_from_names_and_kept_unique():
    first = make_speaker("Łukasz Wójtowski")
    second = make_speaker("Łukasz Wójtowski")
    assert first.slug == "łukasz-wójtowski"
    assert second.slug == "łukasz-wójtowski-2"


def test_every_public_model_has_an_absolute_url():
    quote = make_quote()
    topic = make_topic()
    assert quote.segment.report.get_absolute_url() == f"/reports/{quote.segment.report.slug}/"
    assert quote.speaker.get_absolute_url() == f"/speakers/{quote.speaker.slug}/"
    assert quote.get_absolute_url() == f"/quotes/{quote.pk}/"
    assert topic.get_absolute_url() == f"/topics/{topic.slug}/"
    assert quote.segment.get_absolute_url().endswith(f"#segment-{quote.segment.position}")


class TestVisibility:
    @pytest.fixture
    def reports(self):
        now = timezone.now()
        return {
            "published": make_report(status=Report.Status.PUBLISHED),
            "draft": make_report(status=Report.Status.DRAFT),
            "review": make_report(status=Report.Status.REVIEW),
            "scheduled": make_report(
                status=Report.Status.PUBLISHED, published_at=now + timedelta(days=1)
            ),
            "withdrawn": make_report(
                status=Report.Status.WITHDRAWN, published_at=now - timedelta(days=1)
            ),
        }

    def test_public_reports_are_published_and_not_in_the_future(self, reports):
        assert list(Report.objects.public()) == [reports["published"]]

    def test_scheduled_report_goes_public_by_itself(self, reports):
        later = timezone.now() + timedelta(days=2)
        assert reports["scheduled"] in Report.objects.public(now=later)

    def test_speakers_topics_segments_and_quotes_follow_their_reports(self, reports):
        for name, report in reports.items():
            speaker = make_speaker(f"Speaker of {name}")
            segment = make_segment(report, kind=Segment.Kind.SOUNDBITE, speaker=speaker)
            make_quote(segment)
            report.topics.add(make_topic(f"Topic of {name}"))

        assert {s.name for s in Speaker.objects.public()} == {"Speaker of published"}
        assert {t.name for t in Topic.objects.public()} == {"Topic of published"}
        assert {s.report for s in Segment.objects.public()} == {reports["published"]}
        assert {q.segment.report for q in Quote.objects.public()} == {reports["published"]}

    def test_correspondent_of_a_public_report_is_public(self, reports):
        correspondent = make_speaker("Filing Reporter")
        reports["published"].correspondent = correspondent
        reports["published"].save()
        hidden = make_speaker("Draft Reporter")
        reports["draft"].correspondent = hidden
        reports["draft"].save()
        public = set(Speaker.objects.public())
        assert correspondent in public
        assert hidden not in public

    def test_speaker_in_many_public_reports_is_listed_once(self, reports):
        speaker = make_speaker()
        for _ in range(3):
            make_segment(make_report(), speaker=speaker)
        assert list(Speaker.objects.public().filter(pk=speaker.pk)) == [speaker]


class TestQuoteIntegrity:
    SOURCE = (
        "In the first place, we are interested in Chinese investors. "
        'It means that we are choosing the "best" scientific breakthroughs.'
    )

    @pytest.fixture
    def segment(self):
        return make_segment(kind=Segment.Kind.SOUNDBITE, speaker=make_speaker(), text=self.SOURCE)

    @pytest.mark.parametrize(
        "text",
        [
            "we are interested in Chinese investors.",
            "In the first place... we are choosing the",
            "In the first place, … scientific breakthroughs.",
            "we are choosing the “best” scientific",
            "interested   in\nChinese investors",
        ],
        ids=["exact", "ellipsis", "unicode-ellipsis", "curly-quotes", "white-space"],
    )
    def test_accepts_text_that_occurs_in_the_segment(self, segment, text):
        quote = Quote(segment=segment, speaker=segment.speaker, text=text)
        quote.full_clean()

    @pytest.mark.parametrize(
        "text",
        [
            "we are interested in Russian investors.",
            "we are choosing the best scientific... In the first place",
            "...",
        ],
        ids=["changed-word", "excerpts-out-of-order", "ellipsis-only"],
    )
    def test_rejects_text_that_does_not_occur(self, segment, text):
        quote = Quote(segment=segment, speaker=segment.speaker, text=text)
        with pytest.raises(ValidationError) as error:
            quote.full_clean()
        assert "text" in error.value.message_dict

    def test_quote_is_flagged_when_its_segment_changes(self, segment):
        quote = make_quote(segment, text="we are interested in Chinese investors")
        assert quote.matches_source

        segment.text = segment.text.replace("Chinese", "foreign")
        segment.save()
        quote.refresh_from_db()
        assert not quote.matches_source

        segment.text = self.SOURCE
        segment.save()
        quote.refresh_from_db()
        assert quote.matches_source


# --- the speakers' visibility rule, rewritten for indexes (issue 15) -----------------


def speakers_public_as_before(now):
    """The rule as it was written before (two EXISTS joined by OR), kept to compare with."""
    heard = Segment.objects.filter(speaker=OuterRef("pk"))
    heard = heard.filter(public_report_exists("report_id", now=now))
    credited = Report.objects.filter(correspondent=OuterRef("pk"))
    credited = credited.filter(public_report_exists("pk", now=now))
    return Speaker.objects.filter(Exists(heard) | Exists(credited))


def _archive_rows():
    moment = st.sampled_from(["past", "future", "before 1900", "now"])
    report = st.tuples(
        st.sampled_from(Report.Status.values),
        moment,
        st.one_of(st.none(), st.integers(0, 5)),  # the correspondent
        st.lists(st.one_of(st.none(), st.integers(0, 5)), max_size=4),  # who speaks
    )
    return st.lists(report, max_size=8)


def _build(rows, speakers, now):
    times = {
        "past": now - timedelta(days=3),
        "future": now + timedelta(days=3),
        "before 1900": timezone.make_aware(timezone.datetime(1899, 12, 31)),
        "now": now,
    }
    for status, moment, correspondent, voices in rows:
        published_at = times[moment]
        if status != Report.Status.PUBLISHED and moment == "now":
            published_at = None
        report = Report.objects.create(
            title="Any",
            status=status,
            published_at=published_at,
            correspondent=None if correspondent is None else speakers[correspondent],
        )
        for position, voice in enumerate(voices, start=1):
            speaker = None if voice is None else speakers[voice]
            Segment.objects.create(report=report, position=position, speaker=speaker, text="x")


def test_public_speakers_are_the_same_as_under_the_old_rule_on_any_archive():
    now = timezone.now()
    organizations = [make_organization(f"Ministry {n}") for n in range(2)]
    speakers = [
        make_speaker(f"Person {n}", organization=organizations[n % 2] if n < 4 else None)
        for n in range(6)
    ]

    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(rows=_archive_rows())
    def same_speakers(rows):
        _build(rows, speakers, now)  # each example adds to the archive the last one left
        for moment in (now, now + timedelta(days=7)):
            expected = set(speakers_public_as_before(moment).values_list("pk", flat=True))
            assert set(Speaker.objects.public(now=moment).values_list("pk", flat=True)) == expected
            # Organizations are public through their speakers too.
            by_speaker = speakers_public_as_before(moment).filter(organization=OuterRef("pk"))
            expected = set(
                Organization.objects.filter(Exists(by_speaker)).values_list("pk", flat=True)
            )
            assert set(Organization.objects.public(now=moment).values_list("pk", flat=True)) == (
                expected
            )

    same_speakers()
