"""The donor module's fixtures (organization in context, the fundraising user's service
arguments, the general fund) for the tie-out's tests."""

from ifm.donors.conftest import donors_org, fundraiser, general_fund

__all__ = ["donors_org", "fundraiser", "general_fund"]
