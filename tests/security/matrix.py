"""The permission matrix: who may reach which back-office and staff URL, and what they get.

The table below is the reference: one row per URL (and method), one column per persona, each
cell a one-letter outcome. test_permission_matrix.py requests every cell, checks that the admin
and the URLconf offer nothing the table lacks (and nothing it names has gone), and checks the
public side: published editions are open to all, nothing unpublished is found by guessing.

Expectations follow accounts/roles.py: editors run the draft, editions and feedback; translators
read the draft and change its Russian text only; feedback reviewers read the draft and editions
and handle feedback; users, groups and the task queue are for superusers.
"""

import datetime
from dataclasses import dataclass, field

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.models import DBTaskResult
from reversion.models import Revision, Version

from accounts.roles import EDITORS, FEEDBACK_REVIEWERS, TRANSLATORS
from accounts.services import backup_codes_issue, setup_link_issue
from alerts import links as alert_links
from alerts import services as alerts_services
from feedback import services as feedback_services
from feedback.models import (
    CommentTable,
    EditorAlerts,
    Feedback,
    FeedbackEvent,
    ResponseTemplate,
    Status,
    Workshop,
)
from modules import pdf_services, services
from modules.models import (
    Edition,
    EditionModule,
    EditionPDF,
    EditionSection,
    Module,
    ScheduledPublication,
    Section,
    SectionReplacement,
    SectionReview,
)
from modules.tasks import build_edition_pdf
from modules.versioning import revision
from tests.conftest import _user, make_module, make_section, publish
from tests.feedback.conftest import make_feedback

PERSONAS = (
    "anonymous",
    "reader",
    "staff_without_permissions",
    "editor",
    "translator",
    "reviewer",
    "superuser",
)

# Outcome letters. Refusals must change nothing and show none of the secret texts below.
OUTCOMES = {
    "2": "200",
    "P": "200, or 202 while the PDF is being built",
    "R": "302 somewhere other than the sign-in page (the persona may do this)",
    "0": "200 on a page that shows no guideline or feedback data (refusal)",
    "o": "200 but the action is ignored (refusal)",
    "r": "302 with the action ignored (refusal)",
    "L": "302 to the sign-in page (refusal)",
    "S": "302 to the sign-in page, then on to setting up an authenticator app (allowed)",
    "F": "403 (refusal)",
    "N": "404 (refusal)",
    "A": "405 (refusal)",
    "B": "400 (refusal)",
    "G": "410 (refusal)",
    ".": "not requested (an allowed write, tested where its behaviour is)",
}
REFUSALS = frozenset("0orLFNABG")
# Refusals whose answer must not show the draft or private texts ("o" shows a list the persona
# may read, with the action ignored).
BLIND = frozenset("0rLFNABG")

