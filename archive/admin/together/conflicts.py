"""A save refused because someone else saved in between: what they changed, beside yours.

The refused form comes back with everything the editor typed still in it
(Django re-renders the bound form and inlines) and with a fresh edit token, so
pressing Save again saves their version over the new one. Beside it, this
module lists what the other person changed since the form was opened: the
report as it was then is the revision recorded with that edit token
(django-reversion), compared field by field, and word by word for texts,
with the report, segments and quotes as they are now. Where no revision holds
the opened state (an import saved it), the list shows where the saved report
differs from the form instead.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.db import models
from django.utils.dateparse import parse_datetime
from reversion.models import Version

from ... import history
from ...models import Quote, Report, Segment
from ...text import word_changes as changes_by_token

# Texts longer than this (in words and spaces) are shown whole, not compared word by word.
LONGEST_WORD_DIFF = 4000
# How far back to look for the revision a form was opened on.
REVISIONS_SEARCHED = 50


@dataclass
class Change:
    record: str
    field: str
    before: str
    theirs: str
    yours: str | None = None
    # (kind, text) pieces from before to theirs: kind is "same", "removed" or "added".
    words: list = field(default_factory=list)
    clash: bool = False  # you changed this field too, differently


@dataclass
class Conflict:
    saved_by: str
    changes: list
    base_known: bool


def _fields(model):
    concrete = [f for f in model._meta.concrete_fields if f.editable and not f.primary_key]
    return [f for f in [*concrete, *model._meta.many_to_many] if f.attname not in history.IGNORED]


def _comparable(value):
    """One shape for a value read from a revision, the database or a form."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.QuerySet | list | tuple):
        return sorted(str(_comparable(v)) for v in value)
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=0)  # revisions keep milliseconds, forms seconds
    return value


def _row(obj):
    values = {f.attname: getattr(obj, f.attname) for f in _fields(type(obj)) if not f.many_to_many}
    for m2m in type(obj)._meta.many_to_many:
        values[m2m.attname] = list(getattr(obj, m2m.attname).values_list("pk", flat=True))
    return {name: _comparable(value) for name, value in values.items()}


def _now(report):
    """The report with its segments and quotes as saved now: {(model, pk): field values}."""
    report = Report.objects.get(pk=report.pk)
    state = {(Report, report.pk): (str(report), _row(report))}
    for segment in Segment.objects.filter(report=report).select_related("speaker"):
        state[(Segment, segment.pk)] = (_segment_label(segment), _row(segment))
    for quote in Quote.objects.filter(segment__report=report).select_related("speaker"):
        state[(Quote, quote.pk)] = (f"Quote: {quote}", _row(quote))
    return state


def _segment_label(segment):
    who = f" — {segment.speaker}" if segment.speaker_id else ""
    return f"Segment {segment.position} ({segment.get_kind_display()}{who})"


def _opened(report, token):
    """The state the form was opened on, from the revision recorded with ``token``; or None."""
    opened_at = parse_datetime(token or "")
    if opened_at is None:
        return None
    versions = Version.objects.get_for_object(report).select_related("revision")
    for version in versions.order_by("-pk")[:REVISIONS_SEARCHED]:
        recorded = version.field_dict.get("updated_at")
        if recorded and abs(recorded - opened_at) < datetime.timedelta(milliseconds=1):
            return _revision_state(version.revision)
    return None


def _revision_state(revision):
    state = {}
    for version in revision.version_set.select_related("content_type"):
        model = version.content_type.model_class()
        if model in (Report, Segment, Quote):
            values = {
                f.attname: _comparable(version.field_dict.get(f.attname)) for f in _fields(model)
            }
            state[(model, int(version.object_id))] = (version.object_repr, values)
    return state


def _yours(form, formsets):
    """{(model, pk): {attname: value}} from the refused form and its inline rows."""
    yours = {(Report, form.instance.pk): _form_values(Report, form)}
    for formset in formsets:
        if formset.model not in (Segment, Quote):
            continue
        for row in formset.forms:
            data = getattr(row, "cleaned_data", None) or {}
            instance = data.get("id")
            if instance is not None and not data.get("DELETE"):
                yours[(formset.model, instance.pk)] = _form_values(formset.model, row)
    return yours


def _form_values(model, form):
    data = getattr(form, "cleaned_data", None) or {}
    return {f.attname: _comparable(data[f.name]) for f in _fields(model) if f.name in data}


def _shown(model_field, value):
    if value is None or value == "" or value == []:
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if model_field.many_to_many or model_field.is_relation:
        ids = value if isinstance(value, list) else [value]
        related = model_field.related_model._default_manager.filter(pk__in=ids)
        return ", ".join(sorted(str(obj) for obj in related)) or "—"
    return str(value)


def _words(text):
    """Words, runs of punctuation and runs of space: "came." and "came from" share "came"."""
    return re.findall(r"\w+|\s+|[^\w\s]+", text)


def word_changes(before, after):
    """(kind, text) pieces turning ``before`` into ``after``, word by word."""
    if len(_words(before)) + len(_words(after)) > LONGEST_WORD_DIFF:
        return [("removed", before), ("added", after)]
    return changes_by_token(before, after, split=_words, join="".join)


def their_changes(report, opened_token, saved_by, form, formsets):
    """What changed in ``report`` since the refused form was opened, beside the form's values."""
    now = _now(report)
    opened = _opened(report, opened_token)
    yours = _yours(form, formsets)
    if opened is None:
        base = {key: (label, yours.get(key, {})) for key, (label, _values) in now.items()}
    else:
        base = opened
    changes = []
    for key in sorted({*base, *now}, key=_page_order(now, base)):
        model = key[0]
        if key not in now:
            changes.append(Change(base[key][0], "(whole record)", "present", "deleted"))
            continue
        label, current = now[key]
        if key not in base:
            changes.append(Change(label, "(whole record)", "—", "added"))
            continue
        before, mine = base[key][1], yours.get(key, {})
        for model_field in _fields(model):
            name = model_field.attname
            if name not in before or before[name] == current[name]:
                continue
            change = Change(
                label,
                model_field.verbose_name,
                _shown(model_field, before[name]),
                _shown(model_field, current[name]),
            )
            if name in mine:
                change.yours = _shown(model_field, mine[name])
                change.clash = mine[name] not in (before[name], current[name])
            if isinstance(before[name], str) and isinstance(current[name], str):
                change.words = word_changes(before[name], current[name])
            changes.append(change)
    return Conflict(saved_by=saved_by, changes=changes, base_known=opened is not None)


def _page_order(now, base):
    order = {Report: 0, Segment: 1, Quote: 2}

    def key(item):
        model, pk = item
        values = (now.get(item) or base.get(item))[1]
        return order[model], values.get("position") or 0, pk

    return key
