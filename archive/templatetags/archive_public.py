"""Filters the public templates need: durations, air dates, timecodes, quotes marked in place."""

import json
import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from ..broadcast import media
from ..citations import format_duration, format_offset, long_aired

register = template.Library()

_ELLIPSIS_RE = re.compile(r"\s*(?:\.\.\.|…)\s*")


@register.filter
def duration(value):
    """A timedelta as ``m:ss`` (or ``h:mm:ss``)."""
    return format_duration(value)


@register.filter
def aired(report):
    """``<time>`` of the broadcast, as precise as it is known; "" when it is not."""
    value = report.aired_at
    if value is None:
        return ""
    return format_html('<time datetime="{}">{}</time>', media.aired_iso(value), long_aired(value))


@register.filter
def timecode(seconds):
    """Seconds into the broadcast as ``1:42``."""
    return format_offset(seconds)


@register.filter
def media_at(media_url, seconds):
    """The recording from ``seconds`` on: ``…/report.mp3#t=102.5``."""
    return media.at_time(media_url, seconds)


@register.filter
def iso_offset(seconds):
    return media.iso_duration(seconds)


_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def ld_json(value):
    """JSON for a ``<script type="application/ld+json">``: no text can close the element."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=False).translate(_JSON_SCRIPT_ESCAPES)
    return mark_safe(text)


def quote_spans(text, quotes):
    """(start, end, quote) for each excerpt of each quote found in ``text``, in order.

    An ellipsis joins excerpts that occur in order, so each excerpt is looked
    up after the previous one; a quote that no longer matches is not marked.
    """
    spans = []
    for quote in quotes:
        cursor = 0
        for excerpt in filter(None, (part.strip() for part in _ELLIPSIS_RE.split(quote.text))):
            start = text.find(excerpt, cursor)
            if start < 0:
                break
            spans.append((start, start + len(excerpt), quote))
            cursor = start + len(excerpt)
    spans.sort(key=lambda span: span[0])
    kept, end = [], -1
    for span in spans:
        if span[0] >= end:  # overlapping quotes: the first one wins
            kept.append(span)
            end = span[1]
    return kept


@register.simple_tag
def marked_text(text, quotes):
    """``text`` HTML-escaped, with each quote's excerpts wrapped in ``<mark>``."""
    out, last = [], 0
    for start, end, quote in quote_spans(text, quotes):
        out.append(escape(text[last:start]))
        mark = f'<mark class="quote" data-quote="{quote.pk}">{escape(text[start:end])}</mark>'
        out.append(f'<a class="quote-link" href="{escape(quote.get_absolute_url())}">{mark}</a>')
        last = end
    out.append(escape(text[last:]))
    return mark_safe("".join(out))
