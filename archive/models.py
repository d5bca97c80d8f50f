"""The archive's data: reports, their ordered segments, speakers, quotes.

Visibility lives in one place, :func:`public_report_q`, and every public
queryset (``Report.objects.public()`` and the speaker, topic, segment and
quote equivalents) is built on it.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Exists, F, Func, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from .identity.names import WIKIDATA_URL, AbbreviatedNameField, InitialKeyField, check_wikidata_id
from .text import quote_matches, unique_slug, validate_text

# Publication times the archive accepts: no broadcast archive publishes before
# 1900, nothing is scheduled beyond 2999 (the years the report list's year filter
# offers), and so far inside datetime's limits that any time zone can show them
# (0001-01-01 00:00 UTC is year 0 in New York: every page showing it failed).
EARLIEST_PUBLICATION = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)
LATEST_PUBLICATION = datetime.datetime(3000, 1, 1, tzinfo=datetime.UTC)  # exclusive
# The longest duration the transcript format writes and reads back (h:mm:ss, 6-digit hours).
LONGEST_DURATION = datetime.timedelta(hours=1_000_000)  # exclusive


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
    return Q(
        **{
            f"{prefix}status": ReportStatus.PUBLISHED,
            f"{prefix}published_at__lte": now,
            # A row stored before the range was enforced cannot be shown: not public.
            f"{prefix}published_at__gte": EARLIEST_PUBLICATION,
        }
    )


def check_publication_time(value):
    """Refuse a publication time outside the range the archive can show."""
    if value is not None and not EARLIEST_PUBLICATION <= value < LATEST_PUBLICATION:
        raise ValidationError(
            "A publication time must be between the years 1900 and 2999.", code="out_of_range"
        )


def check_duration(value):
    if value is not None and not datetime.timedelta(0) <= value < LONGEST_DURATION:
        raise ValidationError(
            "A duration cannot be negative, nor 1,000,000 hours or more.", code="out_of_range"
        )


class ValueRules:
    """Model validation of the rules every stored value keeps.

    The text rule (archive/text.py) on every text column, and a model's own
    ``value_checks`` (field name: validators). One check in ``clean_fields``,
    so every model form (the admin's included) and every ``full_clean``
    applies it, and no field needs validators of its own (each would be an
    AlterField migration).
    """

    value_checks = {}

    def clean_fields(self, exclude=None):
        exclude = set(exclude or ())
        errors = {}
        for field in self._meta.concrete_fields:
            if field.name in exclude:
                continue
            checks = (
                [validate_text] if isinstance(field, models.CharField | models.TextField) else []
            )
            for check in [*checks, *self.value_checks.get(field.name, ())]:
                try:
                    check(getattr(self, field.attname))
                except ValidationError as error:
                    errors.setdefault(field.name, []).extend(error.error_list)
        try:
            super().clean_fields(exclude=exclude | errors.keys())
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


class SlugNaturalKeyManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class NamedBySlug:
    """A model shown by its ``name`` and known by its ``slug``, made from the name if blank."""

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(type(self), self.name)
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.slug,)


class OrganizationQuerySet(models.QuerySet):
    def public(self, *, now=None):
        """Outlets of a public report, and organizations of a public speaker."""
        outlet_of = Report.objects.public(now=now).filter(outlet=OuterRef("pk"))
        speakers = Speaker.objects.public(now=now).filter(organization=OuterRef("pk"))
        return self.filter(Exists(outlet_of) | Exists(speakers))

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


class Organization(NamedBySlug, ValueRules, models.Model):
    name = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, allow_unicode=True)

    objects = SlugNaturalKeyManager.from_queryset(OrganizationQuerySet)()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["slug"], name="organization_slug_unique")]

    def get_absolute_url(self):
        return reverse("archive:report_list") + f"?outlet={self.slug}"


class Programme(NamedBySlug, ValueRules, models.Model):
    """A show an outlet airs ("Global Business" on CGTN, "Morning Edition" on NPR)."""

    name = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, allow_unicode=True)
    outlet = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programmes",
    )

    objects = SlugNaturalKeyManager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["slug"], name="programme_slug_unique")]

    def get_absolute_url(self):
        return reverse("archive:report_list") + f"?programme={self.slug}"

    def natural_key(self):
        return super().natural_key()

    natural_key.dependencies = ["archive.organization"]


def default_language():
    """The site's language as a BCP 47 tag: Django's ``en-us`` is ``en-US``."""
    language, _, region = settings.LANGUAGE_CODE.partition("-")
    return f"{language}-{region.upper()}" if region else language


web_url_validator = URLValidator(schemes=["http", "https"])


class BroadcastDate(models.Func):
    """The day a report aired, or the day the archive published it where that is unknown.

    Lists order and filter by it; an index on the same expression serves both.
    Written per database so the expression is immutable (PostgreSQL indexes it):
    the publication day is taken in UTC.
    """

    output_field = models.DateField()

    def __init__(self, prefix="", **extra):
        super().__init__(models.F(f"{prefix}aired_on"), models.F(f"{prefix}published_at"), **extra)

    def as_sql(self, compiler, connection, **extra):
        aired, published = (compiler.compile(expression) for expression in self.source_expressions)
        if connection.vendor == "sqlite":
            sql = f"COALESCE({aired[0]}, date({published[0]}))"
        else:
            sql = f"COALESCE({aired[0]}, ({published[0]} AT TIME ZONE 'UTC')::date)"
        return sql, (*aired[1], *published[1])


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


class Topic(NamedBySlug, ValueRules, models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, allow_unicode=True)

    objects = SlugNaturalKeyManager.from_queryset(TopicQuerySet)()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="topic_slug_unique"),
            # "Energy" and "energy" are one topic, whoever types it.
            models.UniqueConstraint(
                Lower("name"),
                name="topic_name_case_insensitive_unique",
                violation_error_message="A topic with this name already exists "
                "(topics that differ only by case are one topic).",
            ),
        ]

    def get_absolute_url(self):
        return reverse("archive:topic_detail", kwargs={"slug": self.slug})


class NameSortKeyField(models.CharField):
    """The name as it sorts for a reader (``collation.name_sort_key``), set on every save.

    ``pre_save`` runs for ``save()`` and ``bulk_create`` alike, so the importer's
    speakers get it too; rows inserted by raw SQL get the empty default and sort
    first until saved.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", "")
        kwargs.setdefault("db_default", "")
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        from .collation import name_sort_key

        value = name_sort_key(model_instance.name)
        setattr(model_instance, self.attname, value)
        return value


class SpeakerQuerySet(models.QuerySet):
    def public(self, *, now=None):
        """Speakers heard or credited in at least one public report.

        One EXISTS over the two ways in (UNION ALL), probed per speaker through the
        segment's speaker index and the report's correspondent index. Two EXISTS
        joined by OR instead made PostgreSQL hash every public report's segments
        before returning the first speaker (2.2 s for the speakers page at 1,000,000
        reports): it cannot turn an OR into semi-joins, and a UNION is not hashed.
        """
        now = now or timezone.now()
        heard = Segment.objects.filter(speaker=OuterRef("pk"))
        heard = heard.filter(public_report_exists("report_id", now=now)).values("pk")
        credited = Report.objects.filter(correspondent=OuterRef("pk"))
        credited = credited.filter(public_report_q(now=now)).values("pk")
        return self.filter(Exists(heard.union(credited, all=True)))


class Speaker(NamedBySlug, ValueRules, models.Model):
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
    sort_name = NameSortKeyField(help_text="The name as it sorts: accents folded (Łukasz as L).")
    authority_id = models.CharField(
        "Wikidata id",
        max_length=20,
        blank=True,
        default="",
        db_default="",  # rows inserted by raw SQL (benchmarks) have none
        help_text="The person's Wikidata identifier, such as Q42, where one is known.",
    )
    initial_key = InitialKeyField(
        help_text="Initial and surname, folded: Ł. Wójtowski as l wojtowski."
    )
    abbreviated_name = AbbreviatedNameField(help_text="Whether the name gives an initial alone.")

    objects = SlugNaturalKeyManager.from_queryset(SpeakerQuerySet)()

    value_checks = {"authority_id": [check_wikidata_id]}

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["slug"], name="speaker_slug_unique")]
        indexes = [
            models.Index(fields=["sort_name", "name", "id"], name="speaker_sort_name_idx"),
            models.Index(
                fields=["initial_key", "abbreviated_name"], name="speaker_initial_key_idx"
            ),
        ]

    def get_absolute_url(self):
        return reverse("archive:speaker_detail", kwargs={"slug": self.slug})

    @property
    def authority_url(self):
        return WIKIDATA_URL.format(self.authority_id) if self.authority_id else ""


