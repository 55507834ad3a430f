"""What the feedback form keeps in each process is made once, and dropped when a file changes."""

from pathlib import Path

from django.utils.autoreload import file_changed

from feedback.kept import kept


def test_a_value_is_made_once_and_forgotten_when_a_template_or_translation_changes():
    made = []

    def make() -> str:
        made.append(1)
        return "markup"

    assert kept(("test", "value"), make) == kept(("test", "value"), make) == "markup"
    assert len(made) == 1
    file_changed.send(sender=None, file_path=Path("templates/feedback/_field.html"))
    assert kept(("test", "value"), make) == "markup"
    assert len(made) == 2
