"""Filters the public templates need: durations and quotes marked in place."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from ..citations import format_duration

register = template.Library()

_ELLIPSIS_RE = re.compile(r"\s*(?:\.\.\.|…)\s*")


@register.filter
def duration(value):
    """A timedelta as ``m:ss`` (or ``h:mm:ss``)."""
    return format_duration(value)


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
