"""The desk's import pages: upload, preview per file, import the chosen files as drafts."""

from dataclasses import fields
from functools import partial

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, TooManyFilesSent
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from ... import workflow
from ...importer import ImportCounts, import_uploads, plan_uploads
from ...models import Report
from ...pending import review_gate
from ...pending.gate import must_review
from . import staging
from .uploads import UploadReader, UploadRefused

# Room for the form's fields and each file's multipart headers, beyond the files' bytes.
FORM_OVERHEAD_BYTES = 1_000_000


def urls(model_admin):
    """The import's URLs, under the report admin's."""
    site = model_admin.admin_site
    # The upload checks its size before the CSRF check would read (and store) the body.
    upload_view = csrf_exempt(partial(upload, model_admin))
    return [
        path("import/", site.admin_view(upload_view), name="archive_report_import"),
        path(
            "import/<str:token>/",
            site.admin_view(partial(preview, model_admin)),
            name="archive_report_import_preview",
        ),
    ]


def _check_allowed(model_admin, request):
    if not model_admin.has_add_permission(request):
        raise PermissionDenied("Only contributors and editors import transcripts.")


def _limits():
    return settings.IMPORT_UPLOAD_MAX_BYTES, settings.IMPORT_UPLOAD_MAX_FILES


def _page(model_admin, request, template, title, status=200, **context):
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": title,
        **context,
    }
    return TemplateResponse(request, template, context, status=status)


def _upload_page(model_admin, request, error=None, status=200):
    max_bytes, max_files = _limits()
    return _page(
        model_admin,
        request,
        "admin/archive/importing/upload.html",
        "Import transcripts",
        status=status,
        error=error,
        max_bytes=max_bytes,
        max_files=max_files,
    )


def upload(model_admin, request):
    _check_allowed(model_admin, request)
    if request.method != "POST":
        return _upload_page(model_admin, request)
    max_bytes, max_files = _limits()
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > max_bytes + FORM_OVERHEAD_BYTES:
        error = (
            f"The upload is {length:,} bytes, over the limit of {max_bytes:,}; import it in parts."
        )
        return _upload_page(model_admin, request, error, status=413)
    try:
        return _receive(request, model_admin)
    except TooManyFilesSent:
        error = f"The upload holds too many files; at most {max_files:,} are imported at once."
        return _upload_page(model_admin, request, error, status=400)


@csrf_protect
def _receive(request, model_admin):
    max_bytes, max_files = _limits()
    reader = UploadReader(max_bytes=max_bytes, max_files=max_files)
    try:
        files = reader.read(request.FILES.getlist("files"))
    except UploadRefused as refused:
        return _upload_page(model_admin, request, str(refused), status=400)
    token = staging.stage(files, user=request.user)
    return redirect(reverse("admin:archive_report_import_preview", args=[token]))


def _may_replace(user, report):
    """The importer's rule: a changed file replaces a live report only for an editor."""
    return workflow.may_replace_text(user, report["status"])


def _held_for_review(user, plan):
    """Whether replacing this plan's report waits for an editor (``archive.pending``)."""
    return plan.outcome == "changed" and must_review(user, Report(pk=plan.report["pk"]))


def _preview_rule(user, report):
    # A replacement held for review changes nothing the public sees: it is allowed.
    if must_review(user, Report(pk=report["pk"])):
        return None
    return _may_replace(user, report)


def preview(model_admin, request, token):
    _check_allowed(model_admin, request)
    try:
        uploads = staging.load(token, user=request.user)
    except staging.StagingGone as gone:
        messages.error(request, str(gone))
        return redirect(reverse("admin:archive_report_import"))
    plans = plan_uploads(uploads, may_replace=partial(_preview_rule, request.user))
    if request.method == "POST":
        return _import(request, token, plans)
    rows = [
        {
            "index": index,
            "plan": plan,
            "summary": plan.summary,
            "importable": plan.outcome == "new" or (plan.outcome == "changed" and not plan.reason),
            "held": _held_for_review(request.user, plan),
            "report_url": plan.report
            and reverse("admin:archive_report_change", args=[plan.report["pk"]]),
        }
        for index, plan in enumerate(plans)
    ]
    return _page(
        model_admin,
        request,
        "admin/archive/importing/preview.html",
        "Import transcripts: what each file will do",
        rows=rows,
        importable=sum(1 for row in rows if row["importable"]),
    )


def _import(request, token, plans):
    chosen = set(request.POST.getlist("chosen"))
    picked = [plan for index, plan in enumerate(plans) if str(index) in chosen]
    if not picked:
        messages.warning(request, "No file was chosen: nothing was imported.")
        return redirect(reverse("admin:archive_report_import_preview", args=[token]))
    refusals, held = [], [plan for plan in picked if _held_for_review(request.user, plan)]
    options = {"may_replace": partial(_may_replace, request.user), "created_by": request.user}
    options["on_refused"] = refusals.append
    # Files that were new at the preview are imported without replacing anything: if
    # one has become a version of a report since, it is refused, as the command would.
    counts = import_uploads([p.upload for p in picked if p.outcome != "changed"], **options)
    changed = [p.upload for p in picked if p.outcome == "changed" and p not in held]
    if changed:
        counts = _sum(counts, import_uploads(changed, replace=True, **options))
    for plan in held:
        _import_for_review(request, plan, options)
    staging.discard(token)
    if counts.files:
        level = messages.WARNING if counts.failed else messages.SUCCESS
        messages.add_message(request, level, f"Imported as drafts: {counts.summary()}.")
    for refused in refusals:
        messages.error(request, str(refused))
    return redirect(reverse("admin:index"))


def _import_for_review(request, plan, options):
    """Replace a live report's text as a pending change: the public keeps the live version."""
    report = Report.objects.filter(pk=plan.report["pk"]).first()
    comment = f"Replaced from the browser: {plan.upload.name}"
    with review_gate(request, report, comment) as gate:
        # Inside the gate the change is rolled back and kept for an editor, if it must be.
        import_uploads([plan.upload], replace=True, **{**options, "may_replace": None})
    if gate.pending is not None:
        messages.info(request, f"{plan.upload.name}: {gate.message}")


def _sum(one, other):
    names = [field.name for field in fields(ImportCounts)]
    return ImportCounts(**{name: getattr(one, name) + getattr(other, name) for name in names})