# Columns: anonymous, reader, staff without permissions, editor, translator, reviewer, superuser.
# "GET name" opens the page; "POST name" sends it a form. Rows with a third word name one
# variant: an app, an autocomplete field (app.model.field), a model, or an admin action.
# fmt: off
MATRIX = {
    # --- The admin site itself -----------------------------------------------------------
    "GET admin:index":                                          "L L 0 2 2 2 2",
    "GET admin:login":                                          "0 0 R R R R R",
    "GET admin:logout":                                         "r r A A A A A",
    "GET admin:password_change":                                "L L 0 0 0 0 0",
    "POST admin:password_change":                               "L L . . . . .",
    "GET admin:password_change_done":                           "L L 0 0 0 0 0",
    "GET admin:jsi18n":                                         "L L 0 0 0 0 0",
    "GET admin:app_list modules":                               "L L N 2 2 2 2",
    "GET admin:app_list feedback":                              "L L N 2 N 2 2",
    "GET admin:app_list auth":                                  "L L N N N N 2",
    "GET admin:app_list django_tasks_database":                 "L L N N N N 2",
    "GET admin:autocomplete modules.section.parent":            "L L F 2 2 2 2",
    "GET admin:autocomplete modules.sectionreplacement.replaced_by": "L L F 2 2 2 2",
    "GET admin:autocomplete feedback.feedback.duplicate_of":    "L L F 2 F 2 2",
    "GET admin:autocomplete feedback.feedback.section":         "L L F 2 2 2 2",
    # "View on site": only for what the persona may view; never a contributor's private link.
    "GET admin:view_on_site modules.module":                    "L L F R R R R",
    "GET admin:view_on_site modules.section":                   "L L F R R R R",
    "GET admin:view_on_site modules.edition":                   "L L F R R R R",
    "GET admin:view_on_site feedback.consultationround":        "L L F R F F R",
    "GET admin:view_on_site feedback.workshop":                 "L L F R F F R",
    # --- Modules of the working draft: editors and translators change; only superusers add or delete
    "GET admin:modules_module_changelist":                      "L L F 2 2 2 2",
    "GET admin:modules_module_add":                             "L L F F F F 2",
    "POST admin:modules_module_add":                            "L L F F F F .",
    "GET admin:modules_module_change":                          "L L F 2 2 2 2",
    "POST admin:modules_module_change":                         "L L F . . F .",
    "GET admin:modules_module_delete":                          "L L F F F F 2",
    "POST admin:modules_module_delete":                         "L L F F F F .",
    "GET admin:modules_module_history":                         "L L F 2 2 2 2",
    "GET admin:modules_module_compare":                         "L L F 2 2 2 2",
    "GET admin:modules_module_revision":                        "L L F 2 F F 2",
    "POST admin:modules_module_revision":                       "L L F . F F .",
    "GET admin:modules_module_recoverlist":                     "L L F F F F 2",
    "GET admin:modules_module_recover":                         "L L F F F F 2",
    "POST admin:modules_module_recover":                        "L L F F F F .",
    "POST admin:modules_module_preview":                        "L L F 2 2 F 2",
    # --- Sections: editors do everything; translators change (Russian only); reviewers read
    "GET admin:modules_section_changelist":                     "L L F 2 2 2 2",
    "POST admin:modules_section_changelist delete_selected":    "L L F R o o R",
    "GET admin:modules_section_add":                            "L L F 2 F F 2",
    "POST admin:modules_section_add":                           "L L F . F F .",
    "GET admin:modules_section_change":                         "L L F 2 2 2 2",
    "POST admin:modules_section_change":                        "L L F . . F .",
    "GET admin:modules_section_delete":                         "L L F 2 F F 2",
    "POST admin:modules_section_delete":                        "L L F . F F .",
    "GET admin:modules_section_history":                        "L L F 2 2 2 2",
    "GET admin:modules_section_compare":                        "L L F 2 2 2 2",
    "GET admin:modules_section_revision":                       "L L F 2 F F 2",
    "POST admin:modules_section_revision":                      "L L F . F F .",
    "GET admin:modules_section_recoverlist":                    "L L F 2 F F 2",
    "GET admin:modules_section_recover":                        "L L F 2 F F 2",
    "POST admin:modules_section_recover":                       "L L F . F F .",
    "POST admin:modules_section_preview":                       "L L F 2 2 F 2",
    "POST admin:modules_section_move":                          "L L F R F F R",
    # Clearance: whoever reads the draft reads a change's review; editors submit and approve
    "GET admin:modules_section_review":                         "L L F 2 2 2 2",
    "POST admin:modules_section_review":                        "L L F . F F .",
    # --- Where removed sections' readers are sent: editors only
    "GET admin:modules_sectionreplacement_changelist":          "L L F 2 F F 2",
    "POST admin:modules_sectionreplacement_changelist delete_selected": "L L F R F F R",
    "GET admin:modules_sectionreplacement_add":                 "L L F 2 F F 2",
    "POST admin:modules_sectionreplacement_add":                "L L F . F F .",
    "GET admin:modules_sectionreplacement_change":              "L L F 2 F F 2",
    "POST admin:modules_sectionreplacement_change":             "L L F . F F .",
    "GET admin:modules_sectionreplacement_delete":              "L L F 2 F F 2",
    "POST admin:modules_sectionreplacement_delete":             "L L F . F F .",
    "GET admin:modules_sectionreplacement_history":             "L L F 2 F F 2",
    # --- Editions: editors publish; nobody, not even a superuser, changes or deletes one
    "GET admin:modules_edition_changelist":                     "L L F 2 2 2 2",
    "GET admin:modules_edition_add":                            "L L F 2 F F 2",
    "POST admin:modules_edition_add":                           "L L F . F F .",
    "GET admin:modules_edition_change":                         "L L F 2 2 2 2",
    "POST admin:modules_edition_change":                        "L L F F F F F",
    "GET admin:modules_edition_delete":                         "L L F F F F F",
    "POST admin:modules_edition_delete":                        "L L F F F F F",
    "GET admin:modules_edition_history":                        "L L F 2 2 2 2",
    # ... and cancel a scheduled publication (POST only)
    "GET admin:modules_edition_cancel_schedule":                "L L F A F F A",
    "POST admin:modules_edition_cancel_schedule":               "L L F . F F .",
    # --- Edition PDFs: editors see them and queue a rebuild; rows are never written by hand
    "GET admin:modules_editionpdf_changelist":                  "L L F 2 F F 2",
    "POST admin:modules_editionpdf_changelist rebuild":         "L L F R F F R",
    "GET admin:modules_editionpdf_add":                         "L L F F F F F",
    "POST admin:modules_editionpdf_add":                        "L L F F F F F",
    "GET admin:modules_editionpdf_change":                      "L L F 2 F F 2",
    "POST admin:modules_editionpdf_change":                     "L L F F F F F",
    "GET admin:modules_editionpdf_delete":                      "L L F F F F F",
    "POST admin:modules_editionpdf_delete":                     "L L F F F F F",
    "GET admin:modules_editionpdf_history":                     "L L F 2 F F 2",
    # --- Feedback: editors and reviewers; never deleted
    "GET admin:feedback_feedback_changelist":                   "L L F 2 F 2 2",
    "POST admin:feedback_feedback_changelist assign_to_me":     "L L F R F R R",
    "POST admin:feedback_feedback_changelist change_status":    "L L F 2 F 2 2",
    "POST admin:feedback_feedback_changelist export_selected":  "L L F 2 F 2 2",
    "GET admin:feedback_feedback_export":                       "L L F 2 F 2 2",
    "GET admin:feedback_feedback_add":                          "L L F 2 F 2 2",
    "POST admin:feedback_feedback_add":                         "L L F . F . .",
    "GET admin:feedback_feedback_change":                       "L L F 2 F 2 2",
    "POST admin:feedback_feedback_change":                      "L L F . F . .",
    "GET admin:feedback_feedback_delete":                       "L L F F F F F",
    "POST admin:feedback_feedback_delete":                      "L L F F F F F",
    "GET admin:feedback_feedback_history":                      "L L F 2 F 2 2",
    # The triage desk and its decision pages: whoever triages; deciding needs change_feedback
    "GET admin:feedback_feedback_triage":                       "L L F 2 F 2 2",
    "POST admin:feedback_feedback_triage":                      "L L F . F . .",
    "GET admin:feedback_feedback_decide":                       "L L F 2 F 2 2",
    "POST admin:feedback_feedback_decide":                      "L L F . F . .",
    # Filled comment tables: whoever may record feedback (add_feedback) uploads and confirms
    "GET admin:feedback_feedback_table_upload":                 "L L F 2 F 2 2",
    "POST admin:feedback_feedback_table_upload":                "L L F . F . .",
    "GET admin:feedback_feedback_table":                        "L L F 2 F 2 2",
    "POST admin:feedback_feedback_table":                       "L L F . F . .",
    # Response templates: editors write them; reviewers use them on the desk; never deleted
    "GET admin:feedback_responsetemplate_changelist":           "L L F 2 F F 2",
    "GET admin:feedback_responsetemplate_add":                  "L L F 2 F F 2",
    "POST admin:feedback_responsetemplate_add":                 "L L F . F F .",
    "GET admin:feedback_responsetemplate_change":               "L L F 2 F F 2",
    "POST admin:feedback_responsetemplate_change":              "L L F . F F .",
    "GET admin:feedback_responsetemplate_delete":               "L L F F F F F",
    "POST admin:feedback_responsetemplate_delete":              "L L F F F F F",
    "GET admin:feedback_responsetemplate_history":              "L L F 2 F F 2",
    # Workshops: editors record them; never deleted
    "GET admin:feedback_workshop_changelist":                   "L L F 2 F F 2",
    "GET admin:feedback_workshop_add":                          "L L F 2 F F 2",
    "POST admin:feedback_workshop_add":                         "L L F . F F .",
    "GET admin:feedback_workshop_change":                       "L L F 2 F F 2",
    "POST admin:feedback_workshop_change":                      "L L F . F F .",
    "GET admin:feedback_workshop_delete":                       "L L F F F F F",
    "POST admin:feedback_workshop_delete":                      "L L F F F F F",
    "GET admin:feedback_workshop_history":                      "L L F 2 F F 2",
    # Consultation rounds: editors open, change and extend them; nobody deletes one.
    "GET admin:feedback_consultationround_changelist":          "L L F 2 F F 2",
    "GET admin:feedback_consultationround_add":                 "L L F 2 F F 2",
    "POST admin:feedback_consultationround_add":                "L L F . F F .",
    "GET admin:feedback_consultationround_change":              "L L F 2 F F 2",
    "POST admin:feedback_consultationround_change":             "L L F . F F .",
    "GET admin:feedback_consultationround_delete":              "L L F F F F F",
    "POST admin:feedback_consultationround_delete":             "L L F F F F F",
    "GET admin:feedback_consultationround_history":             "L L F 2 F F 2",
    # --- Users, groups and the task queue: superusers only
    "GET admin:auth_user_changelist":                           "L L F F F F 2",
    "POST admin:auth_user_changelist delete_selected":          "L L F F F F R",
    "GET admin:auth_user_add":                                  "L L F F F F 2",
    "POST admin:auth_user_add":                                 "L L F F F F .",
    "GET admin:auth_user_change":                               "L L F F F F 2",
    "POST admin:auth_user_change":                              "L L F F F F .",
    "GET admin:auth_user_delete":                               "L L F F F F 2",
    "POST admin:auth_user_delete":                              "L L F F F F .",
    "GET admin:auth_user_history":                              "L L F F F F 2",
    "GET admin:auth_user_password_change":                      "L L F F F F 2",
    "POST admin:auth_user_password_change":                     "L L F F F F .",
    "GET admin:auth_group_changelist":                          "L L F F F F 2",
    "POST admin:auth_group_changelist delete_selected":         "L L F F F F R",
    "GET admin:auth_group_add":                                 "L L F F F F 2",
    "POST admin:auth_group_add":                                "L L F F F F .",
    "GET admin:auth_group_change":                              "L L F F F F 2",
    "POST admin:auth_group_change":                             "L L F F F F .",
    "GET admin:auth_group_delete":                              "L L F F F F 2",
    "POST admin:auth_group_delete":                             "L L F F F F .",
    "GET admin:auth_group_history":                             "L L F F F F 2",
    "GET admin:django_tasks_database_dbtaskresult_changelist":  "L L F F F F 2",
    "GET admin:django_tasks_database_dbtaskresult_add":         "L L F F F F F",
    "POST admin:django_tasks_database_dbtaskresult_add":        "L L F F F F F",
    "GET admin:django_tasks_database_dbtaskresult_change":      "L L F F F F 2",
    "POST admin:django_tasks_database_dbtaskresult_change":     "L L F F F F F",
    "GET admin:django_tasks_database_dbtaskresult_delete":      "L L F F F F F",
    "POST admin:django_tasks_database_dbtaskresult_delete":     "L L F F F F F",
    "GET admin:django_tasks_database_dbtaskresult_history":     "L L F F F F 2",
    # --- Sign-in records and authenticator apps: superusers only (a device's page holds its secret)
    "GET admin:axes_accessattempt_changelist":                  "L L F F F F 2",
    "POST admin:axes_accessattempt_changelist cleanup_expired_attempts": "L L F F F F R",
    "POST admin:axes_accessattempt_changelist delete_selected": "L L F F F F R",
    "GET admin:axes_accessattempt_add":                         "L L F F F F F",
    "POST admin:axes_accessattempt_add":                        "L L F F F F F",
    "GET admin:axes_accessattempt_change":                      "L L F F F F 2",
    "POST admin:axes_accessattempt_change":                     "L L F F F F .",
    "GET admin:axes_accessattempt_delete":                      "L L F F F F 2",
    "POST admin:axes_accessattempt_delete":                     "L L F F F F .",
    "GET admin:axes_accessattempt_history":                     "L L F F F F 2",
    "GET admin:axes_accesslog_changelist":                      "L L F F F F 2",
    "POST admin:axes_accesslog_changelist delete_selected":     "L L F F F F R",
    "GET admin:axes_accesslog_add":                             "L L F F F F F",
    "POST admin:axes_accesslog_add":                            "L L F F F F F",
    "GET admin:axes_accesslog_change":                          "L L F F F F 2",
    "POST admin:axes_accesslog_change":                         "L L F F F F .",
    "GET admin:axes_accesslog_delete":                          "L L F F F F 2",
    "POST admin:axes_accesslog_delete":                         "L L F F F F .",
    "GET admin:axes_accesslog_history":                         "L L F F F F 2",
    "GET admin:axes_accessfailurelog_changelist":               "L L F F F F 2",
    "POST admin:axes_accessfailurelog_changelist delete_selected": "L L F F F F R",
    "GET admin:axes_accessfailurelog_add":                      "L L F F F F F",
    "POST admin:axes_accessfailurelog_add":                     "L L F F F F F",
    "GET admin:axes_accessfailurelog_change":                   "L L F F F F 2",
    "POST admin:axes_accessfailurelog_change":                  "L L F F F F .",
    "GET admin:axes_accessfailurelog_delete":                   "L L F F F F 2",
    "POST admin:axes_accessfailurelog_delete":                  "L L F F F F .",
    "GET admin:axes_accessfailurelog_history":                  "L L F F F F 2",
    "GET admin:otp_totp_totpdevice_changelist":                 "L L F F F F 2",
    "POST admin:otp_totp_totpdevice_changelist delete_selected": "L L F F F F R",
    "GET admin:otp_totp_totpdevice_add":                        "L L F F F F 2",
    "POST admin:otp_totp_totpdevice_add":                       "L L F F F F .",
    "GET admin:otp_totp_totpdevice_change":                     "L L F F F F 2",
    "POST admin:otp_totp_totpdevice_change":                    "L L F F F F .",
    "GET admin:otp_totp_totpdevice_delete":                     "L L F F F F 2",
    "POST admin:otp_totp_totpdevice_delete":                    "L L F F F F .",
    "GET admin:otp_totp_totpdevice_history":                    "L L F F F F 2",
    "GET admin:otp_totp_totpdevice_config":                     "L L F F F F F",
    "GET admin:otp_totp_totpdevice_qrcode":                     "L L F F F F F",
    # Backup codes: counts only (the codes are digests); a superuser may delete someone's.
    "GET admin:otp_static_staticdevice_changelist":             "L L F F F F 2",
    "POST admin:otp_static_staticdevice_changelist delete_selected": "L L F F F F R",
    "GET admin:otp_static_staticdevice_add":                    "L L F F F F F",
    "POST admin:otp_static_staticdevice_add":                   "L L F F F F F",
    "GET admin:otp_static_staticdevice_change":                 "L L F F F F 2",
    "POST admin:otp_static_staticdevice_change":                "L L F F F F F",
    "GET admin:otp_static_staticdevice_delete":                 "L L F F F F 2",
    "POST admin:otp_static_staticdevice_delete":                "L L F F F F .",
    "GET admin:otp_static_staticdevice_history":                "L L F F F F 2",
    "GET admin:app_list otp_static":                            "L L N N N N 2",
    "GET admin:app_list axes":                                  "L L N N N N 2",
    "GET admin:app_list otp_totp":                              "L L N N N N 2",
    # --- The second sign-in step: staff already confirmed are sent on; others refused
    "GET accounts:two_factor":                                  "L F R R R R R",
    # ... and, signed in, one's own second factor: new backup codes or a new app need the
    # password (a form without it is refused); the new-app page only after it.
    "GET accounts:second_factor":                               "L F 2 2 2 2 2",
    "POST accounts:second_factor":                              "L F B B B B B",
    "GET accounts:new_app":                                     "L F R R R R R",
    # --- How one hears of new comments: whoever triages feedback (change_feedback) ----------
    "GET feedback_staff:alerts":                                "L F F 2 F 2 2",
    "POST feedback_staff:alerts":                               "L F F B F B B",
    # --- Staff pages outside the admin: whoever may read the draft (view_section) ---------
    "GET modules:preview_compare":                              "L F F 2 2 2 2",
    "GET modules:preview_module":                               "L F F 2 2 2 2",
    "GET modules:preview_section":                              "L F F 2 2 2 2",
    "GET modules:preview_pdf":                                  "L F F 2 2 2 2",
    "GET modules:preview_module_pdf":                           "L F F 2 2 2 2",
    "GET modules:translation_status":                           "L F F 2 2 2 2",
    "GET modules:translation_detail":                           "L F F 2 2 2 2",
    "GET modules:xliff_export":                                 "L F F 2 2 2 2",
    # ... and importing a translation changes sections (change_section).
    "GET modules:xliff_import":                                 "L F F 2 2 F 2",
    "POST modules:xliff_import":                                "L F F . . F .",
}
# fmt: on

