"""Citations of reports and quotes as plain text, CSL-JSON, BibTeX and RIS.

Pure functions over a :class:`Citation`: no database, no request. The views
build a Citation from a model instance and its absolute URL; these functions
only format it, escaping each format's special characters.

A broadcast is cited by when it aired: ``aired`` (a day, or a day and time with
its zone where known). Only where that is unknown does the archive's
publication day stand in, and the citation says so.
"""

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

FORMATS = {
    # name in the URL: (file extension, content type)
    "txt": ("txt", "text/plain; charset=utf-8"),
    "json": ("json", "application/vnd.citationstyles.csl+json; charset=utf-8"),
    "bib": ("bib", "application/x-bibtex; charset=utf-8"),
    "ris": ("ris", "application/x-research-info-systems; charset=utf-8"),
}


@dataclass(frozen=True)
class Citation:
    """What a citation says, whatever its format."""

    key: str
    title: str
    url: str
    accessed: date
    authors: tuple[str, ...] = ()
    publisher: str = ""  # the outlet
    place: str = ""
    aired: date | datetime | None = None  # a datetime only where the time is known
    published: date | None = None  # the archive's publication day: used when aired is None
    programme: str = ""
    duration: timedelta | None = None
    quote: str = ""
    speaker_title: str = ""
    offset_seconds: float | None = None  # where in the broadcast a quote was said
    recording_url: str = ""  # the recording, from that time on where it is known
    corrected: tuple[date, ...] = ()
    language: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def issued(self) -> date | None:
        """The day the citation is dated by: the air date, else the publication day."""
        if isinstance(self.aired, datetime):
            return self.aired.date()
        return self.aired or self.published

    @property
    def issued_is_publication(self) -> bool:
        return self.aired is None and self.published is not None

    @property
    def offset(self) -> str:
        return format_offset(self.offset_seconds) if self.offset_seconds is not None else ""


def format_duration(duration):
    """``0:03:28`` → ``3:28``; an hour or more keeps the hours (``1:02:03``)."""
    if duration is None:
        return ""
    seconds = int(duration.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes}:{seconds:02d}"


def format_offset(seconds):
    """A time in the broadcast as a reader says it: ``1:42``, ``1:02:03``."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_zone(value):
    """``UTC+08:00`` for an aware datetime; "" when the zone is not known."""
    offset = value.utcoffset()
    if offset is None:
        return ""
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def long_aired(value):
    """``7 June 2018``, or ``7 June 2018, 19:30 UTC+08:00`` when the time is known."""
    if not isinstance(value, datetime):
        return _long_date(value)
    return " ".join(filter(None, [f"{_long_date(value)}, {value:%H:%M}", format_zone(value)]))


def split_name(name):
    """``"Aljosa Milenkovic"`` → ``("Milenkovic", "Aljosa")``; a single name has no given part."""
    parts = name.split()
    if len(parts) < 2:
        return name.strip(), ""
    return parts[-1], " ".join(parts[:-1])


def _one_line(value):
    return " ".join(str(value).split())


def _long_date(value):
    return f"{value.day} {value:%B %Y}"


# --- plain text ----------------------------------------------------------------


def date_text(citation):
    """When the citation is dated: the broadcast, or the archive's publication, said so."""
    if citation.aired is not None:
        return long_aired(citation.aired)
    if citation.published is not None:
        return f"published in the archive {_long_date(citation.published)} (air date unknown)"
    return ""


def corrections_text(citation):
    if not citation.corrected:
        return ""
    return "Corrected " + ", ".join(_long_date(day) for day in citation.corrected)