class ReportQuerySet(models.QuerySet):
    def public(self, *, now=None):
        return self.filter(public_report_q(now=now))

    def gone(self):
        """Withdrawn reports that were public once: they answer 410 with their notice.

        One withdrawn before it was ever public answers 404, like a draft.
        """
        return self.filter(status=ReportStatus.WITHDRAWN, first_public_at__isnull=False)

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


def desk_user(**options):
    """A user the desk records on a report: not in its form, kept empty when they are deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        **options,
    )


class Report(ValueRules, models.Model):
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
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        help_text="The show that aired the report.",
    )
    aired_on = models.DateField(
        "air date", null=True, blank=True, help_text="The day of the broadcast, as broadcast."
    )
    aired_time = models.TimeField(
        "air time",
        null=True,
        blank=True,
        help_text="The local time of the broadcast, where known; empty when only the day is.",
    )
    aired_utc_offset = models.SmallIntegerField(
        "UTC offset (minutes)",
        null=True,
        blank=True,
        help_text="The air time's offset from UTC in minutes (480 for +08:00), where known.",
    )
    language = models.CharField(
        max_length=35,
        default=default_language,
        help_text="What the report is spoken in, as a BCP 47 tag (en, en-US, zh-Hans).",
    )
    source_url = models.URLField(
        "source URL",
        max_length=1000,
        blank=True,
        validators=[web_url_validator],
        help_text="Where the transcript came from.",
    )
    media_url = models.URLField(
        "media URL",
        max_length=1000,
        blank=True,
        validators=[web_url_validator],
        help_text="The recording: an audio or video file, or a page that plays it.",
    )
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
    first_public_at = models.DateTimeField(
        "first public at",
        null=True,
        blank=True,
        editable=False,
        help_text="Recorded on the first save after the report was public. Withdrawn, "
        "a report that never was answers 404, not 410 with its notice.",
    )
    source_name = models.CharField(
        max_length=500, blank=True, help_text="The file the report was imported from."
    )
    source_path = models.TextField(
        blank=True,
        default="",
        db_default="",
        help_text="Where that file was (its full path) when it was last imported.",
    )
    source_text = models.TextField(blank=True)
    source_checksum = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The desk's bookkeeping (archive/admin/home/): whose draft it is, and the
    # last note it was sent to review or sent back with. Earlier notes live in
    # the report's revisions, whose comments carry them.
    created_by = desk_user(
        help_text="Who made the report at the desk (by hand or by upload); empty for the shell."
    )
    review_note = models.TextField(
        blank=True,
        default="",
        db_default="",
        editable=False,
        help_text="The note of the last move to review or back.",
    )
    review_note_by = desk_user()
    review_note_to = desk_user(help_text="Who the report was sent back to, for their desk home.")

    objects = ReportManager()
    value_checks = {"published_at": [check_publication_time], "duration": [check_duration]}

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
            # A time needs its day, an offset its time: nothing is stored that was not known.
            models.CheckConstraint(
                condition=Q(aired_time__isnull=True) | Q(aired_on__isnull=False),
                name="report_air_time_has_day",
            ),
            models.CheckConstraint(
                condition=Q(aired_utc_offset__isnull=True)
                | (
                    Q(aired_time__isnull=False)
                    & Q(aired_utc_offset__gte=-18 * 60)
                    & Q(aired_utc_offset__lte=18 * 60)
                ),
                name="report_air_offset_has_time",
            ),
        ]
        indexes = [
            # The importer looks up each batch's files by name.
            models.Index(fields=["source_name"], name="report_source_name_idx"),
            # Every public list orders (and filters by year or date range) on the air
            # date, falling back to the publication day. It replaced an index on
            # (status, -published_at): SQLite without statistics preferred that one's
            # range on published_at and sorted every public report instead.
            models.Index(
                "status",
                BroadcastDate().desc(),
                models.F("id").desc(),
                name="report_aired_order_idx",
            ),
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
        if self.pk is not None and self.first_public_at is None:
            stored = Report.objects.filter(pk=self.pk).only(
                "status", "published_at", "first_public_at"
            )
            self.remember_public(stored.first())
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and self.first_public_at is not None:
                kwargs["update_fields"] = {*update_fields, "first_public_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("archive:report_detail", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = [
        "archive.organization",
        "archive.speaker",
        "archive.topic",
        "archive.programme",
    ]

    @property
    def is_public(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and EARLIEST_PUBLICATION <= self.published_at <= timezone.now()
        )

    def remember_public(self, stored):
        """Before ``stored`` (this report as the database holds it) changes: was it public?

        A scheduled report goes public by itself, with no write, so the first
        moment it can be recorded is its next save: if it is public then, it
        has been since its publication time. Only a report recorded so answers
        410 once withdrawn (``Report.objects.gone()``).
        """
        if stored is None:
            return
        if stored.first_public_at is not None:
            self.first_public_at = stored.first_public_at
        elif stored.is_public:
            self.first_public_at = stored.published_at

    @property
    def aired_at(self):
        """The broadcast as known: a date, a naive datetime, or an aware one; None if unknown."""
        return combine_air_time(self.aired_on, self.aired_time, self.aired_utc_offset)

    @aired_at.setter
    def aired_at(self, value):
        self.aired_on, self.aired_time, self.aired_utc_offset = split_air_time(value)

    @property
    def cited_date(self):
        """(day, says_aired): the air date, or the archive's publication day where unknown."""
        if self.aired_on:
            return self.aired_on, True
        if self.published_at:
            return self.published_at.astimezone(datetime.UTC).date(), False
        return None, False


