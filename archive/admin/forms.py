"""Forms behind the report change page: publication rules and lost-edit protection."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet, BaseModelFormSet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy

from .. import history, workflow
from ..models import (
    Quote,
    Report,
    Segment,
    SpeakerBasis,
    check_publication_time,
    segment_time_error,
)
from ..text import validate_text


def edit_token(updated_at):
    return updated_at.isoformat() if updated_at else ""


def time_zone_note():
    return f"Times are in {timezone.get_current_timezone_name()} (the site's time zone)."


OPEN_AGAIN = "open the report again to see them, then make your changes again."


def refuse_stale_edit(current, token, *, next_step=OPEN_AGAIN):
    """Refuse a save from a form opened before ``current`` (a Report) last changed."""
    if current is None or token == edit_token(current.updated_at):
        return
    user = history.last_saved_by(current)
    who = (user.get_full_name() or user.get_username()) if user else "Someone (an import?)"
    when = date_format(timezone.localtime(current.updated_at), "j M Y, H:i:s")
    error = ValidationError(
        f"{who} saved this report at {when} ({timezone.get_current_timezone_name()}) "
        f"after you opened it. Your changes were NOT saved, so theirs are not lost: {next_step}",
        code="stale",
    )
    error.saved_by = who
    raise error


class ReportPartForm(forms.ModelForm):
    """A segment or quote on its own page, guarded like the report's own form.

    Any change to the report, its segments or its quotes marks the report
    changed (curation.touch_report), so the report's updated_at is the token.
    """

    edit_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        report = self.report_of(self.instance) if self.instance.pk else None
        self.fields["edit_token"].initial = edit_token(report.updated_at) if report else ""

    def report_of(self, instance):
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            report_id = self.report_of(self.instance).pk
            current = Report.objects.select_for_update().filter(pk=report_id).first()
            refuse_stale_edit(current, cleaned.get("edit_token"))
        return cleaned


class SpeakerReviewForm(forms.ModelForm):
    """Clears a segment's needs-review mark once an editor confirms or fixes its speaker."""

    speaker_confirmed = forms.BooleanField(
        required=False,
        help_text="Tick when you have checked the speaker the importer was unsure of.",
    )

    def save(self, commit=True):
        segment = super().save(commit=False)
        fixed = {"speaker", "speaker_title"} & set(self.changed_data)
        if fixed or self.cleaned_data.get("speaker_confirmed"):
            segment.needs_review = False
            segment.speaker_basis = SpeakerBasis.EDITOR
        if commit:
            segment.save()
            self.save_m2m()
        return segment


class SegmentPartForm(SpeakerReviewForm, ReportPartForm):
    def report_of(self, segment):
        return segment.report

    def _post_clean(self):
        super()._post_clean()  # the instance now holds the edited values
        if error := self.instance.time_order_error():
            self.add_error("start_seconds" if "start_seconds" in self.fields else None, error)


class QuotePartForm(ReportPartForm):
    def report_of(self, quote):
        return quote.segment.report