# Arguments of the staff pages outside the admin (the draft-only section is the one shown).
STAFF_PAGE_KWARGS = {
    "accounts:two_factor": {},
    "accounts:second_factor": {},
    "accounts:new_app": {},
    "feedback_staff:alerts": {},
    "modules:preview_compare": {},
    "modules:preview_module": {"module": "salw"},
    "modules:preview_section": {"module": "salw", "key": "salw-annex-x"},
    "modules:preview_pdf": {},
    "modules:preview_module_pdf": {"module": "salw"},
    "modules:translation_status": {},
    "modules:translation_detail": {"key": "salw-annex-x"},
    "modules:xliff_export": {"module": "salw"},
    "modules:xliff_import": {"module": "salw"},
}

# Admin views that change data on POST: the matrix must say who is refused a POST too.
WRITE_SUFFIXES = ("_add", "_change", "_delete", "_revision", "_recover", "_password_change")
# Admin views that answer POST only.
POST_ONLY_SUFFIXES = ("_preview", "_move")

# Texts that exist only in the draft or in private feedback: a refusal, a 404 or a public page
# showing any of them is a leak. Titles and bodies of draft rows carry them in both languages.
DRAFT_EN, DRAFT_RU = "Zephyrine", "Зефирина"
DRAFT_WORD = "quillwort"  # in draft bodies only: searched for, never found
PRIVATE = "Nightjar"
SECRETS = (DRAFT_EN, DRAFT_RU, PRIVATE, PRIVATE.lower())


