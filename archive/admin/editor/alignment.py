"""Where a quote's words sit in its segment, and how a flagged quote differs from it now.

Matching follows ``archive.text.quote_matches`` (white space and curly versus
straight quotation marks are not significant; an ellipsis joins excerpts in
order), but answers with character spans of the segment's own text, so the
editor can move a quote with the half of a split that holds it and mark the
quoted words.
"""

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from ...text import ELLIPSIS, QUOTE_MARKS, normalize_for_matching, quote_matches, word_changes

# A word for aligning: letters and digits with the apostrophes and hyphens inside them, so
# "here." and "here" are the same word and a stretch ends where its last word does.
WORD = re.compile(r"\w+(?:['’-]\w+)*")


def _normalized_with_offsets(text):
    """``normalize_for_matching(text)`` and, for each of its characters, its index in ``text``."""
    characters, offsets = [], []
    pending_space = False
    for index, character in enumerate(text.translate(QUOTE_MARKS)):
        if character.isspace():
            pending_space = bool(characters)
            continue
        if pending_space:
            characters.append(" ")
            offsets.append(index - 1)
            pending_space = False
        characters.append(character)
        offsets.append(index)
    return "".join(characters), offsets


def excerpts_of(quote_text):
    return [part for part in ELLIPSIS.split(quote_text) if part.strip()]


def quote_spans(quote_text, source_text):
    """The (start, end) spans of ``source_text`` that the quote's excerpts occupy, or None."""
    source, offsets = _normalized_with_offsets(source_text)
    spans, position = [], 0
    excerpts = [normalize_for_matching(part) for part in excerpts_of(quote_text)]
    if not excerpts:
        return None
    for excerpt in excerpts:
        found = source.find(excerpt, position)
        if found < 0:
            return None
        end = found + len(excerpt)
        spans.append((offsets[found], offsets[end - 1] + 1))
        position = end
    return spans


def offset_of_words(words, text):
    """The offset in ``text`` where ``words`` begin, if they occur exactly once; else ValueError."""
    wanted = normalize_for_matching(words)
    if not wanted:
        raise ValueError("Give the words the new segment should begin with.")
    source, offsets = _normalized_with_offsets(text)
    found = source.find(wanted)
    if found < 0:
        raise ValueError(f"“{words.strip()}” does not occur in this segment.")
    if source.find(wanted, found + 1) >= 0:
        raise ValueError(f"“{words.strip()}” occurs more than once: give more words.")
    return offsets[found]


def marked(source_text, spans):
    """``source_text`` cut into (text, is_quoted) pieces, for a template to escape and mark."""
    pieces, cursor = [], 0
    for start, end in spans or []:
        if start > cursor:
            pieces.append((source_text[cursor:start], False))
        pieces.append((source_text[start:end], True))
        cursor = end
    if cursor < len(source_text):
        pieces.append((source_text[cursor:], False))
    return pieces


@dataclass(frozen=True)
class Mismatch:
    """A flagged quote beside its segment: what the same edit would make of it, word by word."""

    quote: object
    proposal: str | None  # the quote with the segment's edit applied; None when none is found
    changes: list  # [(kind, words)], kind "same", "removed" or "added"


def _key(word):
    return word.translate(QUOTE_MARKS).casefold()


def _closest_stretch(words, source_words, start):
    """Indexes [first, last) of ``source_words`` (from ``start``) that best match ``words``."""
    candidates = [_key(word) for word in source_words[start:]]
    matcher = SequenceMatcher(None, words, candidates, autojunk=False)
    blocks = [block for block in matcher.get_matching_blocks() if block.size]
    if not blocks:
        return None
    matched = sum(block.size for block in blocks)
    if matched * 2 < len(words):
        return None  # less than half the words survive: this is not the same passage any more
    first, last = blocks[0], blocks[-1]
    # Words the edit changed at either end of the quote belong to the stretch too.
    begin = max(0, first.b - first.a)
    end = min(len(candidates), last.b + last.size + (len(words) - last.a - last.size))
    return start + begin, start + end


def propose(quote_text, source_text):
    """The quote's text with the segment's edit applied, or None when no close passage is found."""
    source_words = [match for match in WORD.finditer(source_text)]
    plain = [match.group() for match in source_words]
    pieces, start = [], 0
    for excerpt in excerpts_of(quote_text):
        words = [_key(word) for word in WORD.findall(excerpt)]
        stretch = _closest_stretch(words, plain, start) if words else None
        if stretch is None:
            return None
        first, last = stretch
        pieces.append(source_text[source_words[first].start() : source_words[last - 1].end()])
        start = last
    joiner = " … " if "…" in quote_text else " ... "
    proposal = joiner.join(pieces)
    return proposal if quote_matches(proposal, source_text) else None


def mismatch(quote):
    """A flagged quote's :class:`Mismatch` against its segment's current text."""
    proposal = propose(quote.text, quote.segment.text)
    target = proposal if proposal is not None else ""
    return Mismatch(quote, proposal, word_changes(quote.text, target) if proposal else [])
