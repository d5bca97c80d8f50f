"""The archive's data: reports, their ordered segments, speakers, quotes.

Visibility lives in one place, :func:`public_report_q`, and every public
queryset (``Report.objects.public()`` and the speaker, topic, segment and
quote equivalents) is built on it.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from .text import quote_matches, unique_slug


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


class SegmentKind(models.TextChoices):
    INTRO = "intro", "Studio intro"
    NARRATION = "narration", "Narration"
    SOUNDBITE = "soundbite", "Sound bite"
    STANDUP = "standup", "Stand-up"
    SIGNOFF = "signoff", "Sign-off"
    DIRECTION = "direction", "Direction"


def public_report_q(prefix="", *, now=None):
    """The one visibility rule, as a Q object on a path to a Report.

    A report is public when it is published and its publication time is not
    in the future. ``prefix`` lets related querysets (``"segment__report__"``)
    apply the same rule through a join.
    """
    now = now or timezone.now()
    return Q(**{f"{prefix}status": ReportStatus.PUBLISHED, f"{prefix}published_at__lte": now})


class SlugNaturalKeyManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class OrganizationQuerySet(models.QuerySet):
    def outlets_of(self, reports):
        """Organizations that are the outlet of at least one of ``reports``.

        One query that skips through the (outlet, status, published_at) index
        from one outlet to the next (a recursive CTE, a "loose index scan"), so
        it costs a few probes per outlet whatever the number of organizations
        or reports. Probing per organization instead took 11 s at 100,000
        reports on SQLite, where most organizations are not outlets.
        """
        reports = reports.order_by("outlet_id").values("outlet_id")
        first = reports.filter(outlet__isnull=False)[:1]
        after = reports.filter(outlet_id__gt=RawSQL("skip.id", ()))[:1]
        first_sql, first_params = first.query.sql_with_params()
        after_sql, after_params = after.query.sql_with_params()
        skip = (
            f"WITH RECURSIVE skip(id) AS (SELECT ({first_sql}) "
            f"UNION ALL SELECT ({after_sql}) FROM skip WHERE skip.id IS NOT NULL) "
            "SELECT id FROM skip WHERE id IS NOT NULL"
        )
        return self.filter(pk__in=RawSQL(skip, (*first_params, *after_params)))


class Organization(models.Model):
    name = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, allow_unicode=True)

    objects = SlugNaturalKeyManager.from_queryset(OrganizationQuerySet)()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["slug"], name="organization_slug_unique")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Organization, self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("archive:report_list") + f"?outlet={self.slug}"

    def natural_key(self):
        return (self.slug,)


def public_report_exists(field, *, now=None):
    """EXISTS(the public report whose primary key is ``field`` of the outer row).

    The speaker and topic querysets probe reports by primary key, one row at a
    time, so they cost a few index lookups per speaker or topic whatever the
    archive's size. Joined to the report table instead, SQLite without
    statistics (no ``ANALYZE``) starts from every public report: 0.9 s for the
    speaker list at 10,000 reports instead of 5 ms.
    """
    return Exists(Report.objects.public(now=now).filter(pk=OuterRef(field)))


class TopicQuerySet(models.QuerySet):
    def public(self, *, now=None):
        tagged = Report.topics.through.objects.filter(topic=OuterRef("pk"))
        return self.filter(Exists(tagged.filter(public_report_exists("report_id", now=now))))


class Topic(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, allow_unicode=True)

    objects = SlugNaturalKeyManager.from_queryset(TopicQuerySet)()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["slug"], name="topic_slug_unique")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Topic, self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("archive:topic_detail", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)


class SpeakerQuerySet(models.QuerySet):
    def public(self, *, now=None):
        """Speakers heard or credited in at least one public report."""
        now = now or timezone.now()
        heard = Segment.objects.filter(speaker=OuterRef("pk"))
        heard = heard.filter(public_report_exists("report_id", now=now))
        credited = Report.objects.filter(correspondent=OuterRef("pk"))
        credited = credited.filter(public_report_exists("pk", now=now))
        return self.filter(Exists(heard) | Exists(credited))


class Speaker(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, allow_unicode=True)
    role = models.CharField(
        "role or title",
        max_length=300,
        blank=True,
        help_text="The person's current title. Each appearance keeps the caption as broadcast.",
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="speakers",
    )

    objects = SlugNaturalKeyManager.from_queryset(SpeakerQuerySet)()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["slug"], name="speaker_slug_unique")]
        # The speaker list walks this in order and stops at a page, at any size.
        indexes = [models.Index(fields=["name", "id"], name="speaker_name_idx")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Speaker, self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("archive:speaker_detail", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)


class ReportQuerySet(models.QuerySet):
    def public(self, *, now=None):
        return self.filter(public_report_q(now=now))

    def scheduled(self, *, now=None):
        """Published reports whose time has not come: they go public with no write.

        The complement of :func:`public_report_q` among published reports (which
        always have a time), written as a range on the (status, published_at)
        index: the page cache asks for the earliest one on every request.
        """
        return self.filter(status=ReportStatus.PUBLISHED, published_at__gt=now or timezone.now())


class ReportManager(models.Manager.from_queryset(ReportQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Report(models.Model):
    Status = ReportStatus

    title = models.CharField(max_length=500)
    slug = models.SlugField(max_length=200, allow_unicode=True)
    outlet = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        help_text="The broadcaster that aired the report.",
    )
    correspondent = models.ForeignKey(
        Speaker,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports_filed",
    )
    dateline = models.CharField(max_length=200, blank=True, help_text="Where the report was filed.")
    duration = models.DurationField(null=True, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="reports")
    status = models.CharField(
        max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        "publication time",
        null=True,
        blank=True,
        help_text="A time in the future schedules the report: it goes live by itself then.",
    )
    withdrawal_reason = models.TextField(
        blank=True, help_text="Shown to readers when the report is withdrawn."
    )
    correction = models.TextField(blank=True, help_text="A correction notice shown to readers.")
    source_name = models.CharField(
        max_length=500, blank=True, help_text="The file the report was imported from."
    )
    source_text = models.TextField(blank=True)
    source_checksum = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReportManager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        get_latest_by = "published_at"
        permissions = [("publish_report", "Can publish, schedule and withdraw reports")]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="report_slug_unique"),
            models.CheckConstraint(
                condition=Q(status__in=ReportStatus.values),
                name="report_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="report_published_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="report_public_order_idx"),
            # The outlets that have public reports, found by skipping through this
            # index (views.outlets_with_reports) instead of probing per organization.
            models.Index(fields=["outlet", "status", "published_at"], name="report_outlet_idx"),
            # The admin's changelist: every status, newest first, one page at a time.
            models.Index(fields=["-published_at", "-id"], name="report_recent_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Report, self.title)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("archive:report_detail", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["archive.organization", "archive.speaker", "archive.topic"]

    @property
    def is_public(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )


class SpeakerBasis(models.TextChoices):
    """How the importer established a segment's speaker (its confidence, in words)."""

    CUE = "cue", "A cue with a full name"
    SURNAME = "surname", "A surname resolved to an earlier full name"
    INITIALS = "initials", "Initials resolved to an earlier full name"
    VOICE_TAG = "voice_tag", "A caption voice tag"
    CONTEXT = "context", "The report's correspondent or anchor, from context"
    GUESS = "guess", "A guess"
    EDITOR = "editor", "Confirmed by an editor"


