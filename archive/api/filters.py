"""The lists' query parameters: the public pages' filters, plus date ranges and kind.

Each list declares the parameters it takes as a serializer, so the OpenAPI
document and the validation (a bad value is a 400 problem, never ignored
silently as a typo would be) come from one definition.
"""

from rest_framework import serializers

from ..models import SegmentKind
from ..views import SLUG_RE, ReportFilters


class SlugParam(serializers.RegexField):
    def __init__(self, help_text, **kwargs):
        super().__init__(SLUG_RE.pattern, max_length=200, required=False, help_text=help_text)


class QueryText(serializers.CharField):
    """The reader's words: any text; a NUL byte is a separator, as on the search page."""

    def to_internal_value(self, data):
        return super().to_internal_value(str(data).replace("\x00", " "))


class ReportParams(serializers.Serializer):
    topic = SlugParam("Only reports with this topic (its slug).")
    outlet = SlugParam("Only reports aired by this outlet (its slug).")
    speaker = SlugParam("Only reports where this speaker is heard or is the correspondent.")
    year = serializers.IntegerField(
        required=False,
        min_value=1900,
        max_value=2999,
        help_text="Year it aired (published, where the air date is unknown).",
    )
    date_from = serializers.DateField(
        required=False,
        help_text="Aired on or after this day (published, where the air date is unknown).",
    )
    date_to = serializers.DateField(
        required=False,
        help_text="Aired on or before this day (published, where the air date is unknown).",
    )

    def report_filters(self):
        data = self.validated_data
        names = {"topic": "topic", "outlet": "outlet", "speaker": "speaker", "year": "year"}
        names |= {"date_from": "aired_from", "date_to": "aired_to"}
        return ReportFilters(**{names[key]: value for key, value in data.items() if key in names})


class SegmentParams(ReportParams):
    kind = serializers.ChoiceField(
        choices=SegmentKind.choices, required=False, help_text="Only segments of this kind."
    )
    report = SlugParam("Only segments of this report (its slug).")


class QuoteParams(SegmentParams):
    # default=None: DRF would read a missing boolean from a query string as false.
    featured = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="Featured quotes, or the others."
    )


class SearchParams(ReportParams):
    q = QueryText(max_length=500, help_text='Words, "phrases" and prefix* terms.')
    kind = serializers.ChoiceField(
        choices=SegmentKind.choices, required=False, help_text="Only passages of this kind."
    )
    sort = serializers.ChoiceField(
        choices=[("relevance", "relevance"), ("date", "newest first")],
        required=False,
        default="relevance",
    )
    page = serializers.IntegerField(required=False, min_value=1, max_value=500, default=1)


def validated(params_class, request):
    params = params_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params
