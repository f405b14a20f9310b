"""Pages of banking: reconciliations."""

urlpatterns: list[object] = []
