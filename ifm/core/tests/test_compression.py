"""Pages are compressed for a browser that accepts gzip (docs/frontend.md):
a signed-in page's HTML is several times its compressed size, and on a slow mobile connection
every 14 KB is another round trip before the first paint."""

from __future__ import annotations

import gzip

import pytest
from django.test import Client


@pytest.mark.django_db
def test_a_page_is_compressed_for_a_browser_that_accepts_gzip(admin_client_a: Client) -> None:
    plain = admin_client_a.get("/o/alpha/")
    assert plain.status_code == 200
    assert not plain.has_header("Content-Encoding")

    packed = admin_client_a.get("/o/alpha/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert packed.status_code == 200
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    html = gzip.decompress(packed.content).decode()
    assert html.rstrip().endswith("</html>")
    assert len(packed.content) * 3 < len(html)
