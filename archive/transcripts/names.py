"""People: natural case from mixed-case mentions, and who a cue refers to."""

import functools
import re
from collections.abc import Iterator

from .titles import is_job_word, name_case, words_of

_APOSTROPHES = "'’‘"
# Runs of white space, and white space other than a space: a single space stays as is.
_WHITESPACE = re.compile(r"\s{2,}|[^\S ]")
# Words that may stand before a name in running text without being part of it.
_NOT_NAMES = frozenset(
    words_of(
        """
        a an and as at but by dr for from he her his in it its mr mr. mrs mrs. ms ms. now of on
        our prof prof. she so that the their then there these they this those today when while
        with yet
    """
    )
)


# An archive holds thousands of names, more than the re module's own cache of
# 512 patterns keeps, so each import would compile the same patterns again.
@functools.lru_cache(maxsize=16_384)
def _mention_regex(words: tuple[str, ...]) -> re.Pattern:
    pattern = r"\s+".join(_word_pattern(word) for word in words)
    return re.compile(rf"(?<!\w){pattern}(?![\w'’])", re.IGNORECASE)


def _fold(text: str) -> str:
    for apostrophe in _APOSTROPHES:
        text = text.replace(apostrophe, "'")
    # What " ".join(text.split()) gives, without a string per word of a long text.
    return _WHITESPACE.sub(" ", text).strip().casefold()


def name_key(name: str) -> str:
    """A spelling-insensitive key: case, apostrophe style and spacing do not count."""
    return _cached_fold(name) if len(name) <= 300 else _fold(name)


# A transcript compares the same few names over and over; long strings are not
# names, and are not kept.
_cached_fold = functools.lru_cache(maxsize=65_536)(_fold)


def is_mixed_case(text: str) -> bool:
    return any(char.islower() for char in text) and any(char.isupper() for char in text)


def _capitalized(word: str) -> bool:
    letters = [char for char in word if char.isalpha()]
    return bool(letters) and letters[0].isupper() and any(char.islower() for char in letters)


class Names:
    """What the transcript's own text says about the people it names.

    `corpus` is every line of the transcript; only mixed-case spellings in it count as
    mentions, so the upper-case cues themselves never do.
    """

    def __init__(self, corpus: str):
        self._corpus = corpus
        self._folded = _fold(corpus)  # not cached: a whole text is seen once
        # In ASCII text, matching without case is matching the lowered text, position
        # for position: plain substring searches then find where a name may start.
        self._lowered = corpus.lower() if corpus.isascii() else None
        self._mentions: dict[str, str | None] = {}

    def mention(self, name: str) -> str | None:
        """The first mixed-case spelling of `name` (a word sequence) in the text.

        A spelling with every word capitalised wins over one with words in capitals.
        """
        key = name_key(name)
        if key not in self._mentions:
            self._mentions[key] = self._find_mention(name.split())
        return self._mentions[key]

    def _find_mention(self, words: list[str]) -> str | None:
        if not words:
            return None
        if self._lowered is not None and all(word.isascii() for word in words):
            spellings = self._ascii_mentions([word.lower() for word in words])
        elif any(name_key(word) not in self._folded for word in words):
            return None  # a quick no, before the regular expression's slow one
        else:
            matches = _mention_regex(tuple(words)).finditer(self._corpus)
            spellings = (match.group(0) for match in matches)
        fallback = None
        for spelling in spellings:
            found = " ".join(spelling.split())
            if all(_capitalized(word) for word in found.split()):
                return found
            if fallback is None and is_mixed_case(found) and found[0].isupper():
                fallback = found
        return fallback

    def _ascii_mentions(self, needles: list[str]) -> Iterator[str]:
        """What ``_mention_regex(words).finditer`` finds, for ASCII words in ASCII text.

        There, matching without case is comparing with the lowered text position
        for position, so plain substring searches do it, and a transcript's many
        names need no regular expression compiled each.
        """
        text, lowered = self._corpus, self._lowered
        if any(needle not in lowered for needle in needles):
            return
        end = 0
        start = lowered.find(needles[0])
        while start != -1:
            # finditer resumes after a match, never inside it; (?<!\w) before the name
            if start >= end and not (start and _is_word_char(text[start - 1])):
                stop = self._ascii_match_end(start, needles)
                if stop is not None:
                    end = stop
                    yield text[start:stop]
            start = lowered.find(needles[0], start + 1)

    def _ascii_match_end(self, start: int, needles: list[str]) -> int | None:
        text, lowered = self._corpus, self._lowered
        end = start + len(needles[0])
        for needle in needles[1:]:  # \s+ between the words
            spaces = end
            while spaces < len(text) and text[spaces].isspace():
                spaces += 1
            if spaces == end or not lowered.startswith(needle, spaces):
                return None
            end = spaces + len(needle)
        if end < len(text) and (_is_word_char(text[end]) or text[end] in "'’"):
            return None  # (?![\w'’]) after it
        return end

    def natural_case(self, name: str) -> str:
        """A name written in capitals, in the case the text writes it, or title case.

        The whole name's mixed-case mention wins; failing that each word's own
        (McAllister from "Mr. McAllister"), and failing that name_case.
        """
        if not any(char.isupper() for char in name):
            return name
        if found := self.mention(name):
            return found
        words = []
        for word in name.split():
            found = self.mention(word)
            words.append(found if found and _capitalized(found) else name_case(word))
        return " ".join(words)

    def full_name_ending_with(self, surname: str) -> str | None:
        """A fuller name the text writes for `surname` ("Site manager Łukasz Wójtowski")."""
        if name_key(surname) not in self._folded:
            return None
        regex = re.compile(rf"(?<!\w){_word_pattern(surname)}(?![\w'’])", re.IGNORECASE)
        for match in regex.finditer(self._corpus):
            if not _capitalized(match.group(0)):
                continue
            line_start = self._corpus.rfind("\n", 0, match.start()) + 1
            start = max(line_start, match.start() - 80)
            before = self._corpus[start : match.start()].split()[-2:]
            given: list[str] = []
            for word in reversed(before):
                if (
                    not _capitalized(word)
                    or not all(char.isalpha() or char in "'’-.‐" for char in word)
                    or word.casefold() in _NOT_NAMES
                    or re.search(r"['’][a-z]", word)  # NPR's Dara Quinn, I'm Susan Davis
                    or word[-1] in ".,;:!?\"“”'’)"
                    or is_job_word(word)
                ):
                    break
                given.insert(0, word)
            if given:
                return " ".join([*given, match.group(0)])
        return None


def _is_word_char(char: str) -> bool:
    """What the regular expression ``\\w`` matches."""
    return char.isalnum() or char == "_"


def _word_pattern(word: str) -> str:
    return "".join("['’‘]" if char in _APOSTROPHES else re.escape(char) for char in word)
