from modeltranslation.translator import TranslationOptions, register

from modules.models import Module, Section, SectionReplacement


@register(Module)
class ModuleTranslationOptions(TranslationOptions):
    fields = ("title", "short_title", "summary", "summary_html")
    required_languages = ("en",)


@register(Section)
class SectionTranslationOptions(TranslationOptions):
    fields = ("title", "body", "body_html", "change_reason")
    required_languages = ("en",)


@register(SectionReplacement)
class SectionReplacementTranslationOptions(TranslationOptions):
    fields = ("note",)
