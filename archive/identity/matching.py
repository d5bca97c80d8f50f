"""Finding a speaker by any spelling of their name, in any case and script, with or without accents.

One key everywhere: the name folded (``names.folded``, the same as
``Speaker.sort_name``, which is indexed), looked up among aliases first (an
editor's merge said so), then among speakers' names.
"""

from django.db.models import Q

from ..models import Quote, Report, Segment, Speaker
from .models import SpeakerAlias
from .names import folded


def other_spellings(people):
    """How the names of an import (``people``: {slug: {"name": …}}) map to speakers.

    Returns ({slug: speaker id}, {slug: slug}). The first: names that no
    speaker's slug is, but that an alias or a speaker's name matches once
    folded; the importer attaches them to that speaker instead of creating a
    duplicate, and keeps the spelling as an alias. Where several speakers
    match, the oldest wins (an alias before a name). The second: new names
    that fold to the key of a new name before them ("LUKASZ WOJTOWSKI" after
    "Łukasz Wójtowski"), mapped to that first spelling, so one speaker is made.
    """
    existing = set(Speaker.objects.filter(slug__in=list(people)).values_list("slug", flat=True))
    wanted = {
        slug: folded(fields["name"]) for slug, fields in people.items() if slug not in existing
    }
    if not wanted:
        return {}, {}
    keys = set(wanted.values())
    found = {}
    for key, speaker_id in (
        SpeakerAlias.objects.filter(name_key__in=keys)
        .order_by("-pk")
        .values_list("name_key", "speaker_id")
    ):
        found[key] = speaker_id  # the oldest last
    named = Speaker.objects.filter(sort_name__in=keys - set(found)).order_by("-pk")
    for key, speaker_id in named.values_list("sort_name", "pk"):
        found[key] = speaker_id
    matched = {slug: found[key] for slug, key in wanted.items() if key in found}
    SpeakerAlias.objects.bulk_create(
        [SpeakerAlias(speaker_id=matched[slug], name=people[slug]["name"]) for slug in matched],
        ignore_conflicts=True,  # a spelling already kept
    )
    first, same = {}, {}
    for slug, key in wanted.items():
        if slug not in matched:
            same_as = first.setdefault(key, slug)
            if same_as != slug:
                same[slug] = same_as
    return matched, same


def merged_away(speaker_ids):
    """{old id: its alias on the kept speaker} for ids of speakers merged away since."""
    missing = set(speaker_ids) - set(
        Speaker.objects.filter(pk__in=speaker_ids).values_list("pk", flat=True)
    )
    aliases = SpeakerAlias.objects.filter(merged_speaker_id__in=missing).select_related("speaker")
    # The newest alias of an id wins: the last merge of it.
    return {alias.merged_speaker_id: alias for alias in aliases.order_by("pk")}


# Where a stored version of a report, a segment or a quote names a speaker.
SPEAKER_REFERENCES = {Report: "correspondent_id", Segment: "speaker_id", Quote: "speaker_id"}


def reattach_merged(revision):
    """After ``revision`` was written back: rows naming a speaker merged away since name the
    kept speaker instead. Returns one sentence per such speaker, to tell the editor."""
    references = []
    for version in revision.version_set.select_related("content_type"):
        model = version.content_type.model_class()
        if model in SPEAKER_REFERENCES:
            speaker_id = version.field_dict.get(SPEAKER_REFERENCES[model])
            if speaker_id is not None:
                references.append((model, version.object_id, speaker_id))
    kept = merged_away({speaker_id for _, _, speaker_id in references})
    for model, object_id, speaker_id in references:
        if speaker_id in kept:
            field = SPEAKER_REFERENCES[model]
            model.objects.filter(pk=object_id, **{field: speaker_id}).update(
                **{field: kept[speaker_id].speaker_id}
            )
    return [
        f"{alias.name} was merged into {alias.speaker} since this version: "
        f"{alias.speaker} is attached instead."
        for alias in sorted(kept.values(), key=lambda alias: alias.merged_speaker_id)
    ]


def name_matches(word):
    """A filter for speakers whose name, or one of whose aliases, contains ``word`` folded."""
    key = folded(word)
    aliases = SpeakerAlias.objects.filter(name_key__contains=key).values("speaker_id")
    return Q(sort_name__contains=key) | Q(pk__in=aliases)


def search_speakers(queryset, words):
    """Speakers of ``queryset`` matching every word (the desk's search and autocomplete)."""
    for word in words:
        queryset = queryset.filter(name_matches(word))
    return queryset
