"""Output shapes of accounts in the API."""

from ninja import Schema


class UserOut(Schema):
    id: int
    email: str
    full_name: str
