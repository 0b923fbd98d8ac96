"""The checks on an ``alibaba_cloud`` connection's extras: each bad value is named."""

from __future__ import annotations

import pytest

from alibaba_jupiterone.errors import ConfigurationError
from alibaba_jupiterone.hooks.alibaba_settings import AlibabaSettings
from alibaba_jupiterone.hooks.retry import RetryPolicy

KEYS = {"access_key_id": "key-id", "access_key_secret": "key-secret"}


def test_official_provider_shape_is_enough():
    settings = AlibabaSettings.from_extra(KEYS)

    assert settings.access_key_id == "key-id"
    assert settings.region == "cn-hangzhou"
    assert settings.regions == ()
    assert settings.protocol == "https"
    assert settings.endpoint is None


def test_no_keys_means_the_default_credential_chain():
    assert AlibabaSettings.from_extra({}).access_key_id is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("cn-beijing, us-east-1,,cn-beijing", ("cn-beijing", "us-east-1")),
        (["eu-central-1", " ap-south-1 "], ("eu-central-1", "ap-south-1")),
        ("", ()),
    ],
)
def test_regions_allow_list_forms(value, expected):
    settings = AlibabaSettings.from_extra({**KEYS, "regions": value})

    assert settings.regions == expected
    assert settings.region == (expected[0] if expected else "cn-hangzhou")


def test_explicit_region_wins_for_describe_regions():
    assert (
        AlibabaSettings.from_extra({**KEYS, "regions": "us-east-1", "region": "eu-central-1"}).region == "eu-central-1"
    )


@pytest.mark.parametrize("endpoint", ["127.0.0.1:8080", "localhost:1", "[::1]:9000", "127.0.0.2"])
def test_http_is_allowed_for_loopback_endpoints(endpoint):
    settings = AlibabaSettings.from_extra({**KEYS, "endpoint": endpoint, "protocol": "HTTP"})

    assert (settings.endpoint, settings.protocol) == (endpoint, "http")


def test_https_endpoint_override_may_be_any_host():
    assert AlibabaSettings.from_extra({**KEYS, "endpoint": "ecs-vpc.cn-hangzhou.aliyuncs.com"}).protocol == "https"


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"access_key_id": "only-the-id"}, "access_key_secret"),
        ({"access_key_secret": "only-the-secret"}, "access_key_id"),
        ({"security_token": "token"}, "security_token"),
        ({**KEYS, "protocol": "http"}, "protocol"),
        ({**KEYS, "protocol": "http", "endpoint": "ecs.aliyuncs.com"}, "protocol"),
        ({**KEYS, "protocol": "http", "endpoint": "10.0.0.1:80"}, "protocol"),
        ({**KEYS, "protocol": "ftp"}, "protocol"),
        ({**KEYS, "endpoint": "https://ecs.aliyuncs.com"}, "endpoint"),
        ({**KEYS, "endpoint": "ecs.aliyuncs.com/path"}, "endpoint"),
        ({**KEYS, "endpoint": "127.0.0.1:notaport"}, "endpoint"),
        ({**KEYS, "regions": 5}, "regions"),
        ({**KEYS, "regions": ["cn-hangzhou", 3]}, "regions"),
        ({**KEYS, "read_timeout": "soon"}, "read_timeout"),
        ({**KEYS, "connect_timeout": 0}, "connect_timeout"),
        ({**KEYS, "connect_timeout": True}, "connect_timeout"),
        ({"access_key_id": 12345, "access_key_secret": "s"}, "access_key_id"),
        ({**KEYS, "retry": {"max_attempts": 0}}, "retry"),
        ({**KEYS, "retry": {"attempts": 3}}, "retry"),
        ({**KEYS, "retry": 3}, "retry"),
    ],
)
def test_bad_extras_are_named(extra, named):
    with pytest.raises(ConfigurationError, match=f"'{named}'"):
        AlibabaSettings.from_extra(extra)


def test_timeouts_are_milliseconds():
    settings = AlibabaSettings.from_extra({**KEYS, "read_timeout": "2500", "connect_timeout": 800})

    assert (settings.read_timeout, settings.connect_timeout) == (2500, 800)


def test_secrets_stay_out_of_repr():
    settings = AlibabaSettings.from_extra({**KEYS, "security_token": "the-sts-token"})

    assert "key-secret" not in repr(settings)
    assert "the-sts-token" not in repr(settings)


def test_retry_policy_from_the_connection():
    settings = AlibabaSettings.from_extra({**KEYS, "retry": {"max_attempts": 3, "initial_delay": 0.5}})

    assert settings.retry == RetryPolicy(max_attempts=3, initial_delay=0.5)
    assert AlibabaSettings.from_extra(KEYS).retry is None
