"""Likely duplicate speakers, found by indexed keys, and an editor's dismissal of them.

Two speakers are likely one person when their names fold to the same key
("Lukasz Wojtowski", "Łukasz Wójtowski"), or when one gives the other's
first initial and surname ("Ł. Wójtowski"). Each speaker is tested with one
index probe per rule (``sort_name``; ``initial_key, abbreviated_name``), so
the cost grows with the number of speakers, never with its square.
"""

from itertools import permutations

from django.db.models import Exists, OuterRef, Q

from ..models import Speaker
from .models import DuplicateDismissal

DUPLICATE_ORDER = ("initial_key", "sort_name", "pk")
"""Keeps each group of likely duplicates together on the list."""


def with_likely_duplicates(queryset):
    """The speakers of ``queryset`` that have a likely duplicate not dismissed."""
    dismissed = DuplicateDismissal.objects.filter(
        speaker_id=OuterRef(OuterRef("pk")), other_id=OuterRef("pk")
    )
    others = Speaker.objects.exclude(pk=OuterRef("pk")).filter(~Exists(dismissed))
    same_name = others.filter(sort_name=OuterRef("sort_name"))
    same_initial = others.filter(initial_key=OuterRef("initial_key"))
    initial = ~Q(initial_key="") & (
        (Q(abbreviated_name=True) & Exists(same_initial))
        | Exists(same_initial.filter(abbreviated_name=True))
    )
    return queryset.filter(Exists(same_name) | initial)


def dismiss(speakers, *, user=None):
    """Remember that ``speakers`` are different people, each pair of them."""
    rows = [
        DuplicateDismissal(speaker=one, other=two, dismissed_by=user)
        for one, two in permutations(speakers, 2)
    ]
    DuplicateDismissal.objects.bulk_create(rows, ignore_conflicts=True)