class SegmentQuerySet(models.QuerySet):
    def public(self, *, now=None):
        return self.filter(public_report_q("report__", now=now))


class SegmentManager(models.Manager.from_queryset(SegmentQuerySet)):
    def get_by_natural_key(self, report_slug, position):
        return self.get(report__slug=report_slug, position=position)


class Segment(models.Model):
    Kind = SegmentKind

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="segments")
    position = models.PositiveIntegerField(help_text="Order within the report, from 1.")
    kind = models.CharField(
        max_length=20, choices=SegmentKind.choices, default=SegmentKind.NARRATION
    )
    speaker = models.ForeignKey(
        Speaker,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="segments",
    )
    speaker_title = models.CharField(
        max_length=300,
        blank=True,
        help_text="The speaker's caption as broadcast in this report.",
    )
    text = models.TextField()
    start_seconds = models.FloatField(
        "start time",
        null=True,
        blank=True,
        help_text="Seconds from the start of the recording, where the transcript gives it.",
    )
    end_seconds = models.FloatField(
        "end time",
        null=True,
        blank=True,
        help_text="Seconds from the start of the recording, where the transcript gives it.",
    )
    speaker_basis = models.CharField(
        "how the speaker was found",
        max_length=20,
        choices=SpeakerBasis.choices,
        blank=True,
        default="",
        db_default="",
    )
    needs_review = models.BooleanField(
        default=False,
        db_default=False,
        help_text="The importer was unsure of this segment's speaker: no quote is made from it "
        "and the report cannot be published until an editor confirms or fixes it.",
    )

    objects = SegmentManager()

    class Meta:
        ordering = ["report", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "position"], name="segment_report_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=SegmentKind.values),
                name="segment_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(start_seconds__isnull=True) | Q(start_seconds__gte=0),
                name="segment_start_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(start_seconds__isnull=True)
                | Q(end_seconds__isnull=True)
                | Q(end_seconds__gte=models.F("start_seconds")),
                name="segment_end_not_before_start",
            ),
        ]
        indexes = [
            models.Index(fields=["speaker", "report"], name="segment_speaker_idx"),
            models.Index(
                fields=["report"],
                condition=Q(needs_review=True),
                name="segment_needs_review_idx",
            ),
        ]

    def __str__(self):
        return f"{self.report} · {self.position}. {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        text_changed = self.pk is not None and (
            Segment.objects.filter(pk=self.pk).exclude(text=self.text).exists()
        )
        super().save(*args, **kwargs)
        if text_changed:
            self.recheck_quotes()

    def get_absolute_url(self):
        return f"{self.report.get_absolute_url()}#segment-{self.position}"

    def natural_key(self):
        return (*self.report.natural_key(), self.position)

    natural_key.dependencies = ["archive.report", "archive.speaker"]

    def recheck_quotes(self):
        """Flag (or clear) quotes of this segment against its current text."""
        for quote in self.quotes.all():
            matches = quote_matches(quote.text, self.text)
            if matches != quote.matches_source:
                quote.matches_source = matches
                quote.save(update_fields=["matches_source"])


