"""Merging speakers into one, as a django-reversion revision, and undoing it.

A merge moves every appearance, quote, filed report and alias of the others
onto the kept speaker, records each other's name as an alias of the kept one
(with its old id and slug, for reverts and imports), and deletes the others.
Its revision holds the others as they were, and a ``SpeakerMerge`` the ids of
what moved, so the merge can be undone: the speakers come back with their ids,
titles and organization, and every moved row goes back to them.
"""

import reversion
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from ..models import Organization, Quote, Report, Segment, Speaker
from .models import SpeakerAlias, SpeakerMerge

if not reversion.is_registered(Speaker):
    reversion.register(Speaker)

MERGE_PERMISSION = "archive.delete_speaker"


def check_may_merge(user):
    if user is not None and not user.has_perm(MERGE_PERMISSION):
        raise PermissionDenied("merging speakers, and undoing a merge, is for editors.")


def _ids(queryset):
    return list(queryset.order_by("pk").values_list("pk", flat=True))


@transaction.atomic
def merge_speakers(keep, others, *, user=None):
    """Merge ``others`` into ``keep``; returns the counts moved. All or nothing."""
    check_may_merge(user)
    others = [speaker for speaker in others if speaker.pk != keep.pk]
    moved = {
        str(other.pk): {
            "segments": _ids(Segment.objects.filter(speaker=other)),
            "quotes": _ids(Quote.objects.filter(speaker=other)),
            "reports": _ids(Report.objects.filter(correspondent=other)),
        }
        for other in others
    }
    for other in others:
        moved[str(other.pk)].update(_move_aliases(other, keep))
    # django-reversion saves versions of rows that still exist: record, then delete.
    with reversion.create_revision(manage_manually=True):
        reversion.set_user(user)
        reversion.set_comment(f"Merged {', '.join(s.name for s in others)} into {keep.name}")
        for speaker in [keep, *others]:
            reversion.add_to_revision(speaker)
        reversion.add_meta(SpeakerMerge, kept_id=keep.pk, moved=moved)
    counts = {"segments": 0, "quotes": 0, "reports": 0, "speakers": len(others)}
    for rows in moved.values():
        Segment.objects.filter(pk__in=rows["segments"]).update(speaker=keep)
        Quote.objects.filter(pk__in=rows["quotes"]).update(speaker=keep)
        Report.objects.filter(pk__in=rows["reports"]).update(correspondent=keep)
        for name in ("segments", "quotes", "reports"):
            counts[name] += len(rows[name])
    Speaker.objects.filter(pk__in=[other.pk for other in others]).delete()
    return counts


def _move_aliases(other, keep):
    """Give ``keep`` the other's aliases and its name; what undo needs to take them back."""
    taken = set(keep.aliases.values_list("name", flat=True)) | {keep.name}
    aliases = list(other.aliases.all())
    moving = [alias for alias in aliases if alias.name not in taken]
    # A spelling both already had: dropped here, made again by an undo.
    dropped = [
        {"name": a.name, "merged_speaker_id": a.merged_speaker_id, "merged_slug": a.merged_slug}
        for a in aliases
        if a.name in taken
    ]
    SpeakerAlias.objects.filter(pk__in=[a.pk for a in moving]).update(speaker=keep)
    if other.name not in taken | {a.name for a in moving}:
        SpeakerAlias.objects.create(
            speaker=keep, name=other.name, merged_speaker_id=other.pk, merged_slug=other.slug
        )
    else:  # the spelling is known already: it still leads to the kept speaker
        SpeakerAlias.objects.filter(speaker=keep, name=other.name).update(
            merged_speaker_id=other.pk, merged_slug=other.slug
        )
    return {"aliases": [a.pk for a in moving], "dropped_aliases": dropped}


def merges_into(speaker):
    """The merges into ``speaker`` not undone, newest first (its history lists them)."""
    return SpeakerMerge.objects.filter(kept_id=speaker.pk, undone_at__isnull=True).select_related(
        "revision__user"
    )


def merged_speakers(merge):
    """The speakers a merge removed, as its revision holds them (unsaved instances)."""
    versions = merge.revision.version_set.filter(object_id__in=list(merge.moved))
    return [version._object_version.object for version in versions.order_by("pk")]


@transaction.atomic
def undo_merge(merge, *, user=None):
    """Bring back the speakers a merge removed, with everything that moved; returns them.

    Refused (PermissionDenied, one line) once undone, when the kept speaker
    was merged away since (undo that merge first) or when a slug has been
    taken since. Rows changed by hand since the merge (a segment given to
    someone else) stay as they are.
    """
    check_may_merge(user)
    merge = SpeakerMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise PermissionDenied("this merge was undone already.")
    keep = Speaker.objects.filter(pk=merge.kept_id).first()
    if keep is None:
        raise PermissionDenied(
            "the kept speaker was merged into another since: undo that merge first."
        )
    versions = list(merge.revision.version_set.filter(object_id__in=list(merge.moved)))
    restored = []
    with reversion.create_revision(manage_manually=True):
        reversion.set_user(user)
        reversion.set_comment(f"Undid: {merge.revision.comment}")
        for version in versions:
            speaker = version._object_version.object
            if Speaker.objects.filter(slug=speaker.slug).exists():
                raise PermissionDenied(f"the slug “{speaker.slug}” has been taken since.")
            if not Organization.objects.filter(pk=speaker.organization_id).exists():
                speaker.organization_id = None  # deleted since: the speaker comes back without
            version.revert()  # saves ``speaker``, the version's own instance, with its old id
            rows = merge.moved[version.object_id]
            Segment.objects.filter(pk__in=rows["segments"], speaker=keep).update(speaker=speaker)
            Quote.objects.filter(pk__in=rows["quotes"], speaker=keep).update(speaker=speaker)
            Report.objects.filter(pk__in=rows["reports"], correspondent=keep).update(
                correspondent=speaker
            )
            SpeakerAlias.objects.filter(speaker=keep, merged_speaker_id=speaker.pk).delete()
            SpeakerAlias.objects.filter(pk__in=rows["aliases"], speaker=keep).update(
                speaker=speaker
            )
            SpeakerAlias.objects.bulk_create(
                SpeakerAlias(speaker=speaker, **fields) for fields in rows["dropped_aliases"]
            )
            reversion.add_to_revision(speaker)
            restored.append(speaker)
        reversion.add_to_revision(keep)
    merge.undone_at, merge.undone_by = timezone.now(), user
    merge.save(update_fields=["undone_at", "undone_by"])
    return restored
