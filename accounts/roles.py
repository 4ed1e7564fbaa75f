"""Staff roles. The groups are created and granted by data migrations."""

CUSTOMER_CARE = "Customer care"
MARKETING = "Marketing"


def grant(apps, grants: dict[str, list[tuple[str, str, tuple[str, ...]]]]) -> None:
    """Give each group the admin permissions listed, as (app_label, model, actions).

    For data migrations: each migration passes its own frozen list, so a later
    change to the roles never rewrites what an old migration did.
    """
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for group_name, rows in grants.items():
        group, _ = group_model.objects.get_or_create(name=group_name)
        for app_label, model, actions in rows:
            for action in actions:
                group.permissions.add(
                    permission_model.objects.get(
                        content_type__app_label=app_label, codename=f"{action}_{model}"
                    )
                )
