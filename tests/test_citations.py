"""Citations: pure formatting (escaping in each format) and the download views."""

import json
from datetime import date, timedelta

import pytest
from django.urls import reverse

from archive import citations
from archive.citations import Citation, bibtex_escape, format_duration

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
    return Citation(**{**defaults, **fields})


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
