"""The send job: one per send, across the organizations of its audience (platform work, so it
takes no `organization_id`; it reads the recipients inside `all_organizations()`)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from ifm.core.tasks import retry_policy
from ifm.support.comms import sending


@retry_policy(max_attempts=3)
@task()
def comms_send_job(*, send_id: int) -> dict[str, int]:
    # A retry sends only to the recipients still waiting (sending.py).
    return sending.send_run(send_id=send_id)


def on_job_failed(
    sender: Any, *, task_path: str, kwargs: Any, message: str, final: bool, **_: Any
) -> None:
    if task_path == comms_send_job.module_path and final and isinstance(kwargs, dict):
        send_id = kwargs.get("send_id")
        if isinstance(send_id, int):
            sending.send_mark_failed(send_id=send_id, message=message)
