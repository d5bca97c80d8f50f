"""Citations of reports and quotes as plain text, CSL-JSON, BibTeX and RIS.

Pure functions over a :class:`Citation`: no database, no request. The views
build a Citation from a model instance and its absolute URL; these functions
only format it, escaping each format's special characters.
"""

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

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
    publisher: str = ""
    place: str = ""
    issued: date | None = None
    duration: timedelta | None = None
    quote: str = ""
    speaker_title: str = ""
    extra: dict = field(default_factory=dict)


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


def to_text(citation):
    """A readable reference, close to Chicago style for a broadcast."""
    parts = []
    if citation.quote:
        speaker = ", ".join(filter(None, [*citation.authors[:1], citation.speaker_title]))
        parts.append(f"{speaker}: “{_one_line(citation.quote)}”")
        parts.append(f"In “{_one_line(citation.title)}”")
    else:
        if citation.authors:
            parts.append(" and ".join(citation.authors))
        parts.append(f"“{_one_line(citation.title)}”")
    source = ", ".join(
        filter(
            None,
            [
                citation.publisher,
                citation.place,
                _long_date(citation.issued) if citation.issued else "",
                format_duration(citation.duration),
            ],
        )
    )
    if source:
        parts.append(source)
    parts.append(f"{citation.url} (accessed {_long_date(citation.accessed)})")
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


def to_csl_json(citation):
    """A one-item CSL-JSON array, as Zotero and citeproc read it."""
    item = {
        "id": citation.key,
        "type": "broadcast",
        "title": citation.title,
        "URL": citation.url,
        "accessed": _csl_date(citation.accessed),
    }
    if citation.authors:
        item["author"] = [_csl_name(name) for name in citation.authors]
    if citation.publisher:
        item["publisher"] = citation.publisher
        item["container-title"] = citation.publisher
    if citation.place:
        item["publisher-place"] = citation.place
        item["event-place"] = citation.place
    if citation.issued:
        item["issued"] = _csl_date(citation.issued)
    if citation.duration:
        item["dimensions"] = format_duration(citation.duration)
    if citation.quote:
        item["note"] = f"Quote: “{citation.quote}”"
        if citation.speaker_title:
            item["note"] += f" ({citation.speaker_title})"
    return json.dumps([item], indent=2, ensure_ascii=False) + "\n"


# --- BibTeX --------------------------------------------------------------------

_BIBTEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
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
    """Escape LaTeX's special characters so a field cannot break out of its braces."""
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


def to_bibtex(citation):
    fields = [("title", "{" + bibtex_escape(citation.title) + "}")]
    if citation.authors:
        names = []
        for name in citation.authors:
            family, given = split_name(name)
            # A single name is braced so BibTeX does not parse it as "First Last".
            family, given = bibtex_escape(family), bibtex_escape(given)
            names.append(f"{family}, {given}" if given else "{" + family + "}")
        fields.append(("author", " and ".join(names)))
    if citation.publisher:
        fields.append(("howpublished", bibtex_escape(citation.publisher)))
        fields.append(("organization", bibtex_escape(citation.publisher)))
    if citation.place:
        fields.append(("address", bibtex_escape(citation.place)))
    if citation.issued:
        fields.append(("year", str(citation.issued.year)))
        fields.append(("month", str(citation.issued.month)))
        fields.append(("date", citation.issued.isoformat()))
    # The URL field is read verbatim by biblatex/url.sty; only braces could break it.
    fields.append(("url", re.sub(r"[{}\s]", "", citation.url)))
    fields.append(("urldate", citation.accessed.isoformat()))
    notes = []
    if citation.quote:
        quoted = f"Quote: ``{citation.quote}''"
        if citation.speaker_title:
            quoted += f" ({citation.speaker_title})"
        notes.append(quoted)
    if citation.duration:
        notes.append(f"Duration {format_duration(citation.duration)}")
    if notes:
        fields.append(("note", bibtex_escape(". ".join(notes))))
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
    if citation.publisher:
        lines.append(("PB", citation.publisher))
    if citation.place:
        lines.append(("CY", citation.place))
    if citation.issued:
        lines.append(("PY", str(citation.issued.year)))
        lines.append(("DA", citation.issued.strftime("%Y/%m/%d")))
    if citation.duration:
        lines.append(("N1", f"Duration {format_duration(citation.duration)}"))
    if citation.quote:
        quoted = f"Quote: “{citation.quote}”"
        if citation.speaker_title:
            quoted += f" ({citation.speaker_title})"
        lines.append(("N1", quoted))
    lines.append(("UR", citation.url))
    lines.append(("Y2", citation.accessed.strftime("%Y/%m/%d")))
    lines.append(("ER", ""))
    # The RIS spec wants CRLF line ends and exactly "TAG  - ".
    return "".join(f"{tag}  - {ris_escape(value)}\r\n" for tag, value in lines)


RENDERERS = {"txt": to_text, "json": to_csl_json, "bib": to_bibtex, "ris": to_ris}


def render(citation, fmt):
    """Format a citation; ``fmt`` is one of :data:`FORMATS` (KeyError otherwise)."""
    return RENDERERS[fmt](citation)
