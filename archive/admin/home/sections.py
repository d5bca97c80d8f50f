"""What the desk home shows a user, in a constant number of queries however big the archive.

Every count is capped (``CAP``, shown "1,000+"), as the changelist's paginator
caps its own, and runs on an index: status, created_by, review_note_to,
(status, published_at), the partial index of segments that need review, that
of quotes that no longer match, and pending changes' (report, author) key.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from ... import workflow
from ...models import PendingChange, Quote, Report, Segment
from .filters import recently_published

CAP = 1_000
LISTED = 5  # reports named under a count


@dataclass
class Section:
    title: str
    count: int
    url: str
    help: str = ""
    reports: list = field(default_factory=list)
    kind: str = ""  # how its reports are shown: "scheduled" (with times), "notes"

    @property
    def shown(self):
        return f"{CAP:,}+" if self.count > CAP else f"{self.count:,}"


def capped_count(queryset):
    return queryset.order_by().values("pk")[: CAP + 1].count()


def changelist(**params):
    return reverse("admin:archive_report_changelist") + "?" + urlencode(params)


def sections_for(user, *, now=None):
    now = now or timezone.now()
    drafts = Report.objects.filter(status=Report.Status.DRAFT)
    sent_back = drafts.filter(review_note_to=user).select_related("review_note_by")
    sections = [
        Section(
            "My drafts",
            capped_count(drafts.filter(created_by=user)),
            changelist(status__exact="draft", made_by="me"),
            "Drafts you made or uploaded.",
        ),
        Section(
            "Sent back to me",
            capped_count(sent_back),
            changelist(sent_back="me"),
            "Returned from review with a note for you.",
            list(sent_back.order_by("-updated_at")[:LISTED]),
            "notes",
        ),
    ]
    if workflow.can_publish(user):
        in_review = Report.objects.filter(status=Report.Status.REVIEW)
        sections.append(
            Section(
                "Awaiting review",
                capped_count(in_review),
                changelist(status__exact="review"),
                "Sent to review; publish them or send them back with a note.",
                list(in_review.select_related("review_note_by").order_by("-updated_at")[:LISTED]),
                "notes",
            )
        )
    scheduled = Report.objects.scheduled(now=now)
    sections += [
        Section(
            "Scheduled",
            capped_count(scheduled),
            changelist(publication="scheduled"),
            "Published with a time to come: they go live by themselves.",
            list(scheduled.order_by("published_at", "pk")[:LISTED]),
            "scheduled",
        ),
        Section(
            "Recently published",
            capped_count(recently_published(now)),
            changelist(publication="recent"),
            "Went live in the last seven days.",
        ),
        Section(
            "Quotes that no longer match",
            _capped_reports(Quote.objects.filter(matches_source=False), "segment__report"),
            changelist(quotes="mismatched"),
            "Reports with a curated quote whose segment has changed since.",
        ),
        Section(
            "Segments that need review",
            _capped_reports(Segment.objects.filter(needs_review=True), "report"),
            changelist(segments="needs_review"),
            "Reports with a speaker the importer was unsure of; they cannot be published yet.",
        ),
    ]
    if user.has_perm("archive.view_pendingchange"):
        sections.append(_pending_changes(user))
    return sections


def _pending_changes(user):
    """Changes to live reports waiting for an editor: all of them for editors, else one's own."""
    url = reverse("admin:archive_pendingchange_changelist")
    if workflow.can_publish(user):
        waiting = PendingChange.objects.all()
        return Section(
            "Pending changes", capped_count(waiting), url, "Changes to live reports to review."
        )
    waiting = PendingChange.objects.filter(author=user)
    return Section(
        "My pending changes",
        capped_count(waiting),
        f"{url}?{urlencode({'author__id__exact': user.pk})}",
        "Your changes to live reports, waiting for an editor.",
    )


def _capped_reports(rows, report_path):
    """How many reports (up to the cap) ``rows`` belong to, read from ``rows``' own index."""
    return rows.order_by().values(report_path).distinct()[: CAP + 1].count()