def to_text(citation):
    """A readable reference, close to Chicago style for a broadcast.

    Who, “what”, the programme, the outlet and where, when it aired (and, for
    a quote, at what time in the broadcast), then the permanent link.
    """
    parts = []
    if citation.quote:
        speaker = ", ".join(filter(None, [*citation.authors[:1], citation.speaker_title]))
        parts.append(f"{speaker}: “{_one_line(citation.quote)}”")
        parts.append(f"In “{_one_line(citation.title)}”")
    else:
        if citation.authors:
            parts.append(" and ".join(citation.authors))
        parts.append(f"“{_one_line(citation.title)}”")
    if citation.programme:
        parts.append(citation.programme)
    when = date_text(citation)
    if citation.offset:
        when = ", ".join(filter(None, [when, f"at {citation.offset}"]))
    source = ", ".join(
        filter(None, [citation.publisher, citation.place, when, format_duration(citation.duration)])
    )
    if source:
        parts.append(source)
    if corrections := corrections_text(citation):
        parts.append(corrections)
    parts.append(f"{citation.url} (accessed {_long_date(citation.accessed)})")
    if citation.recording_url:
        parts.append(f"Recording: {citation.recording_url}")
    text = ""
    for part in (_one_line(part) for part in parts):
        if text:
            text += " " if text.rstrip('”"')[-1:] in (".", "?", "!") else ". "
        text += part
    return text + ("" if text[-1] in ".?!" else ".") + "\n"


# --- CSL-JSON ------------------------------------------------------------------


def _csl_name(name):
    family, given = split_name(name)
    return {"family": family, "given": given} if given else {"literal": family}


def _csl_date(value):
    return {"date-parts": [[value.year, value.month, value.day]]}


def notes(citation):
    """What a citation says beyond the standard fields, one sentence each."""
    said = []
    if citation.quote:
        quoted = f"Quote: “{_one_line(citation.quote)}”"
        if citation.speaker_title:
            quoted += f" ({_one_line(citation.speaker_title)})"
        if citation.offset:
            quoted += f", at {citation.offset}"
        said.append(quoted)
    if isinstance(citation.aired, datetime):
        said.append(f"Aired {long_aired(citation.aired)}")
    if citation.issued_is_publication:
        said.append(
            f"Air date unknown; dated by its publication in the archive, "
            f"{_long_date(citation.published)}"
        )
    if corrections := corrections_text(citation):
        said.append(corrections)
    if citation.recording_url:
        said.append(f"Recording: {citation.recording_url}")
    return said


def to_csl_json(citation):
    """A one-item CSL-JSON array, as Zotero and citeproc read it.

    A broadcast: the programme is the ``container-title``, the outlet the
    ``publisher``. A quote's time in the broadcast is given as a citation
    locator (``"locator": "1:42", "label": "timestamp"``), which citeproc
    processors print in the in-text citation ("Kaem, 2018, 1:42").
    """
    item = {
        "id": citation.key,
        "type": "broadcast",
        "title": citation.title,
        "URL": citation.url,
        "accessed": _csl_date(citation.accessed),
    }
    if citation.authors:
        item["author"] = [_csl_name(name) for name in citation.authors]
    if citation.programme:
        item["container-title"] = citation.programme
    if citation.publisher:
        item["publisher"] = citation.publisher
    if citation.place:
        item["publisher-place"] = citation.place
        item["event-place"] = citation.place
    if citation.issued:
        item["issued"] = _csl_date(citation.issued)
    if citation.language:
        item["language"] = citation.language
    if citation.duration:
        item["dimensions"] = format_duration(citation.duration)
    if citation.offset:
        item["locator"], item["label"] = citation.offset, "timestamp"
    if said := notes(citation):
        item["note"] = ". ".join(said)
    return json.dumps([item], indent=2, ensure_ascii=False) + "\n"


# --- BibTeX --------------------------------------------------------------------

# Braces become commands with no brace of their own to count: BibTeX, pybtex and
# bibtexparser count braces whatever precedes them, so `\}` would still end a field.
_BIBTEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "$": r"\$",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_RE = re.compile("|".join(re.escape(char) for char in _BIBTEX_SPECIALS))


def bibtex_escape(value):
    """Escape LaTeX's special characters so a field cannot break out of its braces.

    The result's braces are balanced whatever ``value`` holds, which is what
    keeps a brace-counting reader inside the field.
    """
    return _BIBTEX_RE.sub(lambda match: _BIBTEX_SPECIALS[match.group()], _one_line(value))


def bibtex_key(citation):
    """An ASCII key like ``milenkovic2019skolkovo``: letters and digits only."""
    family = split_name(citation.authors[0])[0] if citation.authors else "archive"
    first_word = next(iter(re.findall(r"\w+", citation.title)), "report")
    year = str(citation.issued.year) if citation.issued else ""
    raw = f"{family}{year}{first_word}"
    ascii_only = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode()
    key = re.sub(r"[^A-Za-z0-9]", "", ascii_only).lower()
    return key or "archive"


