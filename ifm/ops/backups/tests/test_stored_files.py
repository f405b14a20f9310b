"""Stored files in backups, on local disk and in a real S3-compatible server (the suite's moto
server): a donor's receipt PDF and an expense attachment are in the backup with their sizes and
checksums, `restore --verify` checks each one, a damaged entry is named, and `restore --into`
puts deleted files back into the configured storage."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from ifm.core.org_context import org_context
from ifm.donors.receipts.tests.test_receipts import give, issue, make_donor
from ifm.expenses import records
from ifm.expenses.tests.conftest import PDF_BYTES, access, make_expense
from ifm.ledger.models import Fund
from ifm.ops.backups.crypto import generate_key
from ifm.ops.storage_audit import storage_check
from ifm.tenancy.models import Membership

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture(params=["disk", "s3"])
def backend(request: pytest.FixtureRequest) -> str:
    request.getfixturevalue("disk_storages" if request.param == "disk" else "s3_storages")
    return str(request.param)


@pytest.fixture
def stored(org_a: Any, cast: dict[str, Any], settings: Any) -> dict[str, str]:
    """A donor's receipt PDF and an expense attachment of organization A (private storage);
    a test asks for its storage fixture before this one."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with org_context(org_a):
        ctx = {
            role: {
                "organization": org_a,
                "actor": user,
                "access": Membership.objects.get(user=user),
            }
            for role in ("fundraising", "finance")
            for user in [cast[role]]
        }
        fund = Fund.objects.get(is_general=True)
        gift = give(ctx["fundraising"], make_donor(ctx["fundraising"]), fund, "250.00")
        receipt = issue(ctx["finance"], gift)
        staff = cast["staff"]
        attachment = records.receipt_add(
            organization=org_a,
            actor=staff,
            access=access(staff),
            expense=make_expense(org_a, staff),
            file=SimpleUploadedFile("scan.pdf", PDF_BYTES, "application/pdf"),
        )
    return {"receipt_pdf": str(receipt.pdf.name), "attachment": str(attachment.file.name)}


def backup_to(folder: Path) -> dict[str, Any]:
    run("backup", "--to", str(folder))
    (manifest_path,) = folder.glob("*.manifest.json")
    return dict(json.loads(manifest_path.read_text()))


def rewrite_archive(folder: Path, manifest: dict[str, Any], change: Any) -> None:
    """Rebuild the (unencrypted) files archive with `change(name, data)` applied to each member
    (None drops it), and give the manifest the new archive's own checksum: only the per-file
    check can notice."""
    path = folder / manifest["files_archive"]["file"]
    members = []
    with tarfile.open(path) as tar:
        for member in tar.getmembers():
            stream = tar.extractfile(member)
            assert stream is not None
            members.append((member.name, stream.read()))
    with tarfile.open(path, "w") as tar:
        for name, data in members:
            changed = change(name, data)
            if changed is not None:
                info = tarfile.TarInfo(name)
                info.size = len(changed)
                tar.addfile(info, io.BytesIO(changed))
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    manifest["files_archive"].update(
        size=len(raw), sha256=digest, plain_size=len(raw), plain_sha256=digest
    )
    (folder / f"{manifest['name']}.manifest.json").write_text(json.dumps(manifest))


def test_backup_holds_each_stored_file_and_verify_checks_them(
    backend: str, stored: dict[str, str], tmp_path: Path
) -> None:
    manifest = backup_to(tmp_path / "backups")
    files = {(f["storage"], f["name"]): f for f in manifest["files"]}
    assert set(files) == {("private", stored["receipt_pdf"]), ("private", stored["attachment"])}
    attachment = files[("private", stored["attachment"])]
    assert attachment["size"] == len(PDF_BYTES)
    assert attachment["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest()
    assert manifest["files_missing"] == []

    out = run("restore", "--verify", str(tmp_path / "backups" / manifest["file"]))
    assert "Verified: all" in out
    assert "tables and 2 stored files are identical" in out
    line = next(x for x in out.splitlines() if x.startswith(f"private:{stored['attachment']} "))
    assert line.split()[1:] == [str(len(PDF_BYTES)), str(len(PDF_BYTES)), "identical"]


def test_an_altered_or_missing_file_in_the_backup_fails_the_check(
    disk_storages: Any, stored: dict[str, str], tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    manifest = backup_to(folder)
    dump = str(folder / manifest["file"])
    altered = f"private/{stored['attachment']}"
    rewrite_archive(folder, manifest, lambda n, d: d + b"!" if n == altered else d)
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"1 stored file\(s\) differ from the manifest"):
        call_command("restore", "--verify", dump, stdout=out)
    line = next(x for x in out.getvalue().splitlines() if x.startswith(f"private:{altered[8:]} "))
    assert "DIFFERENT" in line

    rewrite_archive(folder, manifest, lambda n, d: None if n == altered else d)
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"1 stored file\(s\) differ"):
        call_command("restore", "--verify", dump, stdout=out)
    assert "MISSING FROM BACKUP" in out.getvalue()


