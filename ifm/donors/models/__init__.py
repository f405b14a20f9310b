"""The donors app's models: donors and gifts (donors.py), receipts (receipts.py), imports."""

from .donors import *  # noqa: F403
from .imports import *  # noqa: F403
from .receipts import *  # noqa: F403
