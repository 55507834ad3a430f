"""The worker's part: prepare a new edition's pages, then switch them on.

The task path ("guidelines_portal.page_store.tasks.prepare_pages") is stored with every
queued task: keep it.
"""

from django_tasks import task

from guidelines_portal.page_store.prepare import prepare_and_switch
from guidelines_portal.task_priority import priority

# Before the edition's PDFs (priority 0): readers wait for pages, not for PDFs.
PRIORITY = 50


@task(priority=priority(PRIORITY))
def prepare_pages(generation: int) -> None:
    prepare_and_switch(generation)
