"""Pages of banking: matching."""

urlpatterns: list[object] = []
