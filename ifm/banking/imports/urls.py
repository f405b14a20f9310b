"""Pages of banking: statements."""

urlpatterns: list[object] = []
