"""Pages of banking: bank accounts."""

urlpatterns: list[object] = []