# --- The public side: anonymous readers, in every language -------------------------------

TOKEN = "<tracking token>"  # replaced by the real token of a publishable item
SETUP_TOKEN = "<set-up token>"  # replaced by a set-up link's token for the editor
ROUND = "<round>"  # replaced by the consultation round's id
# Replaced by a subscriber's links: to confirm, to manage, to leave.
ALERT_CONFIRM, ALERT_MANAGE, ALERT_UNSUBSCRIBE = "<confirm>", "<manage>", "<unsubscribe>"
# (id, URL name, kwargs, query string, outcome)
PUBLISHED = [
    ("home", "modules:home", {}, "", "2"),
    ("module", "modules:module", {"module": "salw"}, "", "2"),
    ("module feed", "modules:module_feed", {"module": "salw"}, "", "2"),
    ("section", "modules:section", {"module": "salw", "key": "salw-tracing"}, "", "2"),
    ("edition list", "modules:edition_list", {}, "", "2"),
    ("edition feed", "modules:edition_feed", {}, "", "2"),
    ("compare picker", "modules:compare_pick", {}, "older=1.0&newer=1.1", "R"),
    ("compare", "modules:compare", {"older": "1.0", "newer": "1.1"}, "", "2"),
    ("section change", "modules:section_change",
     {"older": "1.0", "newer": "1.1", "key": "salw-tracing"}, "", "2"),
    ("edition home", "modules:edition_home", {"edition": "1.0"}, "", "2"),
    ("edition module", "modules:edition_module", {"edition": "1.0", "module": "salw"}, "", "2"),
    ("edition section", "modules:edition_section",
     {"edition": "1.1", "module": "salw", "key": "salw-tracing"}, "", "2"),
    ("edition PDF", "modules:edition_pdf", {"edition": "1.1"}, "", "P"),
    ("module PDF", "modules:edition_module_pdf", {"edition": "1.0", "module": "salw"}, "", "P"),
    ("review PDF", "modules:edition_review_pdf", {"edition": "1.1"}, "", "P"),
    ("module review PDF", "modules:edition_module_review_pdf",
     {"edition": "1.0", "module": "salw"}, "", "P"),
    ("edition EPUB", "modules:edition_epub", {"edition": "1.1"}, "", "2"),
    ("module EPUB", "modules:edition_module_epub", {"edition": "1.0", "module": "salw"}, "", "2"),
    ("edition DOCX", "modules:edition_docx", {"edition": "1.0"}, "", "2"),
    ("module DOCX", "modules:edition_module_docx", {"edition": "1.1", "module": "salw"}, "", "2"),
    ("edition citation", "modules:edition_citation", {"edition": "1.1", "fmt": "bib"}, "", "2"),
    ("module citation", "modules:edition_module_citation",
     {"edition": "1.0", "module": "salw", "fmt": "ris"}, "", "2"),
    ("section citation", "modules:edition_section_citation",
     {"edition": "1.1", "module": "salw", "key": "salw-tracing", "fmt": "json"}, "", "2"),
    ("search", "modules:search", {}, "q=tracing", "2"),
    ("feedback form", "feedback:form", {}, "", "2"),
    ("consultation rounds", "feedback:rounds", {}, "", "2"),
    ("consultation round", "feedback:round", {"pk": ROUND}, "", "2"),
    ("round disposition", "feedback:disposition", {"pk": ROUND}, "", "2"),
    ("round disposition XLSX", "feedback:disposition_xlsx", {"pk": ROUND}, "", "2"),
    ("round disposition PDF", "feedback:disposition_pdf", {"pk": ROUND}, "", "P"),
    ("workshops", "feedback:workshops", {}, "", "2"),
    ("comment table", "feedback:comment_table", {"edition": "1.1"}, "", "2"),
    ("module comment table", "feedback:comment_table_module",
     {"edition": "1.0", "module": "salw"}, "", "2"),
    ("workshop", "feedback:workshop", {"slug": "europe-2022"}, "", "2"),
    ("tracking page", "feedback:track", {"token": TOKEN}, "", "2"),
    ("responses", "feedback:responses", {"edition": "1.1"}, "", "2"),
    ("responses CSV", "feedback:responses_csv", {"edition": "1.1"}, "", "2"),
    ("health", "health", {}, "", "2"),
    ("robots.txt", "robots_txt", {}, "", "2"),
    ("sitemap", "sitemap", {}, "", "2"),
    ("sitemap file", "sitemap_file", {"number": "1"}, "", "2"),
    # A staff member's set-up link, opened before signing in: on to the sign-in page.
    ("set-up link", "accounts:setup_link", {"token": SETUP_TOKEN}, "", "S"),
    # Readers' e-mail alerts: the form, and the pages the links in messages open.
    ("alerts form", "alerts:subscribe", {}, "section=salw-tracing", "2"),
    ("alerts form for a module", "alerts:subscribe", {}, "module=salw", "2"),
    ("alerts requested", "alerts:requested", {}, "", "2"),
    ("alerts confirmation", "alerts:confirm", {"token": ALERT_CONFIRM}, "", "2"),
    ("alerts settings", "alerts:manage", {"token": ALERT_MANAGE}, "", "2"),
    ("alerts unsubscription", "alerts:unsubscribe", {"token": ALERT_UNSUBSCRIBE}, "", "2"),
    # The read-only JSON API (the same address in every language).
    ("API index", "api:index", {}, "", "2"),
    ("API description", "api:openapi", {}, "", "2"),
    ("API editions", "api:editions", {}, "", "2"),
    ("API edition", "api:edition", {"number": "1.1"}, "", "2"),
    ("API sections", "api:sections", {"number": "1.1"}, "changed_since=1.0", "2"),
    ("API section", "api:section", {"number": "1.0", "key": "salw-tracing"}, "", "2"),
    ("API history", "api:history", {"key": "salw-tracing"}, "", "2"),
    ("API changes", "api:changes", {"number": "1.1"}, "from=1.0", "2"),
]  # fmt: skip