def test_a_damaged_files_archive_is_detected(
    disk_storages: Any, stored: dict[str, str], tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    manifest = backup_to(folder)
    archive = folder / manifest["files_archive"]["file"]
    raw = bytearray(archive.read_bytes())
    raw[600] ^= 0x01  # inside the first member's contents
    archive.write_bytes(bytes(raw))
    with pytest.raises(CommandError, match=r"files\.tar is damaged: its SHA-256"):
        run("restore", "--verify", str(folder / manifest["file"]))


def test_the_files_archive_is_encrypted_with_the_dump(
    disk_storages: Any, stored: dict[str, str], tmp_path: Path, settings: Any
) -> None:
    settings.BACKUP_ENCRYPTION_KEY = generate_key()
    folder = tmp_path / "backups"
    manifest = backup_to(folder)
    archive = folder / manifest["files_archive"]["file"]
    assert archive.name.endswith(".files.tar.enc")
    assert archive.read_bytes().startswith(b"IFMBK1")
    assert PDF_BYTES not in archive.read_bytes()
    out = run("restore", "--verify", str(folder / manifest["file"]))
    assert "tables and 2 stored files are identical" in out


def test_restore_into_puts_files_deleted_from_the_bucket_back(
    s3_storages: dict[str, Any], stored: dict[str, str], tmp_path: Path, target_url: str
) -> None:
    folder = tmp_path / "backups"
    manifest = backup_to(folder)
    client, bucket = s3_storages["client"], s3_storages["bucket"]
    originals = {}
    for name in stored.values():
        key = f"private/{name}"
        originals[name] = client.get_object(Bucket=bucket, Key=key)["Body"].read()
        client.delete_object(Bucket=bucket, Key=key)
    assert len(storage_check().missing) == 2

    out = run("restore", str(folder / manifest["file"]), "--into", target_url, "--no-migrate")
    assert "Restored: all" in out
    assert out.count(", restored") == 2
    for name, data in originals.items():
        assert client.get_object(Bucket=bucket, Key=f"private/{name}")["Body"].read() == data
    assert originals[stored["receipt_pdf"]].startswith(b"%PDF")
    assert storage_check().ok

    # Again: the files are there with the same checksum, so they are left alone.
    again = run(
        "restore", str(folder / manifest["file"]), "--into", target_url, "--no-migrate", "--force"
    )
    assert again.count(", present") == 2


def test_restore_into_keeps_a_different_file_unless_forced(
    disk_storages: Any, stored: dict[str, str], tmp_path: Path, target_url: str
) -> None:
    folder = tmp_path / "backups"
    manifest = backup_to(folder)
    private = storages["private"]
    name = stored["attachment"]
    private.delete(name)
    assert private.save(name, SimpleUploadedFile("x", b"changed since")) == name
    dump = str(folder / manifest["file"])

    err = io.StringIO()
    out = io.StringIO()
    call_command("restore", dump, "--into", target_url, "--no-migrate", stdout=out, stderr=err)
    assert f"private:{name}" in out.getvalue()
    assert "kept" in out.getvalue()
    assert "1 stored file(s) already in storage with other contents were kept" in err.getvalue()
    with private.open(name) as f:
        assert f.read() == b"changed since"

    out = io.StringIO()
    call_command("restore", dump, "--into", target_url, "--no-migrate", "--force", stdout=out)
    assert ", replaced" in out.getvalue()
    with private.open(name) as f:
        assert f.read() == PDF_BYTES


def test_restore_into_refuses_a_damaged_file_before_touching_the_database(
    disk_storages: Any, stored: dict[str, str], tmp_path: Path, target_url: str
) -> None:
    folder = tmp_path / "backups"
    manifest = backup_to(folder)
    rewrite_archive(folder, manifest, lambda n, d: d[:-1])
    with pytest.raises(CommandError, match=r"2 stored file\(s\) .* differ .*nothing was restored"):
        run("restore", str(folder / manifest["file"]), "--into", target_url, "--no-migrate")
    # The target is still empty: a plain restore into it works.
    if target_url.startswith("sqlite"):
        assert not Path(target_url.removeprefix("sqlite:///")).exists()


def test_a_file_missing_from_storage_is_noted_not_fatal(
    backend: str, stored: dict[str, str], tmp_path: Path
) -> None:
    storages["private"].delete(stored["attachment"])
    err = io.StringIO()
    call_command("backup", "--to", str(tmp_path / "backups"), stdout=io.StringIO(), stderr=err)
    assert "1 stored file(s) the database names are missing" in err.getvalue()
    assert f"private:{stored['attachment']}" in err.getvalue()
    (manifest_path,) = (tmp_path / "backups").glob("*.manifest.json")
    manifest = json.loads(manifest_path.read_text())
    assert manifest["files_missing"] == [f"private:{stored['attachment']}"]
    assert [f["name"] for f in manifest["files"]] == [stored["receipt_pdf"]]
