"""The rooms have one direction (issue 15): `modules` (content) is the ground floor and never
imports `feedback`, which stands on it, directly or through another module. Content announces
what the apps above it follow (modules/signals.py); their parts of content's pages come from
their own template tags and admin classes."""

import ast
from pathlib import Path

from django.conf import settings

MODULES = Path(settings.BASE_DIR) / "modules"


def imports_feedback(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        if any(name == "feedback" or name.startswith("feedback.") for name in names):
            return True
    return False


def test_content_does_not_import_feedback():
    importing = sorted(
        str(path.relative_to(MODULES.parent))
        for path in MODULES.rglob("*.py")
        if "migrations" not in path.parts and imports_feedback(path)
    )
    assert importing == [], "modules must not import feedback"


def test_publishing_is_heard_by_the_feedback_app():
    """edition_publish announces the edition; feedback folds its items in (the behaviour is
    tested in tests/feedback/test_disposition.py)."""
    from modules import signals

    assert signals.edition_published.has_listeners()
