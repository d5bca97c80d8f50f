"""The editor's actions on a report's transcript. Each keeps every quote matching.

They write only; the caller runs each inside one revision (views.py). Each
refuses with a ValidationError whose message an editor can act on, before
anything is written.
"""

from django.core.exceptions import ValidationError

from ... import curation
from ...models import Quote, Segment
from ...text import quote_matches
from .alignment import quote_spans


def line_breaks_as_browsers_send(text):
    """A textarea posts line breaks as CRLF and reports offsets in LF text: compare in LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _place(report_id, ordered):
    """Number ``ordered`` (every segment of the report, in the new order) 1..n."""
    curation.make_room(report_id)
    for position, segment in enumerate(ordered, start=1):
        segment.position = position
    Segment.objects.bulk_update(ordered, ["position"])


def _ordered_segments(report_id):
    return list(Segment.objects.filter(report_id=report_id).order_by("position", "pk"))


def _name(quote):
    return f"“{quote.text[:60]}”" + (" (featured)" if quote.featured else "")


def split_segment(segment, offset):
    """Cut ``segment`` at ``offset`` (a character of its text); returns the new second half.

    Both halves keep the kind, speaker and caption; the first keeps the start
    time, the second the end time. Each quote goes with the half that holds its
    words; a split through a quote's words is refused, naming the quote.
    """
    text = line_breaks_as_browsers_send(segment.text)
    first, second = text[:offset].rstrip(), text[offset:].lstrip()
    if not (0 < offset < len(text)) or not first or not second:
        raise ValidationError(
            f"Segment {segment.position} was not split: put the cursor between two words, "
            "not at its start or end."
        )
    quotes = list(segment.quotes.all())
    moving = []
    for quote in quotes:
        spans = quote_spans(quote.text, text)
        if spans is None:
            continue  # already flagged: it stays with the first half, flagged
        if spans[0][0] >= offset:
            moving.append(quote)
        elif spans[-1][1] > offset:
            raise ValidationError(
                f"Segment {segment.position} was not split: the cut would go through the quote "
                f"{_name(quote)}. Split before or after its words."
            )
    ordered = _ordered_segments(segment.report_id)
    top = max(s.position for s in ordered)
    new = Segment(
        report_id=segment.report_id,
        position=top + 1,
        kind=segment.kind,
        speaker_id=segment.speaker_id,
        speaker_title=segment.speaker_title,
        text=second,
        end_seconds=segment.end_seconds,
        speaker_basis=segment.speaker_basis,
        needs_review=segment.needs_review,
    )
    new.save()
    segment.text, segment.end_seconds = first, None
    segment.save()
    for quote in moving:
        quote.segment = new
        quote.save()
    index = next(i for i, s in enumerate(ordered) if s.pk == segment.pk)
    ordered.insert(index + 1, new)
    _place(segment.report_id, ordered)
    return new


def merge_into_previous(segment):
    """Append ``segment``'s text to the segment before it and delete it; returns the previous one.

    Its quotes move to the previous segment, where their words now are. Two
    segments with different speakers are not merged: one of the speakers
    would be lost.
    """
    previous = (
        Segment.objects.filter(report_id=segment.report_id, position__lt=segment.position)
        .order_by("-position")
        .first()
    )
    if previous is None:
        raise ValidationError(
            f"Segment {segment.position} is the first: there is none to merge into."
        )
    if previous.speaker_id and segment.speaker_id and previous.speaker_id != segment.speaker_id:
        raise ValidationError(
            f"Segments {previous.position} and {segment.position} have different speakers "
            f"({previous.speaker} and {segment.speaker}): give them the same speaker first."
        )
    quotes = list(segment.quotes.all())
    taken = set(previous.quotes.values_list("text", flat=True))
    for quote in quotes:
        if quote.text in taken:
            raise ValidationError(
                f"Segments {previous.position} and {segment.position} were not merged: both "
                f"have the quote {_name(quote)}. Remove one of them first."
            )
    previous.text = f"{previous.text.rstrip()} {segment.text.lstrip()}"
    if previous.speaker_id is None:
        previous.speaker_id, previous.speaker_title = segment.speaker_id, segment.speaker_title
    if segment.end_seconds is not None:
        previous.end_seconds = segment.end_seconds
    previous.needs_review = previous.needs_review or segment.needs_review
    previous.save()
    for quote in quotes:
        quote.segment = previous
        quote.save()
    segment.delete()
    curation.renumber(segment.report_id)
    return previous


def insert_segment(report, after_position, *, kind, text, speaker=None, speaker_title=""):
    """A new segment after the one at ``after_position`` (0: at the start); returns it."""
    ordered = _ordered_segments(report.pk)
    top = max((s.position for s in ordered), default=0)
    segment = Segment(
        report=report,
        position=top + 1,
        kind=kind,
        text=text.strip(),
        speaker=speaker,
        speaker_title=speaker_title,
    )
    _checked_save(segment, "Not inserted", exclude=["report", "position"])
    index = sum(1 for s in ordered if s.position <= after_position)
    ordered.insert(index, segment)
    _place(report.pk, ordered)
    return segment


def quote_words(segment, text):
    """A new quote of ``text`` from ``segment``, by the segment's speaker; returns it."""
    text = text.strip()
    where = f"Segment {segment.position}"
    if not text:
        raise ValidationError(f"{where}: select the words to quote first.")
    if segment.needs_review:
        raise ValidationError(
            f"{where} needs review: confirm or correct its speaker before quoting it."
        )
    if segment.speaker_id is None:
        raise ValidationError(f"{where} has no speaker: give it one before quoting it.")
    if not quote_matches(text, segment.text):
        raise ValidationError(f"{where}: “{text[:60]}” does not occur in it word for word.")
    return _checked_save(Quote(segment=segment, speaker_id=segment.speaker_id, text=text), where)


def update_quote(quote, text):
    """Give a flagged quote ``text`` (the segment's edit applied to it), checked as always."""
    quote.text = text
    return _checked_save(quote, "The quote was not updated")


def _checked_save(obj, refusal, **exclude):
    """Save ``obj`` once its model's rules pass; else refuse in one line that starts ``refusal``."""
    try:
        obj.full_clean(**exclude)
    except ValidationError as error:
        raise ValidationError(f"{refusal}: {' '.join(error.messages)}") from None
    obj.save()
    return obj
