"""Text rules shared by models, importer and search: slugs and quote matching."""

import re

from django.utils.text import slugify

ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…)\s*")
WHITESPACE = re.compile(r"\s+")
# Editors paste quotes from documents that use typographic marks; the
# transcript may use straight ones, or the other way round.
QUOTE_MARKS = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "`": "'",
    }
)


def normalize_for_matching(text):
    return WHITESPACE.sub(" ", text.translate(QUOTE_MARKS)).strip()


def quote_matches(quote_text, source_text):
    """Whether a quote occurs word for word in its source.

    An ellipsis may join excerpts that occur in order; white space and
    straight versus curly quotation marks are not significant.
    """
    source = normalize_for_matching(source_text)
    excerpts = [normalize_for_matching(part) for part in ELLIPSIS.split(quote_text) if part.strip()]
    if not excerpts:
        return False
    position = 0
    for excerpt in excerpts:
        found = source.find(excerpt, position)
        if found < 0:
            return False
        position = found + len(excerpt)
    return True


def unique_slug(model, value, *, max_length=200, exclude_pk=None):
    """A slug for ``value`` that no other row of ``model`` holds yet."""
    base = (slugify(value, allow_unicode=True) or "item")[: max_length - 8].strip("-") or "item"
    candidate, counter = base, 2
    queryset = model._default_manager.all()
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    while queryset.filter(slug=candidate).exists():
        candidate = f"{base}-{counter}"
        counter += 1
    return candidate
