"""Aliases, merges and dismissed duplicate suggestions (models of the ``archive`` app)."""

from django.conf import settings
from django.db import models

from ..models import NameSortKeyField, ValueRules


class SpeakerAliasManager(models.Manager):
    def get_by_natural_key(self, speaker_slug, name):
        return self.get(speaker__slug=speaker_slug, name=name)


class SpeakerAlias(ValueRules, models.Model):
    """Another spelling a speaker has appeared under; after a merge, the merged speaker's name.

    The importer and the desk find the speaker by it (``name_key``, folded as
    ``Speaker.sort_name`` is). A merge also records the merged speaker's id and
    slug, so a revert to a version that names the old id finds the kept one.
    """

    speaker = models.ForeignKey("archive.Speaker", on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    name_key = NameSortKeyField(db_index=True, help_text="The spelling folded, as names match.")
    merged_speaker_id = models.PositiveIntegerField(
        null=True, blank=True, editable=False, help_text="The id of the speaker merged away."
    )
    merged_slug = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SpeakerAliasManager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name_plural = "aliases"
        constraints = [
            models.UniqueConstraint(fields=["speaker", "name"], name="speaker_alias_unique"),
        ]
        indexes = [models.Index(fields=["merged_speaker_id"], name="speaker_alias_merged_idx")]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (*self.speaker.natural_key(), self.name)

    natural_key.dependencies = ["archive.speaker"]


class SpeakerMerge(models.Model):
    """What a merge moved, kept with its django-reversion revision so it can be undone.

    The revision holds each merged speaker as it was; ``moved`` maps each merged
    speaker's id to the ids of its segments, quotes, filed reports and aliases.
    The kept speaker is named by id: it may itself be merged away later, and
    then that later merge is undone first.
    """

    revision = models.OneToOneField(
        "reversion.Revision", on_delete=models.CASCADE, related_name="speaker_merge"
    )
    kept_id = models.PositiveIntegerField(db_index=True)
    moved = models.JSONField()
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-pk"]

    def __str__(self):
        return self.revision.comment


class DuplicateDismissalManager(models.Manager):
    def get_by_natural_key(self, speaker_slug, other_slug):
        return self.get(speaker__slug=speaker_slug, other__slug=other_slug)


class DuplicateDismissal(models.Model):
    """An editor's word that two speakers are different people: not suggested again.

    Kept in both directions (speaker, other) and (other, speaker), so the
    suggestion query asks one index either way.
    """

    speaker = models.ForeignKey("archive.Speaker", on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey("archive.Speaker", on_delete=models.CASCADE, related_name="+")
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dismissed_at = models.DateTimeField(auto_now_add=True)

    objects = DuplicateDismissalManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["speaker", "other"], name="duplicate_dismissal_unique"),
        ]

    def __str__(self):
        return f"{self.speaker} ≠ {self.other}"

    def natural_key(self):
        return (*self.speaker.natural_key(), *self.other.natural_key())

    natural_key.dependencies = ["archive.speaker"]
