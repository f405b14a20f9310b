"""What the shifts area registers when the app is ready: its dashboard tile, its search
provider and its demo step (after the people area's, which makes the volunteers)."""

from ifm.orgs.demo import register as register_demo
from ifm.volunteers.shifts import dashboard, demo, global_search


def ready() -> None:
    dashboard.register_tiles()
    global_search.register_provider()
    register_demo(demo.STEP, demo.seed, after=demo.AFTER)