def combine_air_time(day, time=None, offset_minutes=None):
    if day is None:
        return None
    if time is None:
        return day
    zone = None
    if offset_minutes is not None:
        zone = datetime.timezone(datetime.timedelta(minutes=offset_minutes))
    return datetime.datetime.combine(day, time, tzinfo=zone)


def split_air_time(value):
    """A date, or a datetime (naive: local time with no zone known) → the three fields."""
    if value is None:
        return None, None, None
    if not isinstance(value, datetime.datetime):
        return value, None, None
    offset = value.utcoffset()
    minutes = None if offset is None else int(offset.total_seconds() // 60)
    return value.date(), value.time().replace(tzinfo=None), minutes


class CorrectionQuerySet(models.QuerySet):
    def public(self, *, now=None):
        return self.filter(public_report_q("report__", now=now))


class CorrectionManager(models.Manager.from_queryset(CorrectionQuerySet)):
    def get_by_natural_key(self, report_slug, corrected_on, what_was_wrong):
        return self.get(
            report__slug=report_slug, corrected_on=corrected_on, what_was_wrong=what_was_wrong
        )


class Correction(ValueRules, models.Model):
    """One entry of a report's corrections log; public exactly when its report is."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="corrections")
    corrected_on = models.DateField("date", default=datetime.date.today)
    what_was_wrong = models.TextField(help_text="What the report said that was wrong.")
    what_changed = models.TextField(blank=True, help_text="What was changed to correct it.")

    objects = CorrectionManager()

    class Meta:
        ordering = ["report", "corrected_on", "pk"]

    def __str__(self):
        return f"{self.report} · corrected {self.corrected_on:%Y-%m-%d}"

    def get_absolute_url(self):
        return f"{self.report.get_absolute_url()}#corrections"

    def natural_key(self):
        return (*self.report.natural_key(), self.corrected_on.isoformat(), self.what_was_wrong)

    natural_key.dependencies = ["archive.report"]


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


class Segment(ValueRules, models.Model):
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

    def time_order_error(self):
        """Why this segment's start time is out of order with the stored segments; None if not.

        For a segment edited alone (its own admin page, the shell). The report's
        segment inline checks the whole new order at once instead, since its rows
        may move and change times together.
        """
        if self.report_id is None or self.start_seconds is None or self.position is None:
            return None
        others = Segment.objects.filter(report_id=self.report_id, start_seconds__isnull=False)
        others = others.exclude(pk=self.pk)
        before = others.filter(position__lt=self.position, start_seconds__gt=self.start_seconds)
        after = others.filter(position__gt=self.position, start_seconds__lt=self.start_seconds)
        if before.exists() or after.exists():
            return "Times grow with position: this start time is out of order."
        return None

    def recheck_quotes(self):
        """Flag (or clear) quotes of this segment against its current text."""
        for quote in self.quotes.all():
            matches = quote_matches(quote.text, self.text)
            if matches != quote.matches_source:
                quote.matches_source = matches
                quote.save(update_fields=["matches_source"])


class TextKey(Func):
    """A long text as a unique index can hold it: its MD5 on PostgreSQL, itself on SQLite.

    A PostgreSQL b-tree entry holds at most about 2.7 kB, and a quote may be a
    whole sound bite; SQLite has no such limit, and an index on a function of
    its own would break every tool that writes the file without that function.
    """

    function = "MD5"
    arity = 1
    output_field = models.TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])


def segment_time_error(segments):
    """The first place where start times go backwards, as a sentence; None when in order.

    ``segments`` are (position, start_seconds) pairs in position order; unknown
    times (None) are skipped. This is the cross-row rule "times grow with
    position where both are known": checked by the importer, the report's
    segment inline and ``Segment.clean`` with this message, and by the database
    (archive/segment_times.py) for whatever else writes segments.
    """
    last = None
    for position, start in segments:
        if start is None:
            continue
        if last is not None and start < last[1]:
            return (
                f"segment {position} starts at {start:g} s, before segment {last[0]} "
                f"({last[1]:g} s): times must grow with position"
            )
        last = (position, start)
    return None


class QuoteQuerySet(models.QuerySet):
    def public(self, *, now=None):
        return self.filter(public_report_q("segment__report__", now=now))


class QuoteManager(models.Manager.from_queryset(QuoteQuerySet)):
    def get_by_natural_key(self, report_slug, position, text):
        return self.get(segment__report__slug=report_slug, segment__position=position, text=text)


class Quote(ValueRules, models.Model):
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
        indexes = [
            models.Index(fields=["featured", "segment"], name="quote_featured_idx"),
            # The desk home counts the reports whose quotes no longer match.
            models.Index(
                fields=["segment"], condition=Q(matches_source=False), name="quote_mismatched_idx"
            ),
        ]
        constraints = [
            # The natural key (report, position, text) names one quote, so a backup
            # restores every quote: two identical excerpts of one segment are one quote.
            models.UniqueConstraint(
                F("segment"),
                TextKey("text"),
                name="quote_segment_text_unique",
                violation_error_message="This segment already has a quote with this text.",
            ),
        ]

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


class PendingChange(models.Model):
    """A change to a live report that waits for an editor (see ``archive.pending``).

    ``data`` is the report as the change leaves it and ``base`` the live report
    it was made against, each as the versions django-reversion would record
    (report, segments, quotes, corrections). One per author and report: a newer
    change by the same author replaces the older one.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="pending_changes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_changes"
    )
    created_at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)
    base = models.JSONField(help_text="The live report the change was made against.")
    data = models.JSONField(help_text="The report as the change leaves it.")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "author"], name="pending_one_per_author"),
        ]

    def __str__(self):
        return f"Pending change to “{self.report}” by {self.author}"


class EditingPresence(models.Model):
    """Someone has a report's change form open at the desk (archive/admin/presence.py).

    Kept in the database, not a per-process cache, so that every app server
    sees everyone; a row not seen for a minute is stale and is swept away.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField(help_text="When they opened the report.")
    seen_at = models.DateTimeField(db_index=True, help_text="Their page's last heartbeat.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "user"], name="presence_report_user_unique")
        ]

    def __str__(self):
        return f"{self.user} on {self.report_id} since {self.since:%H:%M}"


# Rows about this moment, not the archive: neither backed up nor edited at the desk.
TRANSIENT_MODELS = [EditingPresence]


# One identity per person (archive/identity/): aliases, merges, dismissed duplicates.
from .identity.models import DuplicateDismissal, SpeakerAlias, SpeakerMerge  # noqa: E402, F401
