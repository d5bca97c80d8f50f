"""Who may move a report between states, by every route, and scheduling without a job."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from archive import workflow
from archive.models import Report
from tests.desk import ROLES, client_for, form_data, make_user, with_time
from tests.factories import make_report

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/archive/report/"
LATER = timedelta(days=2)

# transition: (state before, action name, action form fields, target fields on the report form)
TRANSITIONS = {
    "publish": ("draft", "publish_now", {}, {"status": "published"}),
    "schedule": ("draft", "schedule", {"published_at": LATER}, {"status": "published",
                                                                  "published_at": LATER}),
    "withdraw": ("published", "withdraw", {"reason": "Wrong footage."},
                 {"status": "withdrawn", "withdrawal_reason": "Wrong footage."}),
    "back_to_draft": ("published", "back_to_draft", {}, {"status": "draft"}),
}  # fmt: skip
EXPECTED_STATUS = {"publish": "published", "schedule": "published", "withdraw": "withdrawn",
                   "back_to_draft": "draft"}  # fmt: skip
ALLOWED = {"anonymous": False, "contributor": False, "editor": True, "superuser": True}


def fill(data, fields, *, split=True):
    for name, value in fields.items():
        if isinstance(value, timedelta) and split:
            data = with_time(data, name, timezone.now() + value)
        elif isinstance(value, timedelta):
            data[name] = timezone.localtime(timezone.now() + value).strftime("%Y-%m-%d %H:%M:%S")
        else:
            data[name] = value
    return data


def post_action(client, report, transition):
    _before, action, fields, _target = TRANSITIONS[transition]
    data = {"action": action, "_selected_action": [report.pk], "apply": "1"}
    return client.post(CHANGELIST, fill(data, fields, split=False))


def post_change_form(client, admin_client, report, transition, *, crafted):
    url = f"{CHANGELIST}{report.pk}/change/"
    own = client.get(url)
    # A crafted POST carries every field an editor's form has, whatever the user's form shows.
    source = admin_client.get(url) if crafted or own.status_code != 200 else own
    data = fill(form_data(source), TRANSITIONS[transition][3])
    if crafted:
        data["matches_source"] = "on"
    return client.post(url, data)


def post_add_form(client, admin_client, transition):
    data = form_data(admin_client.get(f"{CHANGELIST}add/"))
    data.update(title="Fresh report", slug="fresh-report")
    return client.post(f"{CHANGELIST}add/", fill(data, TRANSITIONS[transition][3]))


ROUTES = ["bulk_action", "change_form", "crafted_post"]
MATRIX = [(role, t, route) for role in ROLES for t in TRANSITIONS for route in ROUTES]
ADD_MATRIX = [(role, t) for role in ROLES for t in ("publish", "schedule")]


@pytest.fixture
def admin_client_(client, django_user_model):
    from django.test import Client

    other = Client()
    other.force_login(django_user_model.objects.create_superuser("root", password=None))
    return other


@pytest.mark.parametrize(("role", "transition", "route"), MATRIX)
def test_only_editors_move_a_report_out_of_draft_or_review(
    client, admin_client_, role, transition, route
):
    before = TRANSITIONS[transition][0]
    report = make_report(status=before)
    client = client_for(client, make_user(role))
    if route == "bulk_action":
        post_action(client, report, transition)
    else:
        post_change_form(client, admin_client_, report, transition, crafted=route == "crafted_post")
    report.refresh_from_db()
    expected = EXPECTED_STATUS[transition] if ALLOWED[role] else before
    assert report.status == expected


@pytest.mark.parametrize(("role", "transition"), ADD_MATRIX)
def test_only_editors_create_a_report_already_published(client, admin_client_, role, transition):
    client = client_for(client, make_user(role))
    post_add_form(client, admin_client_, transition)
    published = Report.objects.filter(slug="fresh-report", status="published").exists()
    assert published is ALLOWED[role]


def test_contributor_may_send_a_draft_to_review_and_back(client):
    report = make_report(status="draft")
    contributor = make_user("contributor")
    workflow.submit_for_review(report, user=contributor)
    assert report.status == "review"
    client_for(client, contributor)
    data = form_data(client.get(f"{CHANGELIST}{report.pk}/change/"))
    client.post(f"{CHANGELIST}{report.pk}/change/", {**data, "status": "draft"})
    report.refresh_from_db()
    assert report.status == "draft"


def test_contributor_form_offers_only_draft_and_review(client):
    report = make_report(status="draft")
    client_for(client, make_user("contributor"))
    form = client.get(f"{CHANGELIST}{report.pk}/change/").context["adminform"].form
    assert [value for value, _ in form.fields["status"].choices] == ["draft", "review"]
    assert "published_at" not in form.fields and "withdrawal_reason" not in form.fields


def action_names(client):
    form = client.get(CHANGELIST).context["action_form"]
    return set() if form is None else {name for name, _ in form.fields["action"].choices}


def test_only_editors_see_the_publishing_actions(client):
    publishing = {"publish_now", "schedule", "withdraw", "back_to_draft"}
    client_for(client, make_user("contributor"))
    assert not action_names(client) & publishing
    client_for(client, make_user("editor"))
    assert action_names(client) >= publishing


def test_the_workflow_functions_refuse_a_contributor_from_the_shell_too():
    report = make_report(status="draft")
    with pytest.raises(PermissionDenied):
        workflow.publish(report, user=make_user("contributor"))
    report.refresh_from_db()
    assert report.status == "draft"


def test_withdrawing_needs_a_public_reason():
    report = make_report()
    with pytest.raises(ValidationError):
        workflow.withdraw(report, "  ", user=make_user("editor"))


def test_publishing_from_the_form_without_a_time_means_now(client):
    report = make_report(status="draft")
    client_for(client, make_user("editor"))
    data = form_data(client.get(f"{CHANGELIST}{report.pk}/change/"))
    client.post(f"{CHANGELIST}{report.pk}/change/", {**data, "status": "published"})
    report.refresh_from_db()
    assert report.is_public


def test_a_scheduled_report_goes_live_by_itself_with_nothing_run_in_between(client):
    start = timezone.now()
    report = make_report(status="draft")
    workflow.schedule(report, start + timedelta(hours=1), user=make_user("editor"), now=start)
    url = report.get_absolute_url()
    with mock.patch("django.utils.timezone.now", return_value=start + timedelta(minutes=59)):
        assert report not in Report.objects.public()
        assert client.get(url).status_code == 404
    with mock.patch("django.utils.timezone.now", return_value=start + timedelta(minutes=61)):
        assert report in Report.objects.public()
        assert client.get(url).status_code == 200


def test_scheduling_in_the_past_is_refused():
    report = make_report(status="draft")
    with pytest.raises(ValidationError):
        workflow.schedule(report, timezone.now() - LATER, user=make_user("editor"))


def test_the_form_names_the_time_zone(client, settings):
    report = make_report(status="draft")
    client_for(client, make_user("editor"))
    page = client.get(f"{CHANGELIST}{report.pk}/change/").text
    assert f"Times are in {settings.TIME_ZONE}" in page


# --- Withdrawn: 410 only for a report that was public once (issue 9, item 7) -------------

import importlib  # noqa: E402

from django.apps import apps  # noqa: E402
from reversion.models import Version  # noqa: E402

from archive import history  # noqa: E402


def page_and_citation(client, report):
    return [client.get(report.get_absolute_url()), client.get(f"/reports/{report.slug}/cite.bib")]


def test_a_report_withdrawn_without_ever_being_public_is_not_found(client):
    report = make_report("Never aired scoop", status="draft")
    workflow.withdraw(report, "Legal said no.", user=make_user("editor"))
    for response in page_and_citation(client, report):
        assert response.status_code == 404
        assert "Never aired scoop" not in response.text and "Legal said no" not in response.text


def test_a_report_withdrawn_after_it_was_public_is_gone_with_its_notice(client):
    report = make_report("Aired story", status="draft")
    editor = make_user("editor")
    workflow.publish(report, user=editor)
    workflow.withdraw(report, "Wrong footage.", user=editor)
    page, citation = page_and_citation(client, report)
    assert page.status_code == 410 and "Wrong footage." in page.text
    assert citation.status_code == 410


def test_a_report_withdrawn_before_its_scheduled_time_stays_not_found_after_it(client):
    start = timezone.now()
    report = make_report("Embargoed", status="draft")
    editor = make_user("editor")
    workflow.schedule(report, start + timedelta(hours=1), user=editor, now=start)
    workflow.withdraw(report, "Embargo broken.", user=editor)
    with mock.patch("django.utils.timezone.now", return_value=start + timedelta(hours=2)):
        assert client.get(report.get_absolute_url()).status_code == 404


def test_a_report_once_public_then_back_to_draft_is_gone_once_withdrawn(client):
    report = make_report("Aired once", status="draft")
    editor = make_user("editor")
    workflow.publish(report, user=editor)
    workflow.back_to_draft(report, user=editor)
    workflow.withdraw(report, "Retracted.", user=editor)
    assert client.get(report.get_absolute_url()).status_code == 410


def test_withdrawing_a_public_report_from_the_change_form_answers_gone(client):
    report = make_report("Live story")
    client_for(client, make_user("editor"))
    url = f"{CHANGELIST}{report.pk}/change/"
    data = {**form_data(client.get(url)), "status": "withdrawn", "withdrawal_reason": "Wrong."}
    assert client.post(url, data).status_code == 302
    client.logout()
    assert client.get(report.get_absolute_url()).status_code == 410


def test_reverting_to_a_version_from_before_publication_keeps_that_it_was_public(client):
    report = make_report("Reverted story", status="draft")
    editor = make_user("editor")
    client_for(client, editor)
    url = f"{CHANGELIST}{report.pk}/change/"
    assert client.post(url, form_data(client.get(url))).status_code == 302  # a draft version
    draft = Version.objects.get_for_object(report).get().revision
    workflow.publish(report, user=editor)
    history.Revert(draft, user=editor).execute()
    report.refresh_from_db()
    assert report.status == "draft" and report.first_public_at is not None
    workflow.withdraw(report, "Retracted.", user=editor)
    client.logout()
    assert client.get(report.get_absolute_url()).status_code == 410


def test_the_migration_takes_old_withdrawn_rows_with_a_past_publication_as_once_public():
    migration = importlib.import_module("archive.migrations.0006_report_first_public_at")
    aired = make_report("Aired", status="withdrawn", first_public_at=None,
                        published_at=timezone.now() - LATER)  # fmt: skip
    never = make_report("Never", status="withdrawn", first_public_at=None)
    migration.backfill(apps, None)
    assert list(Report.objects.gone()) == [aired]
    never.refresh_from_db()
    assert never.first_public_at is None