# Guesses at what is not published: 1.2 is the number the next edition will take,
# "draftmod" a module only in the draft, "salw-annex-x" a section only in the draft,
# "salw-doomed" a section written after 1.1 and deleted unpublished.
UNPUBLISHED = [
    ("next edition", "modules:edition_home", {"edition": "1.2"}, "", "N"),
    ("next edition module", "modules:edition_module", {"edition": "1.2", "module": "salw"}, "", "N"),
    ("next edition section", "modules:edition_section",
     {"edition": "1.2", "module": "salw", "key": "salw-tracing"}, "", "N"),
    ("next edition PDF", "modules:edition_pdf", {"edition": "1.2"}, "", "N"),
    ("next edition review PDF", "modules:edition_review_pdf", {"edition": "1.2"}, "", "N"),
    ("next edition EPUB", "modules:edition_epub", {"edition": "1.2"}, "", "N"),
    ("next edition DOCX", "modules:edition_docx", {"edition": "1.2"}, "", "N"),
    ("draft module DOCX in 1.1", "modules:edition_module_docx",
     {"edition": "1.1", "module": "draftmod"}, "", "N"),
    ("draft module EPUB in 1.1", "modules:edition_module_epub",
     {"edition": "1.1", "module": "draftmod"}, "", "N"),
    ("next edition citation", "modules:edition_citation", {"edition": "1.2", "fmt": "bib"}, "", "N"),
    ("draft section citation", "modules:edition_section_citation",
     {"edition": "1.1", "module": "salw", "key": "salw-annex-x", "fmt": "ris"}, "", "N"),
    ("next edition module PDF", "modules:edition_module_pdf",
     {"edition": "1.2", "module": "salw"}, "", "N"),
    ("compare with next", "modules:compare", {"older": "1.1", "newer": "1.2"}, "", "N"),
    ("section change in next", "modules:section_change",
     {"older": "1.1", "newer": "1.2", "key": "salw-tracing"}, "", "N"),
    ("compare picker with next", "modules:compare_pick", {}, "older=1.1&newer=1.2", "B"),
    ("responses of next", "feedback:responses", {"edition": "1.2"}, "", "N"),
    ("responses CSV of next", "feedback:responses_csv", {"edition": "1.2"}, "", "N"),
    ("sitemap file past the end", "sitemap_file", {"number": "99"}, "", "N"),
    ("draft module", "modules:module", {"module": "draftmod"}, "", "N"),
    ("draft module feed", "modules:module_feed", {"module": "draftmod"}, "", "N"),
    ("draft module section", "modules:section",
     {"module": "draftmod", "key": "draftmod-intro"}, "", "N"),
    ("draft module in 1.1", "modules:edition_module",
     {"edition": "1.1", "module": "draftmod"}, "", "N"),
    ("draft module section in 1.1", "modules:edition_section",
     {"edition": "1.1", "module": "draftmod", "key": "draftmod-intro"}, "", "N"),
    ("draft module PDF in 1.1", "modules:edition_module_pdf",
     {"edition": "1.1", "module": "draftmod"}, "", "N"),
    ("draft module review PDF in 1.1", "modules:edition_module_review_pdf",
     {"edition": "1.1", "module": "draftmod"}, "", "N"),
    ("draft section", "modules:section", {"module": "salw", "key": "salw-annex-x"}, "", "N"),
    ("draft section in 1.1", "modules:edition_section",
     {"edition": "1.1", "module": "salw", "key": "salw-annex-x"}, "", "N"),
    ("draft section in 1.0", "modules:edition_section",
     {"edition": "1.0", "module": "salw", "key": "salw-annex-x"}, "", "N"),
    ("draft section change", "modules:section_change",
     {"older": "1.0", "newer": "1.1", "key": "salw-annex-x"}, "", "N"),
    ("deleted draft section", "modules:section", {"module": "salw", "key": "salw-doomed"}, "", "N"),
    ("bad tracking token", "feedback:track", {"token": "x" * 43}, "", "N"),
    ("unknown consultation round", "feedback:round", {"pk": "999999"}, "", "N"),
    ("unknown round disposition", "feedback:disposition", {"pk": "999999"}, "", "N"),
    ("unknown round disposition PDF", "feedback:disposition_pdf", {"pk": "999999"}, "", "N"),
    ("forged set-up link", "accounts:setup_link", {"token": "1:forged:token"}, "", "G"),
    ("altered set-up link", "accounts:setup_link", {"token": SETUP_TOKEN + "x"}, "", "G"),
    ("altered tracking token", "feedback:track", {"token": TOKEN + "x"}, "", "N"),
    ("search for draft text", "modules:search", {}, f"q={DRAFT_WORD}", "2"),
    ("API next edition", "api:edition", {"number": "1.2"}, "", "N"),
    ("API next edition sections", "api:sections", {"number": "1.2"}, "", "N"),
    ("API changes in next", "api:changes", {"number": "1.2"}, "", "N"),
    ("API draft module sections", "api:sections", {"number": "1.1"}, "module=draftmod", "N"),
    ("API draft section", "api:section", {"number": "1.1", "key": "salw-annex-x"}, "", "N"),
    ("API draft section history", "api:history", {"key": "salw-annex-x"}, "", "N"),
    ("API deleted draft section history", "api:history", {"key": "salw-doomed"}, "", "N"),
    ("alerts for a draft section", "alerts:subscribe", {}, "section=salw-annex-x", "N"),
    ("alerts for a draft module", "alerts:subscribe", {}, "module=draftmod", "N"),
    ("altered alerts link", "alerts:manage", {"token": ALERT_MANAGE + "x"}, "", "N"),
    ("alerts confirmation link as settings link", "alerts:manage", {"token": ALERT_CONFIRM}, "", "N"),
    ("forged unsubscription link", "alerts:unsubscribe", {"token": "a:b"}, "", "N"),
]  # fmt: skip

