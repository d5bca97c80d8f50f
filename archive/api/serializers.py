"""The API's resources. Fields are listed once per resource; a new model field is one line."""

from django.db import models
from rest_framework import serializers

from ..models import Organization, Quote, Report, Segment, Speaker, Topic

# The report's provenance: when it aired (the day; the local time and UTC offset
# only where known), on what programme, in what language, from where.
REPORT_PROVENANCE_FIELDS = (
    "aired_on",
    "aired_time",
    "aired_utc_offset",
    "programme",
    "language",
    "source_url",
    "media_url",
)


class ModelSerializer(serializers.ModelSerializer):
    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if isinstance(model_field, models.SlugField):
            # Slugs hold any letter ("kivelä-иванова"): the model's validator would
            # publish the pattern ^[-\w]+$, which JSON Schema reads as ASCII only.
            kwargs.pop("validators", None)
            kwargs.pop("allow_unicode", None)
            field_class = serializers.CharField
        return field_class, kwargs


class OrganizationRefSerializer(ModelSerializer):
    class Meta:
        model = Organization
        fields = ["slug", "name"]


class SpeakerRefSerializer(ModelSerializer):
    class Meta:
        model = Speaker
        fields = ["slug", "name"]


class TopicSerializer(ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Topic
        fields = ["slug", "name", "url"]

    def get_url(self, topic) -> str:
        return self.context["request"].build_absolute_uri(topic.get_absolute_url())


class TopicCountSerializer(TopicSerializer):
    report_count = serializers.IntegerField(read_only=True)

    class Meta(TopicSerializer.Meta):
        fields = [*TopicSerializer.Meta.fields, "report_count"]


class OrganizationSerializer(ModelSerializer):
    class Meta:
        model = Organization
        fields = ["slug", "name"]


class SpeakerSerializer(ModelSerializer):
    organization = OrganizationRefSerializer(allow_null=True)
    url = serializers.SerializerMethodField()
    authority_url = serializers.SerializerMethodField()

    class Meta:
        model = Speaker
        fields = ["slug", "name", "role", "organization", "url", "authority_id", "authority_url"]

    def get_url(self, speaker) -> str:
        return self.context["request"].build_absolute_uri(speaker.get_absolute_url())

    def get_authority_url(self, speaker) -> str | None:
        """The Wikidata page of the person, where their identifier is known."""
        return speaker.authority_url or None


class AppearanceSerializer(ModelSerializer):
    """One segment a speaker is heard in, with the caption as broadcast then."""

    report = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    report_title = serializers.CharField(source="report.title")
    published_at = serializers.DateTimeField(source="report.published_at")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Segment
        fields = ["report", "report_title", "published_at", "position", "kind", "speaker_title"]
        fields += ["url"]

    def get_url(self, segment) -> str:
        return self.context["request"].build_absolute_uri(segment.get_absolute_url())


class SpeakerDetailSerializer(SpeakerSerializer):
    appearances = AppearanceSerializer(many=True, source="public_appearances")

    class Meta(SpeakerSerializer.Meta):
        fields = [*SpeakerSerializer.Meta.fields, "appearances"]


class SegmentInReportSerializer(ModelSerializer):
    speaker = SpeakerRefSerializer(allow_null=True)

    class Meta:
        model = Segment
        fields = ["id", "position", "kind", "speaker", "speaker_title", "text"]
        fields += ["start_seconds", "end_seconds"]


class SegmentSerializer(SegmentInReportSerializer):
    report = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta(SegmentInReportSerializer.Meta):
        fields = ["id", "report", *SegmentInReportSerializer.Meta.fields[1:], "url"]

    def get_url(self, segment) -> str:
        return self.context["request"].build_absolute_uri(segment.get_absolute_url())


class ReportSerializer(ModelSerializer):
    outlet = OrganizationRefSerializer(allow_null=True)
    correspondent = SpeakerRefSerializer(allow_null=True)
    topics = TopicSerializer(many=True)
    programme = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    duration_seconds = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = ["slug", "title", "outlet", "correspondent", "dateline", "duration_seconds"]
        fields += ["published_at", "updated_at", "topics", "url"]
        fields += list(REPORT_PROVENANCE_FIELDS)

    def get_duration_seconds(self, report) -> int | None:
        return int(report.duration.total_seconds()) if report.duration else None

    def get_url(self, report) -> str:
        return self.context["request"].build_absolute_uri(report.get_absolute_url())


class ReportDetailSerializer(ReportSerializer):
    segments = SegmentInReportSerializer(many=True)

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "segments"]


class QuoteSerializer(ModelSerializer):
    speaker = SpeakerRefSerializer()
    speaker_title = serializers.CharField(source="segment.speaker_title")
    report = serializers.SlugRelatedField(
        source="segment.report", slug_field="slug", read_only=True
    )
    position = serializers.IntegerField(source="segment.position")
    published_at = serializers.DateTimeField(source="segment.report.published_at")
    url = serializers.SerializerMethodField()
    passage_url = serializers.SerializerMethodField()

    class Meta:
        model = Quote
        fields = ["id", "text", "speaker", "speaker_title", "report", "position", "published_at"]
        fields += ["featured", "url", "passage_url"]

    def get_url(self, quote) -> str:
        return self.context["request"].build_absolute_uri(quote.get_absolute_url())

    def get_passage_url(self, quote) -> str:
        return self.context["request"].build_absolute_uri(quote.segment.get_absolute_url())


class SearchHitSerializer(serializers.Serializer):
    report = ReportSerializer()
    segment = SegmentInReportSerializer(allow_null=True)
    score = serializers.FloatField()
    passage_url = serializers.CharField()


class SearchResultsSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Matching reports (capped, see count_is_exact).")
    count_is_exact = serializers.BooleanField()
    people = SpeakerSerializer(many=True)
    results = SearchHitSerializer(many=True)
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
