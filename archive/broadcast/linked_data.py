"""schema.org JSON-LD and Dublin Core / Highwire `citation_*` meta tags for public pages.

Reference managers (Zotero's embedded-metadata reader, Mendeley) and search
engines read these; each describes the broadcast by its air date where known.
"""

from .media import aired_iso, iso_duration

SCHEMA = "https://schema.org"
MEDIA_TYPES = {"audio": "AudioObject", "video": "VideoObject"}


def _person(speaker, url=""):
    person = {"@type": "Person", "name": speaker.name}
    if url:
        person["url"] = url
    return person


def _date_only(report):
    """YYYY-MM-DD of the citation date: the air date, else the archive's publication."""
    day, _aired = report.cited_date
    return day.isoformat() if day else ""


def _broadcast(report):
    """The broadcast as a schema.org BroadcastEvent, or None when nothing is known of it."""
    if not (report.aired_on or report.outlet or report.programme):
        return None
    event = {"@type": "BroadcastEvent"}
    if report.aired_on:
        event["startDate"] = aired_iso(report.aired_at)
    if report.programme:
        event["name"] = report.programme.name
    if report.outlet:
        event["publishedOn"] = {"@type": "BroadcastService", "name": report.outlet.name}
    return event


def report_graph(report, *, url, segments, media_kind=None, author_url=""):
    """The report's page: a NewsArticle, and its recording with the transcript where known."""
    article = {
        "@type": "NewsArticle",
        "@id": url,
        "url": url,
        "headline": report.title,
        "inLanguage": report.language,
        "isAccessibleForFree": True,
    }
    if report.published_at:
        article["datePublished"] = report.published_at.isoformat()
    if report.correspondent:
        article["author"] = _person(report.correspondent, author_url)
    if report.outlet:
        article["publisher"] = {"@type": "Organization", "name": report.outlet.name}
    if report.dateline:
        article["contentLocation"] = {"@type": "Place", "name": report.dateline}
    if report.source_url:
        article["isBasedOn"] = report.source_url
    if broadcast := _broadcast(report):
        article["publication"] = broadcast
    if report.programme:
        article["isPartOf"] = {"@type": "CreativeWorkSeries", "name": report.programme.name}
    graph = [article]
    if report.media_url:
        media = {
            "@type": MEDIA_TYPES.get(media_kind, "MediaObject"),
            "@id": f"{url}#recording",
            "name": report.title,
            "contentUrl": report.media_url,
            "transcript": "\n".join(segment.text for segment in segments),
            "inLanguage": report.language,
        }
        if report.aired_on:
            media["uploadDate"] = aired_iso(report.aired_at)
        if report.duration:
            media["duration"] = iso_duration(report.duration.total_seconds())
        if broadcast:
            media["publication"] = broadcast
        article["associatedMedia"] = {"@id": media["@id"]}
        graph.append(media)
    return {"@context": SCHEMA, "@graph": graph}


def quote_graph(quote, *, url, report_url, speaker_url):
    """A quote's page: the Quotation, and the Clip of the broadcast where its time is known."""
    segment, report = quote.segment, quote.segment.report
    speaker = _person(quote.speaker, speaker_url)
    quotation = {
        "@type": "Quotation",
        "@id": url,
        "url": url,
        "text": quote.text,
        "spokenByCharacter": speaker,
        "creator": speaker,
        "isPartOf": {"@type": "NewsArticle", "@id": report_url, "headline": report.title},
        "inLanguage": report.language,
    }
    if report.aired_on:
        quotation["dateCreated"] = aired_iso(report.aired_at)
    graph = [quotation]
    if segment.start_seconds is not None:
        clip = {
            "@type": "Clip",
            "@id": f"{url}#clip",
            "name": f"{quote.speaker.name} in “{report.title}”",
            "startOffset": segment.start_seconds,
            "isPartOf": {"@id": f"{report_url}#recording"} if report.media_url else report_url,
        }
        if segment.end_seconds is not None:
            clip["endOffset"] = segment.end_seconds
        if report.programme:
            clip["partOfSeries"] = {"@type": "CreativeWorkSeries", "name": report.programme.name}
        quotation["subjectOf"] = {"@id": clip["@id"]}
        graph.append(clip)
    return {"@context": SCHEMA, "@graph": graph}


def speaker_graph(speaker, *, url):
    person = {"@type": "Person", "@id": url, "url": url, "name": speaker.name}
    if speaker.role:
        person["jobTitle"] = speaker.role
    if speaker.organization:
        person["affiliation"] = {"@type": "Organization", "name": speaker.organization.name}
    if speaker.authority_id:
        person["sameAs"] = speaker.authority_url
    return {"@context": SCHEMA, "@graph": [person]}


def citation_meta(report, *, url, title=None, authors=(), media_kind=None):
    """(name, content) pairs for Highwire `citation_*` and Dublin Core `DC.*` meta tags."""
    day = _date_only(report)
    title = title or report.title
    pairs = [("citation_title", title), ("DC.title", title)]
    for name in authors:
        pairs += [("citation_author", name), ("DC.creator", name)]
    if day:
        pairs += [("citation_date", day.replace("-", "/")), ("DC.date", day)]
        pairs.append(("citation_publication_date", day.replace("-", "/")))
    if report.outlet:
        pairs += [("citation_publisher", report.outlet.name), ("DC.publisher", report.outlet.name)]
    if report.programme:
        pairs += [("citation_series_title", report.programme.name)]
        pairs += [("DC.relation.isPartOf", report.programme.name)]
    pairs += [("citation_language", report.language), ("DC.language", report.language)]
    pairs += [("citation_public_url", url), ("DC.identifier", url)]
    pairs.append(("DC.type", {"audio": "Sound", "video": "MovingImage"}.get(media_kind, "Text")))
    if report.source_url:
        pairs.append(("DC.source", report.source_url))
    return pairs