# --- The content every request runs on ---------------------------------------------------


@dataclass
class World:
    users: dict[str, User | None]
    objects: dict[str, Model]  # "app_label.model_name" -> the row its admin pages open
    versions: dict[str, tuple[Version, Version]] = field(default_factory=dict)  # older, newer
    deleted: dict[str, Version] = field(default_factory=dict)  # a version of a deleted row
    tracking_token: str = ""
    setup_token: str = ""
    alert_key: str = ""  # a subscriber's, signed into each kind of alert link


def _draft_texts(what: str) -> dict:
    return {
        "title_en": f"{DRAFT_EN} {what}",
        "title_ru": f"{DRAFT_RU} {what}",
        "body_en": f"{DRAFT_EN} English draft text of the {what}, on {DRAFT_WORD}.",
        "body_ru": f"{DRAFT_RU}: русский черновик ({what}).",
    }


def build_world() -> World:
    """Two published editions, a draft that has moved on since, answered feedback, a PDF row,
    a queued task, and one user per persona."""
    editor = _user("editor", staff=True, groups=(EDITORS,))
    salw = make_module("SALW")
    chapter = make_section(salw, "salw-upstream", title_en="Upstream measures")
    make_section(salw, "salw-legislation", parent=chapter, title_en="Legislation")
    marking = make_section(salw, "salw-marking", parent=chapter, title_en="Marking")
    tracing = make_section(salw, "salw-tracing", title_en="Tracing")
    publish("1.0", on=datetime.date(2022, 3, 18))
    services.section_update(
        section=tracing, body_en="Tracing, as revised in 1.1.", body_ru="Отслеживание, 1.1."
    )
    public = make_feedback(email="public@example.org", comment="Mention polymer frames.")
    private = make_feedback(
        email=f"{PRIVATE.lower()}@example.org", name=f"{PRIVATE} Person",
        comment=f"{PRIVATE}: do not publish this comment.", publishable=False,
    )  # fmt: skip
    # Both were made at a workshop: its page lists the public one, never the private one.
    workshop = Workshop.objects.create(
        slug="europe-2022", title_en="Workshop for Europe", region_en="Europe",
        starts_on=datetime.date(2022, 4, 26), ends_on=datetime.date(2022, 4, 27),
        place_en="Vienna", organisers_en="CTED", edition=Edition.objects.get(number="1.0"),
    )  # fmt: skip
    Feedback.objects.filter(pk__in=[public.pk, private.pk]).update(
        source="workshop", workshop=workshop
    )
    for item in (public, private):
        Feedback.objects.filter(pk=item.pk).update(response_en="Thank you.", response_ru="Спасибо.")
        feedback_services.feedback_set_status(
            feedback=item, status=Status.NOT_ACCEPTED, user=editor, notify=False
        )
    edition = publish("1.1", on=datetime.date(2023, 5, 1))

    # The draft moves on: none of this is published.
    services.section_update(section=tracing, **_draft_texts("tracing revision"))
    make_section(salw, "salw-annex-x", **_draft_texts("section"))
    doomed = make_section(salw, "salw-doomed", **_draft_texts("deleted section"))
    services.section_delete(section=doomed)
    draft_module = make_module(
        "DRAFTMOD", order=2, prefix="C.", title_en=f"{DRAFT_EN} module",
        title_ru=f"{DRAFT_RU} модуль", summary_en=f"{DRAFT_EN} summary.",
        summary_ru=f"{DRAFT_RU}: резюме.",
    )  # fmt: skip
    make_section(draft_module, "draftmod-intro", **_draft_texts("module introduction"))
    gone = make_module("GONE", order=3, title_en=f"{DRAFT_EN} deleted module")
    Module.objects.filter(pk=gone.pk).delete()  # its version stays: "recover deleted modules"
    with revision(user=editor, comment="Summary revised"):
        salw.summary_en = "Summary of **SALW**, revised."
        salw.save()

    # Edition 1.2, confirmed and waiting for its moment.
    scheduled = services.edition_schedule(
        number="1.2", publish_at=timezone.now() + datetime.timedelta(days=7),
        change_summary_en="Scheduled.", user=editor,
        expected_fingerprint=services.draft_fingerprint(), override_reason="Not cleared.",
    )  # fmt: skip
    pdf = pdf_services.pdf_request(edition=edition, language="en")
    build_edition_pdf.enqueue(pdf.pk)
    replacement = SectionReplacement.objects.create(
        removed_key="salw-old", replaced_by=marking, note_en="Now under marking."
    )
    now = timezone.now()
    consultation = feedback_services.round_open(
        edition=edition, opens_at=now, closes_at=now + datetime.timedelta(days=30),
        whole_text=True, title_en="Consultation on 1.1", description_en="Comments invited.",
        contact_email="guidelines@example.org", user=editor,
    )  # fmt: skip
    # Both comments were sent in it: its report lists the public one, never the private one.
    Feedback.objects.filter(pk__in=[public.pk, private.pk]).update(round=consultation)
    AccessAttempt.objects.create(
        username="editor", ip_address="192.0.2.1", user_agent="test", http_accept="*/*",
        path_info="/admin/login/", get_data="", post_data="", failures_since_start=1,
    )  # fmt: skip
    AccessLog.objects.create(
        username="editor", ip_address="192.0.2.1", user_agent="test", http_accept="*/*",
        path_info="/admin/login/",
    )  # fmt: skip
    AccessFailureLog.objects.create(
        username="editor", ip_address="192.0.2.1", user_agent="test", http_accept="*/*",
        path_info="/admin/login/",
    )  # fmt: skip
    users = {
        "anonymous": None,
        "reader": _user("reader"),
        "staff_without_permissions": _user("clerk", staff=True),
        "editor": editor,
        "translator": _user("translator", staff=True, groups=(TRANSLATORS,)),
        "reviewer": _user("reviewer", staff=True, groups=(FEEDBACK_REVIEWERS,)),
        "superuser": User.objects.create_superuser("admin", "admin@example.org", "x"),
    }
    section_versions = Version.objects.get_for_object(tracing)  # newest first
    module_versions = Version.objects.get_for_object(salw)
    return World(
        users=users,
        objects={
            "modules.module": salw,
            "modules.section": tracing,
            "modules.sectionreplacement": replacement,
            "modules.edition": edition,
            "modules.editionpdf": pdf,
            "modules.scheduledpublication": scheduled,
            "feedback.feedback": private,
            "feedback.consultationround": consultation,
            "feedback.workshop": workshop,
            "feedback.commenttable": CommentTable.objects.create(
                checksum="0" * 64,
                file_name="europe-2022.xlsx",
                uploaded_by=editor,
                edition=edition,
                language="en",
                source="workshop",
                workshop=workshop,
                received_on=datetime.date(2022, 4, 27),
                rows=[{"row": 2, "paragraph": {"t": "B.2"}, "comment": {"t": "Tampered?"}}],
                headers={"paragraph": "Paragraph", "comment": "Comment"},
            ),
            "feedback.responsetemplate": ResponseTemplate.objects.create(
                title_en="Covered",
                title_ru="Отражено",
                response_en="Covered.",
                response_ru="Отражено.",
            ),
            "auth.user": users["reader"],
            "auth.group": Group.objects.get(name=TRANSLATORS),
            "django_tasks_database.dbtaskresult": DBTaskResult.objects.get(),
            "axes.accessattempt": AccessAttempt.objects.get(),
            "axes.accesslog": AccessLog.objects.get(),
            "axes.accessfailurelog": AccessFailureLog.objects.get(),
            "otp_totp.totpdevice": TOTPDevice.objects.create(
                user=editor, name="Editor's phone", confirmed=True
            ),
            "otp_static.staticdevice": _backup_codes(editor),
        },
        versions={
            "modules.section": (section_versions[1], section_versions[0]),
            "modules.module": (module_versions[1], module_versions[0]),
        },
        deleted={
            "modules.section": Version.objects.get_deleted(Section).get(),
            "modules.module": Version.objects.get_deleted(Module).get(),
        },
        tracking_token=feedback_services.feedback_tracking_link(feedback=public),
        setup_token=setup_link_issue(user=editor).split("/")[-2],
        alert_key=alerts_services.subscription_request(
            email="follower@example.org", language="en", frequency="immediate",
            scope="section", target="salw-tracing",
        ).subscriber.key,
    )  # fmt: skip


