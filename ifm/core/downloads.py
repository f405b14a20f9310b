"""Handing out a stored private file after the access check: from object storage, a redirect to
a signed link that expires within STORAGE_URL_EXPIRE_SECONDS (the web process does not carry the
bytes); from local disk the caller streams the file itself."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpResponseRedirect

from ifm.core.files import detect_document_type
from ifm.core.storage import read_head, signed_download_url, signs_urls


def signed_redirect(field_file: FieldFile, *, filename: str) -> HttpResponseRedirect | None:
    """A redirect to a short-lived signed link to `field_file`, downloaded as an attachment named
    `filename`, its type judged again from its first bytes (never from its name or the type saved
    at upload); None when the storage has no signed links and the caller streams the file.
    Only ever called after the access check."""
    storage, name = field_file.storage, str(field_file.name or "")
    if not name or not signs_urls(storage):
        return None
    try:
        head = read_head(storage, name)
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    content_type = detect_document_type(head) or "application/octet-stream"
    url = signed_download_url(storage, name, filename=filename, content_type=content_type)
    if url is None:
        return None
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
