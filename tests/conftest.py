import pytest
from django.core.management import call_command

from archive.models import Report

SEED_SLUG = "skolkovo-china-russia-hi-tech-center"


@pytest.fixture
def seed_report(db):
    """The archive's real seed report, loaded from fixtures/archive.json."""
    call_command("loaddata", "archive", verbosity=0)
    return Report.objects.get(slug=SEED_SLUG)