def _backup_codes(user: User) -> StaticDevice:
    return backup_codes_issue(user=user)[1]


# --- From a matrix row to a request ------------------------------------------------------


@dataclass
class Call:
    method: str
    path: str
    data: dict


def parse(key: str) -> tuple[str, str, str]:
    """ "POST admin:x_changelist rebuild" -> ("POST", "admin:x_changelist", "rebuild")."""
    method, name, *variant = key.split(" ")
    return method, name, variant[0] if variant else ""


def expectations(key: str) -> dict[str, str]:
    codes = MATRIX[key].split()
    return dict(zip(PERSONAS, codes, strict=True))


def model_admins() -> dict[str, admin.ModelAdmin]:
    """ "app_label_model_name" (the admin's URL name prefix) -> its ModelAdmin."""
    return {
        f"{m._meta.app_label}_{m._meta.model_name}": ma for m, ma in admin.site._registry.items()
    }


def _admin_path(name: str, variant: str, world: World) -> tuple[str, dict]:
    short = name.removeprefix("admin:")
    if short in ("index", "login", "logout", "password_change", "password_change_done", "jsi18n"):
        return reverse(name), {}
    if short == "app_list":
        return reverse(name, kwargs={"app_label": variant}), {}
    if short == "autocomplete":
        app_label, model_name, field_name = variant.split(".")
        query = {"app_label": app_label, "model_name": model_name, "field_name": field_name}
        return reverse(name), {**query, "term": ""}
    if short == "view_on_site":
        obj = world.objects[variant]
        content_type = ContentType.objects.get_for_model(obj)
        return reverse(name, args=[content_type.pk, obj.pk]), {}
    info = next(i for i in model_admins() if short.startswith(f"{i}_"))
    suffix = short.removeprefix(f"{info}_")
    label = model_admins()[info].opts.label_lower
    obj = world.objects.get(label)
    if suffix in ("changelist", "add", "recoverlist", "preview", "export", "triage",
                  "table_upload"):  # fmt: skip
        return reverse(name), {}
    if suffix in (
        "change",
        "delete",
        "history",
        "password_change",
        "config",
        "qrcode",
        "review",
        "decide",
    ):
        return reverse(name, args=[obj.pk]), {}
    if suffix == "compare":
        older, newer = world.versions[label]
        return reverse(name, args=[obj.pk]), {
            "version_id1": older.pk,
            "version_id2": newer.pk,
        }
    if suffix == "revision":
        return reverse(name, args=[obj.pk, world.versions[label][0].pk]), {}
    if suffix == "recover":
        return reverse(name, args=[world.deleted[label].pk]), {}
    if suffix == "move":
        return reverse(name, args=[obj.pk, "up"]), {}
    if suffix == "table":  # a comment table uploaded, not yet confirmed
        return reverse(name, args=[world.objects["feedback.commenttable"].pk]), {}
    if suffix == "cancel_schedule":
        return reverse(name, args=[world.objects["modules.scheduledpublication"].pk]), {}
    raise KeyError(f"No way to build {name}: add it to tests/security/matrix.py")