class QuoteQuerySet(models.QuerySet):
    def public(self, *, now=None):
        return self.filter(public_report_q("segment__report__", now=now))


class QuoteManager(models.Manager.from_queryset(QuoteQuerySet)):
    def get_by_natural_key(self, report_slug, position, text):
        return self.get(segment__report__slug=report_slug, segment__position=position, text=text)


class Quote(models.Model):
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="quotes")
    speaker = models.ForeignKey(Speaker, on_delete=models.PROTECT, related_name="quotes")
    text = models.TextField(
        help_text="Word for word from the segment; an ellipsis (… or ...) may join excerpts."
    )
    featured = models.BooleanField(default=False, help_text="Shown on the home page.")
    matches_source = models.BooleanField(
        default=True,
        editable=False,
        help_text="Whether the text still occurs in its segment. Re-checked on every edit.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = QuoteManager()

    class Meta:
        ordering = ["segment_id", "pk"]
        indexes = [models.Index(fields=["featured", "segment"], name="quote_featured_idx")]

    def __str__(self):
        return f"{self.speaker}: “{self.text[:60]}”"

    def save(self, *args, **kwargs):
        if self.segment_id:
            self.matches_source = quote_matches(self.text, self.segment.text)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("archive:quote_detail", kwargs={"pk": self.pk})

    def natural_key(self):
        return (*self.segment.natural_key(), self.text)

    natural_key.dependencies = ["archive.segment", "archive.speaker"]

    @property
    def report(self):
        return self.segment.report

    def clean(self):
        super().clean()
        if self.segment_id and self.text and not quote_matches(self.text, self.segment.text):
            raise ValidationError(
                {"text": "This text does not occur word for word in the segment it quotes."}
            )
