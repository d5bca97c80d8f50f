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
from tests.desk import ROLES, client_for, form_data, make_user
from tests.factories import make_organization, make_quote, make_segment, make_speaker, make_topic

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