_NAME_SEPARATOR = re.compile(r",|\band\b", re.IGNORECASE)


def _bibtex_name(name):
    """``Family, Given``; a part holding "and" or a comma is braced, so it stays one name."""
    family, given = (bibtex_escape(part) for part in split_name(name))
    if not given:
        # A single name is braced so BibTeX does not parse it as "First Last".
        return "{" + family + "}"
    family, given = (
        "{" + part + "}" if _NAME_SEPARATOR.search(part) else part for part in (family, given)
    )
    return f"{family}, {given}"


def _bibtex_date(citation):
    """biblatex's ISO 8601 date: the day, or the day and time (and zone) as known."""
    if isinstance(citation.aired, datetime):
        return citation.aired.isoformat(timespec="minutes")
    return citation.issued.isoformat()


def to_bibtex(citation):
    fields = [("title", "{" + bibtex_escape(citation.title) + "}")]
    if citation.authors:
        fields.append(("author", " and ".join(_bibtex_name(name) for name in citation.authors)))
    howpublished = ", ".join(filter(None, [citation.programme, citation.publisher]))
    if howpublished:
        fields.append(("howpublished", bibtex_escape(howpublished)))
    if citation.programme:
        fields.append(("series", bibtex_escape(citation.programme)))
    if citation.publisher:
        fields.append(("organization", bibtex_escape(citation.publisher)))
    if citation.place:
        fields.append(("address", bibtex_escape(citation.place)))
    if citation.issued:
        fields.append(("year", str(citation.issued.year)))
        fields.append(("month", str(citation.issued.month)))
        fields.append(("date", _bibtex_date(citation)))
    if citation.language:
        fields.append(("language", bibtex_escape(citation.language)))
    # The URL field is read verbatim by biblatex/url.sty; only braces could break it.
    fields.append(("url", re.sub(r"[{}\s]", "", citation.url)))
    fields.append(("urldate", citation.accessed.isoformat()))
    said = notes(citation)
    if citation.duration:
        said.append(f"Duration {format_duration(citation.duration)}")
    if said:
        fields.append(("note", bibtex_escape(". ".join(said))))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{bibtex_key(citation)},\n{body}\n}}\n"


# --- RIS -----------------------------------------------------------------------


def ris_escape(value):
    """RIS is one tag per line: a value must not contain a line break."""
    return _one_line(value)


def to_ris(citation):
    lines = [("TY", "ADVS"), ("ID", citation.key), ("TI", citation.title)]
    for name in citation.authors:
        family, given = split_name(name)
        lines.append(("AU", f"{family}, {given}" if given else family))
    if citation.programme:
        lines.append(("T2", citation.programme))
    if citation.publisher:
        lines.append(("PB", citation.publisher))
    if citation.place:
        lines.append(("CY", citation.place))
    if citation.issued:
        lines.append(("PY", str(citation.issued.year)))
        # RIS dates are YYYY/MM/DD/other: the time (and zone) go in the last part.
        other = ""
        if isinstance(citation.aired, datetime):
            other = " ".join(filter(None, [f"{citation.aired:%H:%M}", format_zone(citation.aired)]))
        lines.append(("DA", citation.issued.strftime("%Y/%m/%d") + (f"/{other}" if other else "")))
    if citation.language:
        lines.append(("LA", citation.language))
    if citation.duration:
        lines.append(("N1", f"Duration {format_duration(citation.duration)}"))
    lines.extend(("N1", note) for note in notes(citation))
    lines.append(("UR", citation.url))
    lines.append(("Y2", citation.accessed.strftime("%Y/%m/%d")))
    lines.append(("ER", ""))
    # The RIS spec wants CRLF line ends and exactly "TAG  - ".
    return "".join(f"{tag}  - {ris_escape(value)}\r\n" for tag, value in lines)


RENDERERS = {"txt": to_text, "json": to_csl_json, "bib": to_bibtex, "ris": to_ris}


def render(citation, fmt):
    """Format a citation; ``fmt`` is one of :data:`FORMATS` (KeyError otherwise)."""
    return RENDERERS[fmt](citation)
