"""What the people area registers when the app is ready: its dashboard tiles, its search
provider, its panel on the donor profile and its demo step (`volunteers.people`, which the
other areas' demo steps name in `after=` so volunteers exist before their shifts and hours)."""

from ifm.orgs.demo import register as register_demo
from ifm.volunteers.people import dashboard, demo, global_search, panels

DEMO_STEP = demo.STEP


def ready() -> None:
    dashboard.register_tiles()
    global_search.register_provider()
    panels.register_panels()
    register_demo(DEMO_STEP, demo.seed, after=("donors",))
