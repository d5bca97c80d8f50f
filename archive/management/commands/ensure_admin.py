import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "When no user exists, create a local administrator with a random password "
        "and print the password once. Does nothing otherwise."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        User = get_user_model()
        if User.objects.exists():
            self.stdout.write("Users exist already; no administrator created.", self.style.NOTICE)
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created administrator '{username}' with password: {password}\n"
                "It is shown only this once; change it at /admin/password_change/."
            )
        )
