"""Moving a model to another app keeps its permissions, and the groups and users holding them.

Used by the migrations that moved models between apps (``SeparateDatabaseAndState``): the table
stays, and so must the content type its permissions hang on, renamed to the new app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Migrate = Callable[[Any, Any], None]


def move_content_types(old_app: str, new_app: str, models: list[str]) -> tuple[Migrate, Migrate]:
    """The forward and backward functions of a ``RunPython`` that moves ``models``' types."""

    def forward(apps: Any, schema_editor: Any) -> None:
        _move(apps, old_app, new_app, models)

    def backward(apps: Any, schema_editor: Any) -> None:
        _move(apps, new_app, old_app, models)

    return forward, backward


def _move(apps: Any, old_app: str, new_app: str, models: list[str]) -> None:
    content_types = apps.get_model("contenttypes", "ContentType").objects
    permissions = apps.get_model("auth", "Permission").objects
    for model in models:
        old = content_types.filter(app_label=old_app, model=model).first()
        if old is None:
            continue
        new = content_types.filter(app_label=new_app, model=model).first()
        if new is None:
            old.app_label = new_app
            old.save(update_fields=["app_label"])
            continue
        # A new database may have made both types already: the old one's grants go to the new.
        for permission in permissions.filter(content_type=old):
            target = permissions.filter(content_type=new, codename=permission.codename).first()
            if target is None:
                permission.content_type = new
                permission.save(update_fields=["content_type"])
                continue
            for group in permission.group_set.all():
                group.permissions.add(target)
            for user in permission.user_set.all():
                user.user_permissions.add(target)
        old.delete()