def https_by_default(field, **kwargs):
    """Form fields as Django 6 makes them: a URL typed without a scheme means https."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class ReportAdminForm(forms.ModelForm):
    # The report's updated_at when the form was opened; a save from a stale
    # form is refused instead of overwriting someone else's work.
    edit_token = forms.CharField(widget=forms.HiddenInput, required=False)
    user = None  # set per request by ReportAdmin.get_form

    class Meta:
        model = Report
        fields = ["title", "slug", "outlet", "correspondent", "dateline", "duration", "topics",
                  "status", "published_at", "withdrawal_reason", "source_name",
                  "source_text", "source_checksum",
                  "programme", "aired_on", "aired_time", "aired_utc_offset", "language",
                  "source_url", "media_url"]  # fmt: skip
        formfield_callback = https_by_default

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["edit_token"].initial = edit_token(self.instance.updated_at)
        status = self.fields.get("status")
        if status is not None and not workflow.can_publish(self.user):
            status.choices = [c for c in status.choices if c[0] in workflow.UNPUBLISHED]
        if "published_at" in self.fields:
            field = self.fields["published_at"]
            field.help_text = f"{field.help_text} Empty with “Published” means now. "
            field.help_text += time_zone_note()

    def clean(self):
        cleaned = super().clean()
        current = None
        if self.instance.pk:
            # Locked until this save commits: two saves cannot both pass the check.
            current = Report.objects.select_for_update().filter(pk=self.instance.pk).first()
            self.refuse_stale_edit_keeping_changes(current)
        before = workflow.PublicationState.of(current)
        after = workflow.PublicationState.from_fields({**vars(before), **cleaned})
        try:
            workflow.check_change(self.user, before, after)
        except PermissionDenied as refusal:
            raise ValidationError(str(refusal)) from None
        workflow.check_publishable(current, before, after)
        if "published_at" in self.fields:
            cleaned["published_at"] = workflow.complete(after).published_at
        elif after.status == Report.Status.WITHDRAWN:
            workflow.complete(after)
        return cleaned

    # Read by archive/admin/together when it renders a refused form.
    refused_over = None  # the edit token the refused form was opened with
    refused_by = None  # who saved in between

    def refuse_stale_edit_keeping_changes(self, current):
        """Refuse a stale save; the form comes back as typed, with a token for the new version.

        Saving that form again saves the editor's version over the other
        person's (what they changed is listed beside it); a third save in
        between is refused again.
        """
        token = self.cleaned_data.get("edit_token")
        try:
            refuse_stale_edit(current, token, next_step=KEPT_IN_THE_FORM)
        except ValidationError as refusal:
            self.refused_over, self.refused_by = token, refusal.saved_by
            self.data = self.data.copy()
            self.data[self.add_prefix("edit_token")] = edit_token(current.updated_at)
            raise


KEPT_IN_THE_FORM = (
    "your changes are still in the form below, and what they changed is listed above it. "
    "Save again to save your version over theirs."
)


class SegmentInlineForm(SpeakerReviewForm):
    """A segment row; ``order`` is a sort key, renumbered 1..n when saved."""

    order = forms.IntegerField(
        min_value=0,
        required=False,
        widget=forms.NumberInput(attrs={"class": "segment-order"}),  # width: desk.css (CSP)
        help_text="Drag the row, or type a number: gaps are fine, rows are renumbered on save.",
    )

    class Meta:
        model = Segment
        fields = ["kind", "speaker", "speaker_title", "text", "start_seconds", "end_seconds"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "cols": 60})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].initial = self.instance.position


class SegmentInlineFormSet(BaseInlineFormSet):
    """Refuses start times that go backwards in the order the rows will be saved in."""

    def clean(self):
        super().clean()
        rows = [
            (form.cleaned_data.get("order"), index, form.cleaned_data.get("start_seconds"))
            for index, form in enumerate(self.forms)
            if form.cleaned_data and form not in self.deleted_forms
        ]
        rows.sort(key=lambda row: (float("inf") if row[0] is None else row[0], row[1]))
        error = segment_time_error(
            (position, start) for position, (_order, _index, start) in enumerate(rows, 1)
        )
        if error:
            raise ValidationError(error[0].upper() + error[1:] + ".")


class ReportQuoteFormSet(BaseModelFormSet):
    """The quotes of every segment of a report, edited on the report's page.

    Quote has no foreign key to Report (it hangs off a segment), so this is a
    model formset that takes the report as ``instance`` like an inline one.
    """

    def __init__(self, data=None, files=None, instance=None, save_as_new=False, prefix=None,
                 queryset=None, **kwargs):  # fmt: skip
        self.instance = instance if instance is not None else Report()
        queryset = Quote.objects.all() if queryset is None else queryset
        if self.instance.pk is None:
            queryset = queryset.none()
        else:
            queryset = queryset.filter(segment__report=self.instance).select_related("segment")
        super().__init__(data, files, prefix=prefix, queryset=queryset, **kwargs)

    @classmethod
    def get_default_prefix(cls):
        return "quotes"

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "segment" in form.fields:
            field = form.fields["segment"]
            field.queryset = Segment.objects.filter(report=self.instance.pk).select_related(
                "speaker"
            )
            field.label_from_instance = segment_label

    def clean(self):
        # One quote of a text per segment: each form checks the database, not its siblings.
        super().clean()
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or (self.can_delete and self._should_delete_form(form)):
                continue
            key = (data.get("segment"), data.get("text"))
            if key in seen:
                form.add_error("text", "This segment already has a quote with this text.")
            seen.add(key)

    def save_existing(self, form, obj, commit=True):
        # Match against the segment as saved a moment ago, not as first loaded.
        obj.segment.refresh_from_db(fields=["text"])
        return super().save_existing(form, obj, commit)

    def save_new(self, form, commit=True):
        form.instance.segment.refresh_from_db(fields=["text"])
        return super().save_new(form, commit)


def segment_label(segment):
    who = f" — {segment.speaker}" if segment.speaker_id else ""
    return f"{segment.position}. {segment.get_kind_display()}{who}"


class ScheduleForm(forms.Form):
    published_at = forms.DateTimeField(label="Publish at", help_text=lazy(time_zone_note, str)())

    def clean_published_at(self):
        value = self.cleaned_data["published_at"]
        check_publication_time(value)
        if value <= timezone.now():
            raise ValidationError("A scheduled time must be in the future.")
        return value


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown to readers on the report's page.",
        validators=[validate_text],
    )
