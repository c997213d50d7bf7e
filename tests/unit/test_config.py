"""One Settings object from the environment: safe defaults, refused secrets, checked ranges."""

from __future__ import annotations

import dataclasses

import pytest

from dts.config import ConfigError, Settings

SECRET = "s" * 16
TOKEN = "t" * 16


def settings(**env: str) -> Settings:
    return Settings.from_env(env)


def secure(**env: str) -> Settings:
    return Settings.from_env({"DTS_SECRET_KEY": SECRET, "DTS_OPERATOR_TOKEN": TOKEN, **env})


def test_an_empty_environment_gives_the_defaults() -> None:
    assert settings() == Settings()
    defaults = Settings()
    assert defaults.auth_enabled is True
    assert defaults.pending_ttl_s == 60
    assert defaults.quote_ttl_s == 120
    assert defaults.quote_seed is None
    assert defaults.quote_mode == "random"
    assert (defaults.secret_key, defaults.operator_token) == ("", "")


def test_every_variable_maps_to_its_setting() -> None:
    env = {
        "MONGO_URI": "mongodb://db:27017/",
        "DTS_MONGO_DB": "dts_test",
        "REDIS_URL": "redis://cache:6379/1",
        "QUOTE_SERVER_URL": "http://quotes:4444",
        "DTS_SERVER_NAME": "buy1",
        "DTS_AUTH": "on",
        "DTS_SECRET_KEY": SECRET,
        "DTS_OPERATOR_TOKEN": TOKEN,
        "DTS_TOKEN_TTL_S": "600",
        "DTS_PENDING_TTL_S": "30",
        "DTS_QUOTE_TTL_S": "90",
        "DTS_QUOTE_TIMEOUT_S": "2.5",
        "DTS_RECENT_TRANSACTIONS_MAX": "20",
        "DTS_MAX_BODY_BYTES": "2048",
        "DTS_LOG_DIR": "/tmp/logs",
        "DTS_WATCH_INTERVAL_S": "7.5",
        "QUOTE_MODE": "fixed",
        "QUOTE_SEED": "42",
        "QUOTE_LATENCY_MS": "15",
    }
    assert Settings.from_env(env) == Settings(
        mongo_uri="mongodb://db:27017/",
        mongo_db="dts_test",
        redis_url="redis://cache:6379/1",
        quote_server_url="http://quotes:4444",
        server_name="buy1",
        auth_enabled=True,
        secret_key=SECRET,
        operator_token=TOKEN,
        token_ttl_s=600,
        pending_ttl_s=30,
        quote_ttl_s=90,
        quote_timeout_s=2.5,
        recent_transactions_max=20,
        max_body_bytes=2048,
        log_dir="/tmp/logs",
        watch_interval_s=7.5,
        quote_mode="fixed",
        quote_seed=42,
        quote_latency_ms=15,
    )


def test_from_env_without_a_mapping_reads_the_process_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DTS_PENDING_TTL_S", "45")
    monkeypatch.setenv("DTS_SERVER_NAME", "from-os")
    loaded = Settings.from_env()
    assert (loaded.pending_ttl_s, loaded.server_name) == (45, "from-os")


@pytest.mark.parametrize("value", ["off", "OFF", " off ", "0", "false", "False"])
def test_auth_is_turned_off_only_by_an_explicit_off_value(value: str) -> None:
    assert settings(DTS_AUTH=value).auth_enabled is False


@pytest.mark.parametrize("value", ["on", "1", "true", "yes", "no", "disabled", ""])
def test_any_other_auth_value_keeps_authentication_on(value: str) -> None:
    assert settings(DTS_AUTH=value).auth_enabled is True


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("DTS_PACK_ACCOUNTS", "pack_accounts"),
        ("DTS_PACK_LISTS", "pack_accounts"),
        ("DTS_PACK_AUDIT", "pack_audit"),
    ],
)
@pytest.mark.parametrize(
    ("value", "on"), [("on", True), (" TRUE ", True), ("1", True), ("yes", False), ("", False)]
)
def test_the_development_server_shapes_are_on_only_when_said(
    name: str, field: str, value: str, on: bool
) -> None:
    assert getattr(settings(**{name: value}), field) is on
    assert getattr(Settings.from_env({}), field) is False


@pytest.mark.parametrize(
    "name", ["MONGO_URI", "DTS_MONGO_DB", "REDIS_URL", "QUOTE_SERVER_URL", "DTS_LOG_DIR"]
)
def test_an_empty_string_variable_falls_back_to_its_default(name: str) -> None:
    assert settings(**{name: ""}) == Settings()


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("DTS_PENDING_TTL_S", "pending_ttl_s"),
        ("DTS_TOKEN_TTL_S", "token_ttl_s"),
        ("DTS_MAX_BODY_BYTES", "max_body_bytes"),
        ("DTS_WATCH_INTERVAL_S", "watch_interval_s"),
    ],
)
def test_a_blank_number_falls_back_to_its_default(name: str, field: str) -> None:
    assert getattr(settings(**{name: "  "}), field) == getattr(Settings(), field)


