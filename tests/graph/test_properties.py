"""The shared property rules: tag names, value length, API times, IP addresses, reading wrappers."""

from __future__ import annotations

import ipaddress
from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alibaba_jupiterone.graph.properties import (
    PROPERTY_NAME,
    dig,
    epoch_ms,
    ip_addresses,
    items,
    limit_length,
    tag_property,
    texts,
    unique_or_none,
)


@given(key=st.text(min_size=1))
def test_any_tag_key_gives_a_valid_property_name_of_the_same_length(key):
    name = tag_property(key)

    assert PROPERTY_NAME.fullmatch(name)
    assert len(name) == len("tag.") + len(key)


@pytest.mark.parametrize(
    ("key", "name"),
    [
        ("acs:autoscaling:scalingGroupId", "tag.acs-autoscaling-scalingGroupId"),
        ("Cost Center", "tag.Cost Center"),
        ("app.tier-1", "tag.app.tier-1"),
        ("kubernetes.io/cluster/x", "tag.kubernetes.io-cluster-x"),
        ("owner_email", "tag.owner-email"),
        ("项目", "tag.--"),
    ],
)
def test_tag_property_names(key, name):
    assert tag_property(key) == name


@given(value=st.text() | st.text(min_size=1, max_size=2).map(lambda part: part * 3000))
def test_strings_are_cut_to_4096_characters_keeping_their_start(value):
    expected = value if len(value) <= 4096 else value[:4093] + "..."

    assert limit_length(value) == expected


def test_limit_length_reaches_into_lists_and_leaves_other_values_alone():
    assert limit_length(["a" * 4097, "b", 3]) == ["a" * 4093 + "...", "b", 3]
    assert limit_length("a" * 4096) == "a" * 4096
    assert [limit_length(value) for value in (None, True, 2.5)] == [None, True, 2.5]


@given(moment=st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(9999, 12, 31)))
def test_api_times_are_utc_epoch_milliseconds(moment):
    expected = moment.replace(second=0, microsecond=0, tzinfo=timezone.utc)

    assert epoch_ms(moment.strftime("%Y-%m-%dT%H:%MZ")) == int(expected.timestamp()) * 1000
    assert epoch_ms(moment.strftime("%Y-%m-%dT%H:%M:%SZ")) == int(expected.timestamp()) * 1000 + moment.second * 1000


@pytest.mark.parametrize("text", ["", "2024-04-14", "2024-04-14T22:32", "2024-13-01T00:00Z", "later", None, 1713133920])
def test_what_is_not_an_api_time_has_no_epoch(text):
    assert epoch_ms(text) is None


@given(addresses=st.lists(st.ip_addresses().map(str), max_size=6))
def test_valid_addresses_are_kept_once_in_order_with_their_version(addresses):
    parsed = [ipaddress.ip_address(address) for address in addresses]

    assert ip_addresses(addresses) == {str(address): address.version for address in parsed}


@given(address=st.ip_addresses(v=6))
def test_every_spelling_of_an_ipv6_address_is_normalised(address):
    spellings = [address.exploded.upper(), address.exploded, str(address).upper(), str(address)]

    assert ip_addresses(spellings) == {str(address): 6}


def test_invalid_masked_and_scoped_addresses_are_dropped_and_ipv6_normalised():
    found = ip_addresses(
        ["", "172.17.**.**", "fe80::1%eth0", "10.0.0.1", "2408:4005:0:0::1", "10.0.0.1 ", "2408:4005::1"]
    )

    assert found == {"10.0.0.1": 4, "2408:4005::1": 6}


def test_reading_wrappers_tolerates_every_shape_the_api_may_send():
    record = {"Tags": {"Tag": [{"TagKey": "a"}, "junk", None]}, "Empty": {}, "Null": None, "Text": "x"}

    assert items(record, "Tags", "Tag") == [{"TagKey": "a"}]
    assert [items(record, *path) for path in (("Empty", "Tag"), ("Null", "Tag"), ("Text", "Tag"), ("Nope",))] == [
        None
    ] * 4
    assert (dig(record, "Tags", "Tag", "TagKey"), dig(record, "Text"), dig(None, "Text")) == (None, "x", None)
    assert (texts("a"), texts(["a", 1, None, "b"]), texts(None), texts({"a": 1})) == (["a"], ["a", "b"], [], [])


def test_unique_or_none():
    assert unique_or_none(["b", "a", "b"]) == ["b", "a"]
    assert unique_or_none([]) is None
