"""The permissions matrix of the admin's history, revert and recover URLs, for every model.

For every model registered in the admin: its history page, and where it keeps
revisions (django-reversion), the revert page of an old version, the list of
deleted objects and the recover page of one; for anonymous, contributor,
editor and superuser, by GET and by POST. The old version and the deleted
report are set up so that reverting or recovering them would change what the
public sees (publish a withdrawn report, bring back a deleted one) and delete
a segment and a quote added since: only someone with the publish and delete
permissions may, and a refusal changes nothing.
"""

from datetime import timedelta
from functools import partial
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.admin import VersionAdmin
from reversion.models import Version

from archive import workflow
from archive.admin.forms import edit_token
from archive.admin.revisions import GuardedVersionAdmin
from archive.models import (
    Correction,
    Organization,
    PendingChange,
    Programme,
    Quote,
    Report,
    Segment,
    Speaker,
    Topic,
)
from archive.pending import review_gate
from tests.desk import ROLES, client_for, form_data, make_user
from tests.factories import (
    make_organization,
    make_programme,
    make_quote,
    make_report,
    make_segment,
    make_speaker,
    make_topic,
)

pytestmark = pytest.mark.django_db

MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label)
VERSIONED = [m for m in MODELS if isinstance(admin.site._registry[m], VersionAdmin)]
METHODS = ["get", "post"]
READS_ARCHIVE = {"anonymous": False, "contributor": True, "editor": True, "superuser": True}
PUBLISHES = {"anonymous": False, "contributor": False, "editor": True, "superuser": True}


def url_name(model, view):
    return f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"


def public_state():
    """What the public sees, and every part that could be deleted."""
    return {
        "public": sorted(Report.objects.public().values_list("slug", flat=True)),
        "gone": sorted(Report.objects.gone().values_list("slug", flat=True)),
        "reports": sorted(
            Report.objects.values_list("slug", "status", "published_at", "withdrawal_reason")
        ),
        "segments": sorted(Segment.objects.values_list("pk", flat=True)),
        "quotes": sorted(Quote.objects.values_list("pk", flat=True)),
        "corrections": sorted(Correction.objects.values_list("pk", flat=True)),
    }


def save_report_in_admin(client, report, **changes):
    url = reverse("admin:archive_report_change", args=[report.pk])
    response = client.post(url, {**form_data(client.get(url)), **changes})
    assert response.status_code == 302, response.context and response.context["errors"]


def someone_else(role):
    """A second user in ``role``: the test's own user takes the role's name."""
    user = make_user(role)
    user.username = f"other-{role}"
    user.save()
    return user


@pytest.fixture
def root():
    client = Client()
    client.force_login(someone_else("superuser"))
    return client


def published_in_admin(root, title, speaker, text, excerpt):
    """A report with a segment and a quote, published by a save in the admin (one revision).

    Returns {model: object} and {model: that object's version in the revision}.
    """
    report = Report.objects.create(title=title, status="draft")
    segment = make_segment(report, text=text, speaker=speaker)
    correction = Correction.objects.create(report=report, what_was_wrong="A misspelt name.")
    parts = {
        Report: report,
        Segment: segment,
        Quote: make_quote(segment, text=excerpt),
        Correction: correction,
    }
    save_report_in_admin(root, report, status="published")
    versions = {model: Version.objects.get_for_object(obj).get() for model, obj in parts.items()}
    return parts, versions


@pytest.fixture
def scenario(root):
    """A live report saved in the admin, then withdrawn and added to; and one deleted.

    ``old`` maps each versioned model to its object's version in the live
    report's revision; ``deleted`` to the version of its deleted object.
    """
    editor = someone_else("editor")
    speaker = make_speaker("Kiril Kaem")
    objects, old = published_in_admin(
        root, "Live report", speaker, "In the first place, investors.", "investors"
    )
    report = objects[Report]
    added = make_segment(report, text="Added since, by an editor.", speaker=speaker)
    make_quote(added, text="Added since")
    workflow.withdraw(report, "Wrong footage.", user=editor)

    doomed, deleted = published_in_admin(
        root, "Deleted report", speaker, "Soon deleted.", "Soon deleted"
    )
    doomed[Report].delete()

    objects.update(
        {
            Speaker: speaker,
            Organization: make_organization("Skolkovo Foundation"),
            Topic: make_topic("Technology"),
            Programme: Programme.objects.create(name="Global Business", slug="global-business"),
            Group: Group.objects.get(name="Editors"),
            get_user_model(): editor,
        }
    )
    objects.update(axes_records())
    objects[PendingChange] = PendingChange.objects.create(
        report=report, author=editor, base=[], data=[], comment="Held"
    )
    objects.update(identity_records(speaker))
    return {"objects": objects, "old": old, "deleted": deleted, "report": report}