def _post_data(name: str, variant: str, world: World) -> dict:
    if name.endswith("_changelist"):
        selected = world.objects[model_admins()[name[6:-11]].opts.label_lower].pk
        return {"action": variant, "_selected_action": [selected], "index": "0", "post": "yes"}
    if name.endswith("_delete"):
        return {"post": "yes"}
    if name.endswith("_preview"):
        return {"text": "**Bold** text."}
    return {"_save": "Save", "note": "tampered"}


def build_call(key: str, world: World) -> Call:
    method, name, variant = parse(key)
    if name.startswith("admin:"):
        path, query = _admin_path(name, variant, world)
    else:
        with translation.override("en"):
            path, query = reverse(name, kwargs=STAFF_PAGE_KWARGS[name]), {}
    if method == "GET":
        return Call(method, path, query)
    return Call(method, path, _post_data(name, variant, world))


def public_url(name: str, kwargs: dict, query: str, lang: str, world: World) -> str:
    round_id = str(world.objects["feedback.consultationround"].pk)
    kwargs = {
        k: v.replace(TOKEN, world.tracking_token)
        .replace(SETUP_TOKEN, world.setup_token)
        .replace(ROUND, round_id)
        .replace(ALERT_CONFIRM, alert_links.confirm_token(world.alert_key))
        .replace(ALERT_MANAGE, alert_links.manage_token(world.alert_key))
        .replace(ALERT_UNSUBSCRIBE, alert_links.unsubscribe_token(world.alert_key))
        for k, v in kwargs.items()
    }
    with translation.override(lang):
        path = reverse(name, kwargs=kwargs)
    return f"{path}?{query}" if query else path


# --- What the project offers, for the guard ----------------------------------------------


def url_views(patterns=None, prefix: str = "") -> dict:
    """Every named URL of the URLconf, with its namespace ("admin:index", "modules:home"),
    and its view."""
    views = {}
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            views |= url_views(pattern.url_patterns, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            views.setdefault(prefix + pattern.name, pattern.callback)
    return views


def named_urls() -> set[str]:
    return set(url_views())


def asks_for_sign_in(view) -> bool:
    """Whether a view is wrapped in login_required or permission_required (user_passes_test)."""
    while view is not None:
        # functools.wraps copies __qualname__; the code object keeps the wrapper's own.
        code = getattr(view, "__code__", None)
        if code is not None and code.co_qualname.startswith("user_passes_test."):
            return True
        view = getattr(view, "__wrapped__", None)
    return False


def admin_variants(superuser: User) -> set[str]:
    """The rows the admin's registry calls for: each ModelAdmin's URLs (its get_urls(), custom
    ones included) and actions, and the site pages that take an app, a model or a field."""
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = superuser
    rows = set()
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        rows |= {f"admin:{p.name}" for p in model_admin.get_urls() if p.name}
        changelist = f"admin:{opts.app_label}_{opts.model_name}_changelist"
        rows |= {f"{changelist} {action}" for action in model_admin.get_actions(request)}
        rows.add(f"admin:app_list {opts.app_label}")
        rows |= {
            f"admin:autocomplete {opts.label_lower}.{name}"
            for name in model_admin.get_autocomplete_fields(request)
        }
        if hasattr(model, "get_absolute_url"):
            rows.add(f"admin:view_on_site {opts.label_lower}")
    return rows


def snapshot() -> dict:
    """Every row a back-office request could write, to compare before and after it."""
    from django.contrib.admin.models import LogEntry

    models = (Module, Section, SectionReplacement, SectionReview, Edition, EditionPDF,
              ScheduledPublication,
              Feedback, FeedbackEvent, ResponseTemplate, Workshop, CommentTable,
              Version, Revision, LogEntry, Group, DBTaskResult, TOTPDevice,
              StaticDevice, StaticToken, AccessAttempt, EditorAlerts)  # fmt: skip
    state = {m._meta.label: list(m._default_manager.order_by("pk").values()) for m in models}
    state["snapshots"] = (EditionModule.objects.count(), EditionSection.objects.count())
    user_fields = [f.attname for f in User._meta.concrete_fields if f.name != "last_login"]
    state["users"] = list(User.objects.order_by("pk").values(*user_fields))
    state["memberships"] = list(User.groups.through.objects.order_by("pk").values_list())
    state["grants"] = list(Group.permissions.through.objects.order_by("pk").values_list())
    return state
