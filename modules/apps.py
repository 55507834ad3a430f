from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModulesConfig(AppConfig):
    name = "modules"
    verbose_name = _("Guidelines content")

    def ready(self) -> None:
        # Registered here, not in models.py: modeltranslation has already added title_en,
        # title_ru, ... by now, so every version holds both languages (see DESIGN.md 5).
        from modules.versioning import register_versioned_models

        register_versioned_models()