def axes_records():
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    common = {"user_agent": "test", "ip_address": "127.0.0.1", "username": "someone",
              "http_accept": "*/*", "path_info": "/admin/login/"}  # fmt: skip
    return {
        AccessAttempt: AccessAttempt.objects.create(
            **common, get_data="", post_data="", failures_since_start=1
        ),
        AccessLog: AccessLog.objects.create(**common),
        AccessFailureLog: AccessFailureLog.objects.create(**common),
    }


def identity_records(speaker):
    from archive.identity import merging
    from archive.identity.models import DuplicateDismissal, SpeakerAlias, SpeakerMerge

    merging.merge_speakers(speaker, [make_speaker("Kiril Kaem (dup)")])
    other = make_speaker("K. Kaem")
    return {
        SpeakerAlias: SpeakerAlias.objects.get(speaker=speaker),
        SpeakerMerge: SpeakerMerge.objects.get(),
        DuplicateDismissal: DuplicateDismissal.objects.create(speaker=speaker, other=other),
    }


def request(client, method, url, root):
    if method == "get":
        return client.get(url)
    # A crafted POST: everything an editor's form for that page would send.
    page = root.get(url)
    has_form = page.status_code == 200 and page.context and "adminform" in page.context
    data = form_data(page) if has_form else {}
    return client.post(url, data)


def assert_sent_to_login(response):
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def changes_for_a_publisher_only(role, method, response, before, *, refused_to):
    """Check a revert or recover response; True when it was a publisher's POST, which saves.

    Anonymous is sent to log in; without the publish permission the page is
    refused, back to ``refused_to`` with a message; a publisher's GET shows the
    old version. None of those changes anything.
    """
    if role == "anonymous":
        assert_sent_to_login(response)
    elif not PUBLISHES[role]:
        assert response.status_code == 302 and response["Location"] == refused_to
        assert "Not reverted" in " ".join(m.message for m in response.wsgi_request._messages)
    elif method == "get":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        return True
    assert public_state() == before
    return False


def test_every_model_with_revisions_goes_through_the_guarded_revert():
    assert {m._meta.label for m in VERSIONED} == {"archive.Correction", "archive.Quote",
                                                   "archive.Report", "archive.Segment"}  # fmt: skip
    for model in VERSIONED:
        assert isinstance(admin.site._registry[model], GuardedVersionAdmin), model


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_history_pages_show_to_who_may_view_and_change_nothing(
    client, root, scenario, model, role, method
):
    obj = scenario["objects"].get(model)
    assert obj is not None, f"add an object of {model._meta.label} to the scenario"
    before = public_state()
    url = reverse(url_name(model, "history"), args=[quote(obj.pk)])
    response = request(client_for(client, make_user(role)), method, url, root)
    if role == "anonymous":
        assert_sent_to_login(response)
    else:
        may_view = role == "superuser" or (
            model._meta.app_label == "archive" and READS_ARCHIVE[role]
        )
        assert response.status_code == (200 if may_view else 403)
    assert public_state() == before


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model", VERSIONED, ids=lambda m: m._meta.label)
def test_reverting_to_a_live_version_is_for_editors_only(
    client, root, scenario, model, role, method
):
    report = scenario["report"]
    version = scenario["old"][model]
    url = reverse(url_name(model, "revision"), args=[quote(version.object_id), version.pk])
    before = public_state()
    response = request(client_for(client, make_user(role)), method, url, root)
    history = reverse(url_name(model, "history"), args=[version.object_id])
    if changes_for_a_publisher_only(role, method, response, before, refused_to=history):
        report.refresh_from_db()
        assert report.is_public
        assert report.segments.count() == 1 and Quote.objects.count() == 1  # added ones deleted


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model", VERSIONED, ids=lambda m: m._meta.label)
def test_recovering_a_deleted_report_is_for_editors_only(
    client, root, scenario, model, role, method
):
    version = scenario["deleted"][model]
    before = public_state()
    user = make_user(role)
    user_client = client_for(client, user)

    recover = reverse(url_name(model, "recover"), args=[version.pk])
    listing = request(user_client, method, reverse(url_name(model, "recoverlist")), root)
    if role == "anonymous":
        assert_sent_to_login(listing)
    elif not user.has_perm(f"archive.change_{model._meta.model_name}"):
        # Corrections are the editors' alone: the others may not even list them.
        response = request(user_client, method, recover, root)
        assert (listing.status_code, response.status_code) == (403, 403)
        assert public_state() == before
        return
    else:
        assert listing.status_code == 200
    assert public_state() == before

    response = request(user_client, method, recover, root)
    listing = reverse(url_name(model, "recoverlist"))
    if changes_for_a_publisher_only(role, method, response, before, refused_to=listing):
        assert "deleted-report" in public_state()["public"]


