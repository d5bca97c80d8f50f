"""Create the Contributors and Editors groups and the publish permission.

Permissions are normally created after migrations run; creating them here
means the groups are complete on every fresh database, before first use.
"""

from django.db import migrations

CONTENT_MODELS = ["report", "segment", "speaker", "organization", "topic", "quote"]
CONTRIBUTOR_ACTIONS = ["add", "change", "view"]
EDITOR_ACTIONS = ["add", "change", "view", "delete"]


def create_groups(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")

    def permission(model, codename, name):
        content_type, _ = ContentType.objects.get_or_create(app_label="archive", model=model)
        perm, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        return perm

    def model_permissions(actions):
        return [
            permission(model, f"{action}_{model}", f"Can {action} {model}")
            for model in CONTENT_MODELS
            for action in actions
        ]

    publish = permission(
        "report", "publish_report", "Can publish, schedule and withdraw reports"
    )
    contributors, _ = Group.objects.get_or_create(name="Contributors")
    contributors.permissions.add(*model_permissions(CONTRIBUTOR_ACTIONS))
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(*model_permissions(EDITOR_ACTIONS), publish)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Contributors", "Editors"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
