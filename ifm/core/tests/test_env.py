from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from ifm.env import env_bool, env_int, env_list, env_str

VAR = "IFM_TEST_SETTING"


@pytest.fixture(autouse=True)
def _unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(VAR, raising=False)


def test_env_str(monkeypatch: pytest.MonkeyPatch) -> None:
    assert env_str(VAR) == ""
    assert env_str(VAR, "fallback") == "fallback"
    monkeypatch.setenv(VAR, "value")
    assert env_str(VAR, "fallback") == "value"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        ("YES", True),
        (" on ", True),
        ("0", False),
        ("False", False),
        ("no", False),
        ("off", False),
        ("", False),
    ],
)
def test_env_bool_values(monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool) -> None:
    monkeypatch.setenv(VAR, raw)
    assert env_bool(VAR, default=not expected) is expected


def test_env_bool_default(monkeypatch: pytest.MonkeyPatch) -> None:
    assert env_bool(VAR) is False
    assert env_bool(VAR, default=True) is True


def test_env_bool_rejects_anything_else(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VAR, "maybe")
    with pytest.raises(ImproperlyConfigured, match=rf"{VAR}='maybe' is not a boolean"):
        env_bool(VAR)


def test_env_int(monkeypatch: pytest.MonkeyPatch) -> None:
    assert env_int(VAR, 7) == 7
    monkeypatch.setenv(VAR, "")
    assert env_int(VAR, 7) == 7
    monkeypatch.setenv(VAR, " 42 ")
    assert env_int(VAR, 7, minimum=1, maximum=100) == 42


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("ten", rf"{VAR}='ten' is not a whole number"),
        ("2.5", rf"{VAR}='2.5' is not a whole number"),
        ("0", rf"{VAR}=0 is below the minimum 1"),
        ("101", rf"{VAR}=101 is above the maximum 100"),
    ],
)
def test_env_int_rejects(monkeypatch: pytest.MonkeyPatch, raw: str, message: str) -> None:
    monkeypatch.setenv(VAR, raw)
    with pytest.raises(ImproperlyConfigured, match=message):
        env_int(VAR, 7, minimum=1, maximum=100)


def test_env_list(monkeypatch: pytest.MonkeyPatch) -> None:
    assert env_list(VAR, ["a"]) == ["a"]
    monkeypatch.setenv(VAR, " ifm.example.org, ,www.ifm.example.org ,")
    assert env_list(VAR, ["a"]) == ["ifm.example.org", "www.ifm.example.org"]
    monkeypatch.setenv(VAR, "")
    assert env_list(VAR, ["a"]) == []
