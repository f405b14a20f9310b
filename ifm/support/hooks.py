"""What support registers when the app is ready: its demo step."""

from ifm.orgs.demo import register
from ifm.support import demo


def ready() -> None:
    register("support", demo.seed, after=demo.AFTER)
