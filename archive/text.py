"""Text rules shared by models, forms, importer and outputs.

What text the archive accepts (:func:`text_problem`, one rule for every way
in), how old rows that break it are made safe for output (:func:`for_output`),
slugs, quote matching and word-level differences (:func:`word_changes`).
"""

import re
from difflib import SequenceMatcher

from django.core.exceptions import ValidationError
from django.utils.text import slugify

# The archive stores only text that every output can carry unchanged (the RSS
# feed and the sitemap are XML 1.0; JSON, BibTeX and RIS readers follow):
# - no C0 control character but tab, line feed and carriage return (browsers
#   send CRLF from a textarea; the importer reads CR and CRLF as line breaks);
#   NUL never (PostgreSQL cannot store it);
# - no DEL and no C1 control character (the importer never accepted them);
# - no surrogate code point (a lone surrogate has no UTF-8 encoding);
# - no U+FFFE or U+FFFF (not characters: XML 1.0 forbids them).
FORBIDDEN_CHARACTER = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f"  # C0 but tab (09), line feed (0A), carriage return (0D)
    "\x7f-\x9f"  # DEL and C1
    "\ud800-\udfff\ufffe\uffff]"
)
REPLACEMENT_CHARACTER = "\ufffd"

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


def forbidden_character(value):
    """The first character of ``value`` the archive does not accept, as a match, or None."""
    return FORBIDDEN_CHARACTER.search(value)


def describe_forbidden(character):
    """Why ``character`` (one that :data:`FORBIDDEN_CHARACTER` matches) is refused.

    The character itself is never part of the message: it could break the very
    line or page that reports it.
    """
    code = f"U+{ord(character):04X}"
    if character == "\x00":
        return "holds a NUL character (U+0000)"
    if "\ud800" <= character <= "\udfff":
        return f"holds an unpaired surrogate ({code}), which is not a character"
    if character in "\ufffe\uffff":
        return f"holds {code}, which is not a character"
    return f"holds a control character ({code}); only tab and line breaks are allowed"


def text_problem(value):
    """Why the archive refuses ``value`` (a phrase to follow "the title"), or None."""
    match = forbidden_character(value)
    return describe_forbidden(match.group()) if match else None


def validate_text(value):
    """A form and model field validator for the archive's text rule.

    The message says where: most of these characters are invisible.
    """
    if isinstance(value, str) and (match := forbidden_character(value)):
        raise ValidationError(
            f"Character {match.start() + 1} is not allowed: "
            f"this text {describe_forbidden(match.group())}.",
            code="forbidden_character",
        )


def for_output(value):
    """``value`` with every character the rule forbids replaced by U+FFFD.

    For outputs that must not fail on rows stored before the rule existed
    (Django's RSS writer raises on control characters).
    """
    return FORBIDDEN_CHARACTER.sub(REPLACEMENT_CHARACTER, value) if value else value


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


def word_changes(before, after, *, split=str.split, join=" ".join):
    """The word-level difference from ``before`` to ``after``: [(kind, text)], kind
    "same", "removed" or "added". ``split`` cuts a text into its tokens (words
    between spaces by default) and ``join`` puts a run of them back together."""
    old, new = split(before), split(after)
    changes = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for operation, a1, a2, b1, b2 in matcher.get_opcodes():
        if operation == "equal":
            changes.append(("same", join(old[a1:a2])))
            continue
        if a2 > a1:
            changes.append(("removed", join(old[a1:a2])))
        if b2 > b1:
            changes.append(("added", join(new[b1:b2])))
    return changes