@pytest.mark.parametrize("model", VERSIONED, ids=lambda m: m._meta.label)
def test_a_version_of_another_model_is_not_found_under_this_one(root, scenario, model):
    other = next(m for m in VERSIONED if m is not model)
    version = scenario["deleted"][other]
    before = public_state()
    assert root.post(reverse(url_name(model, "recover"), args=[version.pk])).status_code == 404
    version = scenario["old"][other]
    url = reverse(url_name(model, "revision"), args=[version.object_id, version.pk])
    assert root.post(url).status_code == 404
    assert public_state() == before


DELETES_PARTS = {"anonymous": False, "contributor": False, "editor": True, "superuser": True}


@pytest.mark.parametrize("route", ["delete_page", "bulk_action"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("part", [Segment, Quote], ids=["segment", "quote"])
def test_only_editors_delete_a_part_on_its_own_pages(client, scenario, part, role, route):
    obj = scenario["objects"][part]
    client = client_for(client, make_user(role))
    if route == "delete_page":
        client.post(reverse(url_name(part, "delete"), args=[obj.pk]), {"post": "yes"})
    else:
        data = {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
        client.post(reverse(url_name(part, "changelist")), data)
    assert part.objects.filter(pk=obj.pk).exists() is not DELETES_PARTS[role]


@pytest.mark.parametrize("role", ROLES)
def test_only_editors_delete_parts_from_the_report_form_even_by_a_crafted_post(
    client, root, scenario, role
):
    report = scenario["report"]
    url = reverse("admin:archive_report_change", args=[report.pk])
    data = form_data(root.get(url))  # an editor's form, with its delete boxes
    data.update({"segments-0-DELETE": "on", "segments-0-delete_quotes_too": "on",
                 "quotes-0-DELETE": "on"})  # fmt: skip
    client_for(client, make_user(role)).post(url, data)
    segments, quotes = report.segments.count(), Quote.objects.filter(segment__report=report)
    if DELETES_PARTS[role]:
        assert segments == 1 and quotes.count() == 1
    else:
        assert segments == 2 and quotes.count() == 2


@pytest.fixture
def unsure_live_version(root):
    """A live report's version whose segment needs review, the report since withdrawn.

    The segment was marked after publishing (an import, a shell), and the report saved
    again while live: reverting to that version would put the unsure segment back live.
    """
    objects, _versions = published_in_admin(
        root, "Unsure live report", make_speaker("Halverson"), "Good morning.", "Good morning"
    )
    report = objects[Report]
    Segment.objects.filter(report=report).update(needs_review=True)
    save_report_in_admin(root, report)
    workflow.withdraw(report, "Wrong speaker.", user=someone_else("editor"))
    return report, Version.objects.get_for_object(report).first()


# Pending changes: on every route that writes to a live report, someone without the
# publish permission leaves what the public sees as it was; their change waits.


@pytest.fixture
def live_report():
    report = Report.objects.create(
        title="Live", slug="live", status="published", published_at=timezone.now()
    )
    segment = make_segment(report, text="Investors came first.", speaker=make_speaker("Kaem"))
    make_quote(segment, text="Investors came first")
    return report


def live_content(report):
    from archive.pending.snapshots import content, snapshot

    return content(snapshot(report.pk))


def form_post(root, url, **changes):
    """The URL and what an editor's form there would post, with ``changes``."""
    return url, {**form_data(root.get(url)), **changes}


def _report_form(root, report, button="_save"):
    url = reverse("admin:archive_report_change", args=[report.pk])
    return form_post(root, url, **{"segments-0-text": "Investors came second.", button: ""})


def _segment_page(root, report):
    url = reverse("admin:archive_segment_change", args=[report.segments.get().pk])
    return form_post(root, url, text="Investors came second.")


def _segment_add(root, report):
    data = {"report": report.pk, "position": 2, "kind": "narration", "text": "New words."}
    return form_post(root, reverse("admin:archive_segment_add"), **data)


def _quote_page(root, report):
    url = reverse("admin:archive_quote_change", args=[Quote.objects.get().pk])
    return form_post(root, url, text="came first")


def _quote_add(root, report):
    segment = report.segments.get()
    data = {"segment": segment.pk, "speaker": segment.speaker_id, "text": "Investors"}
    return form_post(root, reverse("admin:archive_quote_add"), **data)


def _correction_add(root, report):
    data = {"report": report.pk, "corrected_on": "2026-01-02", "what_was_wrong": "A name."}
    return form_post(root, reverse("admin:archive_correction_add"), **data)


def _revert(root, report):
    save_report_in_admin(root, report, title="Old title")
    old = Version.objects.get_for_object(report).order_by("-pk").first()
    save_report_in_admin(root, report, title="Live")
    return form_post(root, reverse("admin:archive_report_revision", args=[report.pk, old.pk]))


def _bulk_delete(root, report):
    data = {"action": "delete_selected", "post": "yes",
            "_selected_action": [report.segments.get().pk]}  # fmt: skip
    return reverse("admin:archive_segment_changelist"), data


WRITES = {
    "report form": _report_form,
    "report form, hold button": partial(_report_form, button="_save_pending"),
    "segment page": _segment_page,
    "segment add": _segment_add,
    "quote page": _quote_page,
    "quote add": _quote_add,
    "correction add": _correction_add,
    "revert": _revert,
    "segment bulk delete": _bulk_delete,
}
# A contributor may not add corrections nor delete segments at all: refused, nothing pending.
REFUSED_TO_CONTRIBUTORS = {"correction add", "segment bulk delete"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", list(WRITES))
def test_no_route_changes_a_live_report_without_the_publish_permission(
    client, root, live_report, role, route
):
    url, data = WRITES[route](root, live_report)
    before = live_content(live_report)
    user = make_user(role)
    response = client_for(client, user).post(url, data)
    after = live_content(live_report)
    pending = PendingChange.objects.filter(report=live_report)
    if role == "anonymous":
        assert_sent_to_login(response)
        assert (after, pending.exists()) == (before, False)
    elif PUBLISHES[role]:
        held = route == "report form, hold button"
        assert response.status_code == 302
        assert (after != before, pending.exists()) == (not held, held)
    else:
        assert response.status_code in (200, 302, 403)  # 200: the action is not offered
        assert after == before
        assert pending.filter(author=user).exists() is (route not in REFUSED_TO_CONTRIBUTORS)


@pytest.fixture
def held_change(live_report):
    author = someone_else("contributor")
    segment = live_report.segments.get()
    with review_gate(SimpleNamespace(user=author), live_report, comment="Fix") as gate:
        Segment.objects.filter(pk=segment.pk).update(text="Investors came second.")
    return gate.pending


# -- one identity per person: undo a merge, dismiss a duplicate suggestion ----------


def identity_state():
    from archive.identity.models import DuplicateDismissal, SpeakerMerge

    return {
        "speakers": sorted(Speaker.objects.values_list("pk", "name")),
        "segments": sorted(Segment.objects.values_list("pk", "speaker_id")),
        "quotes": sorted(Quote.objects.values_list("pk", "speaker_id")),
        "undone": sorted(SpeakerMerge.objects.values_list("pk", "undone_at")),
        "dismissed": sorted(DuplicateDismissal.objects.values_list("speaker_id", "other_id")),
    }


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("role", ROLES)
def test_reverting_to_a_live_version_with_a_segment_to_review_is_refused_to_all(
    client, root, unsure_live_version, role, method
):
    report, version = unsure_live_version
    url = reverse(url_name(Report, "revision"), args=[quote(report.pk), version.pk])
    before = public_state()
    response = request(client_for(client, make_user(role)), method, url, root)
    if role == "anonymous":
        assert_sent_to_login(response)
    elif method == "get" and PUBLISHES[role]:
        assert response.status_code == 200  # the old version is shown, not applied
    else:
        history = reverse(url_name(Report, "history"), args=[report.pk])
        assert response.status_code == 302 and response["Location"] == history
        messages = " ".join(m.message for m in response.wsgi_request._messages)
        assert "Not reverted" in messages
        if PUBLISHES[role]:
            assert "need an editor to confirm the speaker" in messages
    assert public_state() == before


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("answer", ["publish", "discard"])
def test_only_editors_answer_a_pending_change(
    client, live_report, held_change, role, answer, method
):
    url = reverse("admin:archive_report_pending", args=[live_report.pk, held_change.pk])
    before = live_content(live_report)
    user_client = client_for(client, make_user(role))
    if method == "get":
        response = user_client.get(url)
    else:
        response = user_client.post(url, {"answer": answer})
    after = live_content(live_report)
    kept = PendingChange.objects.filter(pk=held_change.pk).exists()
    if role == "anonymous":
        assert_sent_to_login(response)
        assert (after, kept) == (before, True)
    elif method == "get":
        assert response.status_code == 200
        assert "<del>first.</del> <ins>second.</ins>" in response.text
        assert ("button" in response.text and 'value="publish"' in response.text) is PUBLISHES[role]
        assert (after, kept) == (before, True)
    elif not PUBLISHES[role]:
        assert response.status_code == 302 and "Not done" in " ".join(
            m.message for m in response.wsgi_request._messages
        )
        assert (after, kept) == (before, True)
    else:
        assert response.status_code == 302 and not kept
        assert (after != before) is (answer == "publish")


@pytest.mark.parametrize("step", ["confirmation_page", "confirmed"])
@pytest.mark.parametrize("role", ROLES)
def test_only_editors_reach_or_confirm_the_bulk_publish_page(client, role, step):
    report = Report.objects.create(title="Waiting draft", status="draft")
    data = {"action": "publish_now", "_selected_action": [report.pk]}
    if step == "confirmed":
        data["apply"] = "1"
    before = public_state()
    response = client_for(client, make_user(role)).post(
        reverse(url_name(Report, "changelist")), data
    )
    shown = "admin/archive/report/publish_form.html" in [t.name for t in response.templates]
    assert shown is (PUBLISHES[role] and step == "confirmation_page")
    published = Report.objects.filter(pk=report.pk, status="published").exists()
    assert published is (PUBLISHES[role] and step == "confirmed")
    if not published:
        assert public_state() == before


# -- the desk's import and review notes (issue 14) ---------------------------

EDITS = {"anonymous": False, "contributor": True, "editor": True, "superuser": True}


@pytest.mark.parametrize("role", ROLES)
def test_importing_in_the_browser_is_for_those_who_edit(client, role, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.IMPORT_STAGING_DIR = tmp_path
    seed = (
        settings.BASE_DIR / "fixtures" / "transcripts" / "skolkovo-china-russia-hi-tech-center.txt"
    )
    client = client_for(client, make_user(role))
    upload = SimpleUploadedFile(seed.name, seed.read_bytes())
    response = client.post(reverse("admin:archive_report_import"), {"files": [upload]})
    if not EDITS[role]:
        assert_sent_to_login(response)
        assert not list(tmp_path.iterdir())  # nothing kept either
        return
    client.post(response["Location"], {"chosen": ["0"]})
    report = Report.objects.get()
    assert report.status == Report.Status.DRAFT and report.created_by.username == role


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "action, before, allowed",
    [
        ("send_to_review", Report.Status.DRAFT, EDITS),
        ("send_back", Report.Status.REVIEW, PUBLISHES),
    ],
)
def test_review_notes_go_with_the_workflow_rules(client, role, action, before, allowed):
    report = Report.objects.create(title="Notes", status=before)
    data = {"action": action, "_selected_action": [report.pk], "apply": "1", "note": "A note."}
    response = client_for(client, make_user(role)).post(
        reverse("admin:archive_report_changelist"), data
    )
    if role == "anonymous":
        assert_sent_to_login(response)
    report.refresh_from_db()
    assert (report.status != before) is allowed[role]
    assert (report.review_note == "A note.") is allowed[role]


# The transcript editor's actions (archive/admin/editor/views.py): each writes, so each
# is here for every role, on a draft and on a live report.
EDITOR_ACTIONS = ["split", "merge", "insert", "quote", "update_quote", "remove_quote"]


def editor_scenario(status):
    speaker = make_speaker("Ann Lee")
    report = Report.objects.create(
        title=f"Edited {status}", status=status,
        published_at=timezone.now() - timedelta(hours=1) if status == "published" else None,
    )  # fmt: skip
    first = make_segment(report, text="We built it. Then it grew.", speaker=speaker)
    second = make_segment(report, text="It was hard.", speaker=speaker)
    make_quote(second, text="It was hard")
    third = make_segment(report, text="Original words.", speaker=speaker)
    flagged = make_quote(third, text="Original words")
    Segment.objects.filter(pk=third.pk).update(text="Original speech.")
    Segment.objects.get(pk=third.pk).recheck_quotes()
    report.refresh_from_db()
    posts = {
        "split": {"editor_segment": first.pk, "editor_offset": "13"},
        "merge": {"editor_segment": second.pk},
        "insert": {"editor_segment": first.pk, f"editor-insert-text-{first.pk}": "(MUSIC)",
                   f"editor-insert-kind-{first.pk}": "direction"},
        "quote": {"editor_segment": first.pk, f"editor-quote-{first.pk}": "We built it"},
        "update_quote": {"editor_quote": flagged.pk,
                         f"editor-proposal-{flagged.pk}": "Original speech"},
        "remove_quote": {"editor_quote": flagged.pk},
    }  # fmt: skip
    return report, posts


def transcript_of(report):
    return (
        list(report.segments.order_by("position").values_list("text", flat=True)),
        sorted(Quote.objects.filter(segment__report=report).values_list("text", flat=True)),
    )


def viewer():
    """Staff who may look at reports but not change them."""
    user = get_user_model().objects.create_user(username="viewer", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_report"))
    return user


@pytest.mark.parametrize("status", ["draft", "published"])
@pytest.mark.parametrize("role", [*ROLES, "viewer"])
@pytest.mark.parametrize("action", EDITOR_ACTIONS)
def test_the_transcript_editors_actions_go_through_review(client, action, role, status):
    report, posts = editor_scenario(status)
    user = viewer() if role == "viewer" else make_user(role)
    before, public = transcript_of(report), public_state()
    data = {"edit_token": edit_token(report.updated_at), **posts[action]}
    url = reverse(f"admin:archive_report_editor_{action}", args=[report.pk])
    response = client_for(client, user).post(url, data)
    may_delete = role in ("editor", "superuser")
    if role == "anonymous":
        assert_sent_to_login(response)
    elif role == "viewer" or (action == "remove_quote" and not may_delete):
        assert response.status_code == 403
    else:
        assert response.status_code == 302
        messages = [str(m) for m in response.wsgi_request._messages]
        if status == "published" and not PUBLISHES[role]:
            # Held for an editor: the public (and the stored report) are as they were.
            assert transcript_of(report) == before and public_state() == public
            assert PendingChange.objects.filter(report=report, author=user).exists(), messages
            return
        assert transcript_of(report) != before, messages
        assert not PendingChange.objects.exists()
        return
    assert transcript_of(report) == before and public_state() == public


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("role", ROLES)
def test_only_editors_undo_a_speaker_merge(client, role, method):
    from archive.identity import merging
    from archive.identity.models import SpeakerMerge

    kept, duplicate = make_speaker("Łukasz Wójtowski"), make_speaker("Lukasz Wojtowski")
    quote = make_quote(make_segment(speaker=duplicate, kind="soundbite"))
    merging.merge_speakers(kept, [duplicate])
    url = reverse("admin:archive_speakermerge_undo", args=[SpeakerMerge.objects.get().pk])
    before = identity_state()
    response = getattr(client_for(client, make_user(role)), method)(url)
    if role == "anonymous":
        assert_sent_to_login(response)
    elif role == "contributor":
        assert response.status_code == 403
    elif method == "get":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        quote.refresh_from_db()
        assert quote.speaker_id == duplicate.pk and quote.segment.speaker_id == duplicate.pk
        return
    assert identity_state() == before


@pytest.mark.parametrize("role", ROLES)
def test_only_editors_dismiss_a_duplicate_suggestion(client, role):
    from archive.identity.models import DuplicateDismissal

    one, two = make_speaker("Łukasz Wójtowski"), make_speaker("Ł. Wójtowski")
    data = {"action": "dismiss_duplicates", "_selected_action": [one.pk, two.pk]}
    client_for(client, make_user(role)).post(reverse("admin:archive_speaker_changelist"), data)
    assert DuplicateDismissal.objects.exists() is DELETES_PARTS[role]


# --- Presence on a report's change form (issue 14, item 4) -----------------------------

MAY_CHANGE_REPORTS = {"anonymous": False, "contributor": True, "editor": True, "superuser": True,
                      "staff without a group": False}  # fmt: skip


@pytest.mark.parametrize("role", [*ROLES, "staff without a group"])
def test_only_who_may_change_the_report_posts_a_presence_heartbeat(client, role):
    from archive.models import EditingPresence

    report = Report.objects.create(title="Being edited", status="draft")
    if role == "staff without a group":
        user = get_user_model().objects.create_user(username="staff", is_staff=True)
    else:
        user = make_user(role)
    user_client = client_for(client, user)
    url = reverse("admin:archive_report_presence", args=[report.pk])
    response = user_client.post(url, {"rejoin": "1"})
    if role == "anonymous":
        assert_sent_to_login(response)
    elif MAY_CHANGE_REPORTS[role]:
        assert response.status_code == 200 and response.json() == {"present": True, "others": []}
    else:
        assert response.status_code == 403
    assert EditingPresence.objects.filter(report=report).exists() is MAY_CHANGE_REPORTS[role]
    # Reading the change form records presence only for those who may change the report.
    EditingPresence.objects.all().delete()
    user_client.get(reverse("admin:archive_report_change", args=[report.pk]))
    assert EditingPresence.objects.exists() is MAY_CHANGE_REPORTS[role]


# -- names the public sees: speakers, organizations, topics, programmes ----------------


def _named_in_a_live_report(model, public):
    report = make_report("Named", status="published" if public else "draft")
    if model is Speaker:
        obj = make_speaker("Ana Ruiz")
        make_segment(report, speaker=obj)
    elif model is Organization:
        obj = make_organization("Harbour Authority")
        make_segment(report, speaker=make_speaker("Ana Ruiz", organization=obj))
    elif model is Topic:
        obj = make_topic("Ports")
        report.topics.add(obj)
    else:
        obj = make_programme("Evening Desk")
        Report.objects.filter(pk=report.pk).update(programme=obj)
    return obj


@pytest.mark.parametrize("public", [True, False], ids=["public", "draft only"])
@pytest.mark.parametrize("model", [Speaker, Organization, Topic, Programme],
                         ids=lambda m: m._meta.model_name)  # fmt: skip
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("view", ["change", "delete"])
def test_only_editors_change_or_delete_a_name_the_public_sees(
    client, root, role, model, public, view
):
    obj = _named_in_a_live_report(model, public)
    change = reverse(url_name(model, "change"), args=[obj.pk])
    if view == "change":
        url, data = change, {**form_data(root.get(change)), "name": "Renamed"}
    else:
        url, data = reverse(url_name(model, "delete"), args=[obj.pk]), {"post": "yes"}
    user = make_user(role)
    response = client_for(client, user).post(url, data)
    kept = model.objects.filter(pk=obj.pk, name=obj.name).exists()
    if role == "anonymous":
        assert_sent_to_login(response)
        assert kept
        return
    may = user.has_perm(f"archive.{view}_{model._meta.model_name}")
    if not may or (public and not PUBLISHES[role]):
        assert response.status_code == 403 and kept
    elif view == "change":
        assert response.status_code == 302 and not kept
