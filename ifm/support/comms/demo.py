"""Communications' demo step (`ifm seed_demo`): the default templates, should a flushed
database have lost them (the migration made them first)."""

from __future__ import annotations

from ifm.orgs.demo import DemoContext
from ifm.support.comms.defaults import ensure_default_templates


def seed(ctx: DemoContext) -> str:
    made = ensure_default_templates()
    return f"{made} message templates" if made else "message templates in place"
