"""Bulk workflow actions on the report changelist. Editors only (``publish`` permission)."""

import reversion
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse

from .. import workflow
from .forms import ReviewNoteForm, ScheduleForm, WithdrawForm


def _apply(modeladmin, request, queryset, move, verb, **kwargs):
    try:
        count = workflow.transition_all(queryset, move, user=request.user, **kwargs)
    except (PermissionDenied, ValidationError) as refusal:
        modeladmin.message_user(request, "; ".join(_messages(refusal)), messages.ERROR)
        return
    reversion.set_comment(f"{verb} (bulk action).")
    announce_move(modeladmin, request, verb, count)


def announce_move(modeladmin, request, verb, count):
    """What a move says, the same from the bulk action and from the report's form."""
    modeladmin.message_user(request, f"{verb}: {count} report(s).", messages.SUCCESS)


def _messages(error):
    return getattr(error, "messages", None) or [str(error)]


def _ask(modeladmin, request, queryset, form_class, title):
    """The action's intermediate page; returns (form, None) once the form is valid."""
    form = form_class(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        return form, None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": modeladmin.model._meta,
        "form": form,
        "reports": queryset,
        "action": request.POST["action"],
        "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"),
    }
    response = TemplateResponse(request, "admin/archive/report/transition_form.html", context)
    return None, response


@admin.action(description="Publish selected reports now…", permissions=["publish"])
def publish_now(modeladmin, request, queryset):
    """Show what will go live and what may not (``workflow.publish_blockers``), then publish."""
    held = workflow.publish_blockers_of(queryset)
    ready = queryset.exclude(pk__in=list(held))
    if "apply" in request.POST:
        if held:
            reasons = " ".join(reason for reasons in held.values() for reason in reasons)
            modeladmin.message_user(request, f"Not published: {reasons}", messages.ERROR)
        if ready.exists():
            _apply(modeladmin, request, ready, workflow.publish, "Published")
        return None
    shown, ready_count = 50, ready.count()
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Publish reports now",
        "opts": modeladmin.model._meta,
        "ready": ready[:shown],
        "ready_count": ready_count,
        "more": max(0, ready_count - shown),
        "held": [(report, held[report.pk]) for report in queryset.filter(pk__in=list(held))],
        "action": request.POST["action"],
        "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"),
    }
    return TemplateResponse(request, "admin/archive/report/publish_form.html", context)


@admin.action(description="Schedule selected reports…", permissions=["publish"])
def schedule(modeladmin, request, queryset):
    form, page = _ask(modeladmin, request, queryset, ScheduleForm, "Schedule reports")
    if page:
        return page
    at = form.cleaned_data["published_at"]
    _apply(modeladmin, request, queryset, workflow.schedule, "Scheduled", at=at)


@admin.action(description="Withdraw selected reports…", permissions=["publish"])
def withdraw(modeladmin, request, queryset):
    form, page = _ask(modeladmin, request, queryset, WithdrawForm, "Withdraw reports")
    if page:
        return page
    reason = form.cleaned_data["reason"]
    _apply(modeladmin, request, queryset, workflow.withdraw, "Withdrawn", reason=reason)


@admin.action(description="Send selected reports back to draft", permissions=["publish"])
def back_to_draft(modeladmin, request, queryset):
    _apply(modeladmin, request, queryset, workflow.back_to_draft, "Back to draft")


def _with_note(modeladmin, request, queryset, move, verb, title):
    form, page = _ask(modeladmin, request, queryset, ReviewNoteForm, title)
    if page:
        return page
    note = form.cleaned_data["note"]
    try:
        count = workflow.transition_all(queryset, move, user=request.user, note=note)
    except (PermissionDenied, ValidationError) as refusal:
        modeladmin.message_user(request, "; ".join(_messages(refusal)), messages.ERROR)
        return None
    # The revision's comment carries the note into the report's history.
    reversion.set_comment(f"{verb}" + (f" with a note: {note.strip()}" if note.strip() else "."))
    modeladmin.message_user(request, f"{verb}: {count} report(s).", messages.SUCCESS)
    return None


@admin.action(description="Send selected drafts to review…", permissions=["change"])
def send_to_review(modeladmin, request, queryset):
    return _with_note(
        modeladmin, request, queryset, workflow.send_to_review, "Sent to review", "Send to review"
    )


@admin.action(description="Send selected reports back from review…", permissions=["publish"])
def send_back(modeladmin, request, queryset):
    return _with_note(
        modeladmin, request, queryset, workflow.send_back, "Sent back to draft", "Send back"
    )
