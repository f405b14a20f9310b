"""What support registers when the app is ready: its demo steps, and the send job's failure
handler."""

from ifm.core.tasks import job_failed
from ifm.orgs.demo import register
from ifm.support import demo
from ifm.support.comms import demo as comms_demo
from ifm.support.comms.tasks import on_job_failed


def ready() -> None:
    register("support", demo.seed, after=demo.AFTER)
    register("communications", comms_demo.seed, after=comms_demo.AFTER)
    job_failed.connect(on_job_failed, dispatch_uid="ifm.support.comms.send_job")
