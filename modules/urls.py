from django.urls import include, path

from guidelines_portal.page_store import stored_page
from modules.feeds import EditionsFeed, ModuleEditionsFeed
from modules.views import changes, citations, formats, pdf, preview, reading, search, translation

app_name = "modules"

# The reading pages serve the current edition and, under editions/<number>/, any edition.
in_edition = [
    path("", reading.home, name="edition_home"),
    path("pdf/", pdf.edition_pdf, name="edition_pdf"),
    path("modules/<slug:module>/pdf/", pdf.edition_pdf, name="edition_module_pdf"),
    # The review kit's copy: paragraph identifiers in the margin, room for notes.
    path("pdf/review/", pdf.edition_pdf, {"review": True}, name="edition_review_pdf"),
    path(
        "modules/<slug:module>/pdf/review/",
        pdf.edition_pdf,
        {"review": True},
        name="edition_module_review_pdf",
    ),
    path("epub/", formats.edition_epub, name="edition_epub"),
    path("modules/<slug:module>/epub/", formats.edition_epub, name="edition_module_epub"),
    path("docx/", formats.edition_docx, name="edition_docx"),
    path("modules/<slug:module>/docx/", formats.edition_docx, name="edition_module_docx"),
    path("modules/<slug:module>/", reading.module_detail, name="edition_module"),
    path("modules/<slug:module>/<slug:key>/", reading.section_detail, name="edition_section"),
    # Citation files (BibTeX, RIS, CSL-JSON) of the edition, a module, a section.
    path("cite.<citation_format:fmt>", citations.citation_file, name="edition_citation"),
    path(
        "modules/<slug:module>/cite.<citation_format:fmt>",
        citations.citation_file,
        name="edition_module_citation",
    ),
    path(
        "modules/<slug:module>/<slug:key>/cite.<citation_format:fmt>",
        citations.citation_file,
        name="edition_section_citation",
    ),
]

comparisons = [
    path("", changes.edition_compare, name="compare"),
    path("sections/<slug:key>/", changes.section_change, name="section_change"),
]

# Staff only: the working draft as readers would see it.
previews = [
    path("", preview.compare_with_current, name="preview_compare"),
    path("pdf/", pdf.draft_pdf, name="preview_pdf"),
    path("modules/<slug:module>/pdf/", pdf.draft_pdf, name="preview_module_pdf"),
    path("modules/<slug:module>/", preview.module_detail, name="preview_module"),
    path("modules/<slug:module>/<slug:key>/", preview.section_detail, name="preview_section"),
]

# Staff only: the state of the Russian text, and XLIFF for translation tools.
translations = [
    path("", translation.status_list, name="translation_status"),
    path("sections/<slug:key>/", translation.status_detail, name="translation_detail"),
    path("modules/<slug:module>/xliff/", translation.xliff_export, name="xliff_export"),
    path("modules/<slug:module>/import/", translation.xliff_import, name="xliff_import"),
]

urlpatterns = [
    path("", reading.home, name="home"),
    path("modules/<slug:module>/", reading.module_detail, name="module"),
    path("modules/<slug:module>/feed/", stored_page(ModuleEditionsFeed()), name="module_feed"),
    path("modules/<slug:module>/<slug:key>/", reading.section_detail, name="section"),
    path("editions/", changes.edition_list, name="edition_list"),
    path("editions/feed/", stored_page(EditionsFeed()), name="edition_feed"),
    path("editions/compare/", changes.compare_pick, name="compare_pick"),
    path("editions/<edition:older>/compare/<edition:newer>/", include(comparisons)),
    path("editions/<edition:edition>/", include(in_edition)),
    path("search/", search.search_page, name="search"),
    path("preview/", include(previews)),
    path("translation/", include(translations)),
]