def test_numbers_are_trimmed() -> None:
    assert settings(DTS_PENDING_TTL_S=" 30 ").pending_ttl_s == 30
    assert settings(DTS_QUOTE_TIMEOUT_S=" 0.5 ").quote_timeout_s == 0.5


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DTS_PENDING_TTL_S", "sixty"),
        ("DTS_PENDING_TTL_S", "60.5"),
        ("DTS_TOKEN_TTL_S", "1h"),
        ("QUOTE_SEED", "abc"),
        ("QUOTE_LATENCY_MS", "1e3"),
        ("DTS_WATCH_INTERVAL_S", "fast"),
        ("DTS_QUOTE_TIMEOUT_S", "5s"),
    ],
)
def test_a_malformed_number_is_a_config_error_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        settings(**{name: value})


def test_quote_mode_is_trimmed_and_lower_cased() -> None:
    assert settings(QUOTE_MODE=" Fixed ").quote_mode == "fixed"


@pytest.mark.parametrize(("value", "seed"), [("0", 0), ("7", 7), ("-3", -3), (" 9 ", 9)])
def test_quote_seed_is_read_when_set(value: str, seed: int) -> None:
    assert settings(QUOTE_SEED=value).quote_seed == seed


def test_quote_seed_is_none_when_unset_or_empty() -> None:
    assert settings().quote_seed is None
    assert settings(QUOTE_SEED="").quote_seed is None


def test_a_blank_quote_seed_means_unseeded_like_any_blank_variable() -> None:
    assert settings(QUOTE_SEED="   ").quote_seed is None


def test_overrides_win_over_the_environment() -> None:
    loaded = Settings.from_env({"DTS_PENDING_TTL_S": "30"}, pending_ttl_s=5, auth_enabled=False)
    assert (loaded.pending_ttl_s, loaded.auth_enabled) == (5, False)


def test_an_unknown_override_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="pending_ttl"):
        Settings.from_env({}, pending_ttl=5)


def test_settings_are_immutable_and_replace_makes_a_new_one() -> None:
    base = Settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        base.pending_ttl_s = 1  # type: ignore[misc]
    changed = dataclasses.replace(base, pending_ttl_s=1)
    assert (base.pending_ttl_s, changed.pending_ttl_s) == (60, 1)


def test_secrets_stay_out_of_the_repr() -> None:
    text = repr(secure())
    assert SECRET not in text and TOKEN not in text
    assert "pending_ttl_s=60" in text


# --- validate ------------------------------------------------------------------------------------


def test_validate_accepts_real_secrets_and_returns_the_same_settings() -> None:
    loaded = secure()
    assert loaded.validate() is loaded


@pytest.mark.parametrize("secret", ["", "changeme", "secret", "dev", "s" * 15])
def test_with_auth_on_a_missing_placeholder_or_short_secret_key_is_refused(secret: str) -> None:
    with pytest.raises(ConfigError, match="DTS_SECRET_KEY"):
        secure(DTS_SECRET_KEY=secret).validate()


@pytest.mark.parametrize("token", ["", "change-me", "t" * 15])
def test_with_auth_on_a_missing_or_short_operator_token_is_refused(token: str) -> None:
    with pytest.raises(ConfigError, match="DTS_OPERATOR_TOKEN"):
        secure(DTS_OPERATOR_TOKEN=token).validate()


def test_with_auth_off_no_secrets_are_needed() -> None:
    loaded = settings(DTS_AUTH="off")
    assert loaded.validate() is loaded


def test_the_defaults_alone_do_not_validate() -> None:
    """A forgotten variable must never mean an open door."""
    with pytest.raises(ConfigError):
        Settings().validate()


@pytest.mark.parametrize(
    ("ttl", "ok"), [(0, False), (1, True), (60, True), (3600, True), (3601, False), (-1, False)]
)
def test_pending_ttl_must_be_between_1_and_3600_seconds(ttl: int, ok: bool) -> None:
    loaded = secure(DTS_PENDING_TTL_S=str(ttl))
    if ok:
        assert loaded.validate().pending_ttl_s == ttl
    else:
        with pytest.raises(ConfigError, match="DTS_PENDING_TTL_S"):
            loaded.validate()


@pytest.mark.parametrize("mode", ["random", "fixed", "FIXED"])
def test_quote_mode_random_or_fixed_is_accepted(mode: str) -> None:
    assert secure(QUOTE_MODE=mode).validate().quote_mode == mode.lower()


@pytest.mark.parametrize("mode", ["walk", "replay", "rand"])
def test_any_other_quote_mode_is_refused(mode: str) -> None:
    with pytest.raises(ConfigError, match="QUOTE_MODE"):
        secure(QUOTE_MODE=mode).validate()


@pytest.mark.parametrize(
    ("interval", "ok"),
    [
        ("0", False),
        ("-1", False),
        ("0.001", True),
        ("120", True),
        ("120.01", False),
        ("nan", False),
        ("inf", False),
    ],
)
def test_watch_interval_must_be_above_0_and_at_most_120_seconds(interval: str, ok: bool) -> None:
    loaded = secure(DTS_WATCH_INTERVAL_S=interval)
    if ok:
        assert loaded.validate() is loaded
    else:
        with pytest.raises(ConfigError, match="DTS_WATCH_INTERVAL_S"):
            loaded.validate()


def test_the_accounts_shape_is_read_under_its_new_name_before_its_earlier_one() -> None:
    assert settings(DTS_PACK_ACCOUNTS="off", DTS_PACK_LISTS="on").pack_accounts is False
    assert settings(DTS_PACK_ACCOUNTS="on", DTS_PACK_LISTS="off").pack_accounts is True
    assert settings(DTS_PACK_ACCOUNTS=" ", DTS_PACK_LISTS="on").pack_accounts is True  # as unset
