"""The demonstration data: the guidelines' editions (modules/demo.py) with the feedback that
readers sent on them and the decisions taken (feedback/demo.py), in the order it happened.

It stands above both apps, as the load_demo command does: content never calls up into
feedback.
"""

from pathlib import Path

from django.db import transaction

from feedback import demo as demo_feedback
from modules import demo as demo_content

ROUNDS_FILE = "rounds.toml"
RESPONSES_FILE = "responses.toml"
WORKSHOPS_FILE = "workshops.toml"


@transaction.atomic
def demo_load(*, directory: Path = demo_content.DEMO_DIR) -> list[str]:
    """Create the demonstration draft, publish every demonstration edition, record the
    demonstration feedback between them (with the past consultation round its comments were
    sent in, and the workshops where some were made), then open the demonstration consultation
    round and add the response templates.
    Returns the numbers of the editions published."""
    module_files, editions = demo_content.read_demo(directory)
    first = editions[0]["number"]
    demo_content.draft_create(module_files, first)
    feedback = demo_feedback.read(directory / demo_content.FEEDBACK_FILE)
    rounds = demo_feedback.read_rounds(directory / ROUNDS_FILE)
    workshops = demo_feedback.read_workshops(directory / WORKSHOPS_FILE)
    published = []
    for index, edition in enumerate(editions):
        number = edition["number"]
        if index > 0:
            demo_content.draft_change_for(module_files, number, first)
            demo_feedback.decide(feedback, before=number)
        published.append(demo_content.edition_publish(edition))
        demo_feedback.record_past_rounds(rounds, edition=number)
        demo_feedback.record_workshops(workshops, edition=number)
        demo_feedback.receive(feedback, read_in=number)
    demo_feedback.decide(feedback, before=None)
    demo_feedback.open_rounds(rounds)
    demo_feedback.load_templates(directory / RESPONSES_FILE)
    return published
