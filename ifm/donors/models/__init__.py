"""The donors app's models: donors and gifts (donors.py), their extra contacts (contacts.py),
receipts (receipts.py), imports, saved donor lists (lists.py), the donor-year roll-up of
giving (giving.py)."""

from .contacts import *  # noqa: F403
from .donors import *  # noqa: F403
from .giving import *  # noqa: F403
from .imports import *  # noqa: F403
from .lists import *  # noqa: F403
from .receipts import *  # noqa: F403
