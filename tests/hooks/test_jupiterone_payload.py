"""Checking, encoding, packing and shrinking of graph objects before upload (no network)."""

from __future__ import annotations

import enum
import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alibaba_jupiterone.errors import GraphObjectError
from alibaba_jupiterone.hooks.jupiterone_payload import batches, encode, prepare, request_body, shrink_raw_data

ENTITY = {"_key": "entity-key-0001", "_type": "test_host", "_class": ["Host"], "name": "n", "displayName": "n"}
RELATIONSHIP = {
    "_key": "a-entity-key|has|b-entity-key",
    "_type": "test_host_has_host",
    "_class": "HAS",
    "_fromEntityKey": "a-entity-key",
    "_toEntityKey": "b-entity-key",
}


def prepared(*objects, kind="entities", seen=None):
    return list(prepare(objects, kind, set() if seen is None else seen))


@pytest.mark.parametrize(
    ("obj", "named"),
    [
        ({**ENTITY, "_key": "short"}, "_key"),
        ({**ENTITY, "_type": "ab"}, "_type"),
        ({**ENTITY, "_class": []}, "_class"),
        ({**ENTITY, "_class": ["Host", "X"]}, "_class"),
        ({**ENTITY, "_class": 5}, "_class"),
        ({k: v for k, v in ENTITY.items() if k != "name"}, "name"),
        ({**ENTITY, "displayName": 3}, "displayName"),
        ({**ENTITY, "tag:env": "prod"}, "tag:env"),
        ({**ENTITY, "a_b": 1}, "a_b"),
        ({**ENTITY, "nested": {"a": 1}}, "nested"),
        ({**ENTITY, "mixed": [1, "a"]}, "mixed"),
        ({**ENTITY, "nulls": [None]}, "nulls"),
        ({**ENTITY, "ratio": float("nan")}, "ratio"),
        ({**ENTITY, "ratios": [0.5, float("inf")]}, "ratios"),
        ({**ENTITY, "pair": ("a", "b")}, "pair"),
        ({**ENTITY, "_rawData": {"a": 1}}, "_rawData"),
        ({**ENTITY, "_rawData": "raw"}, "_rawData"),
        ({**ENTITY, "_rawData": [{"rawData": {}}]}, "_rawData"),
    ],
)
def test_each_rule_names_the_key_and_property(obj, named):
    with pytest.raises(GraphObjectError) as raised:
        prepared(obj)

    assert raised.value.property_name == named
    assert named in str(raised.value)
    assert raised.value.key == (obj["_key"] if len(obj.get("_key", "")) else "#0")


@pytest.mark.parametrize(
    "properties",
    [
        {"nested": {"a": 1}, "tag:env": "prod", "long": "x" * 5000},
        {"tag:env": "prod", "nested": {"a": 1}},
        {"long": "x" * 5000, "ratio": float("-inf"), "nested": {"a": 1}},
    ],
)
def test_the_first_violation_in_property_order_is_named(properties):
    first_bad = next(name for name in properties if name != "long")

    with pytest.raises(GraphObjectError) as raised:
        prepared({**ENTITY, **properties})

    assert raised.value.property_name == first_bad


def test_relationships_need_their_ends():
    assert prepared(RELATIONSHIP, kind="relationships")[0].key == RELATIONSHIP["_key"]
    with pytest.raises(GraphObjectError, match="_toEntityKey"):
        prepared({**RELATIONSHIP, "_toEntityKey": None}, kind="relationships")


def test_a_non_object_is_named_by_position():
    with pytest.raises(GraphObjectError, match="item 1") as raised:
        prepared(ENTITY, ["not", "an", "object"])
    assert raised.value.key == "#1"


def test_duplicate_keys_are_refused_across_calls():
    seen: set[str] = set()
    prepared(ENTITY, seen=seen)

    with pytest.raises(GraphObjectError, match="twice") as raised:
        prepared(ENTITY, seen=seen)
    assert raised.value.key == ENTITY["_key"]


def test_allowed_values_pass_and_long_strings_are_cut():
    obj = {
        **ENTITY,
        "tag.Account Name": "prod",
        "count": 3,
        "ratio": 0.5,
        "active": True,
        "gone": None,
        "ips": ["10.0.0.1"],
        "empty": [],
        "long": "x" * 5000,
        "_rawData": [{"name": "default", "rawData": {"Nested": {"Deep": [1, {"a": "b"}]}}}],
    }

    (item,) = prepared(obj)

    stored = json.loads(item.body)
    assert len(stored["long"]) == 4096
    assert {k: v for k, v in stored.items() if k != "long"} == {k: v for k, v in obj.items() if k != "long"}
    assert obj["long"] == "x" * 5000, "the caller's object is left alone"


def test_values_of_subtypes_and_mixed_numbers_are_allowed():
    class Label(str):
        pass

    class Level(enum.IntEnum):
        HIGH = 3

    obj = {**ENTITY, "label": Label("web"), "level": Level.HIGH, "sizes": [1, 2.5], "notes": ["short", "y" * 5000]}

    (item,) = prepared(obj)

    stored = json.loads(item.body)
    notes = stored.pop("notes")
    assert stored == {**ENTITY, "label": "web", "level": 3, "sizes": [1, 2.5]}
    assert notes[0] == "short"
    assert len(notes[1]) == 4096
    assert obj["notes"][1] == "y" * 5000, "the caller's object is left alone"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200)
@given(raw=JSON_VALUES)
def test_the_encoding_reads_back_as_the_same_object(raw):
    obj = {**ENTITY, "_rawData": [{"name": "default", "rawData": raw}]}

    item = encode(obj)

    assert json.loads(item.body) == obj


def test_the_encoding_is_compact_utf8():
    item = encode({**ENTITY, "description": "Zürich, 杭州", "tags": ["a b", "c"]})

    assert b'"description":"Z\xc3\xbcrich, \xe6\x9d\xad\xe5\xb7\x9e","tags":["a b","c"]}' in item.body


@settings(max_examples=200)
@given(sizes=st.lists(st.integers(min_value=1, max_value=3000), max_size=60), limit=st.integers(200, 8000))
def test_batches_keep_order_and_stay_under_the_limit(sizes, limit):
    objects = [{**ENTITY, "_key": f"entity-key-{n:05d}", "pad": "p" * size} for n, size in enumerate(sizes)]
    items = [encode(obj) for obj in objects]
    by_key = {obj["_key"]: obj for obj in objects}

    packed = list(batches(items, "entities", limit))

    assert [item for batch in packed for item in batch] == items
    for batch in packed:
        body = request_body("entities", batch)
        assert json.loads(body) == {"entities": [by_key[item.key] for item in batch]}
        assert len(body) <= limit or len(batch) == 1
    for first, second in itertools.pairwise(packed):
        assert len(request_body("entities", [*first, second[0]])) > limit, "batches are as full as they can be"


def test_shrinking_cuts_the_largest_raw_values_first():
    raw = {"Small": "s" * 20, "Large": "l" * 5000, "List": ["m" * 3000, 7], "Name": "kept"}
    item = encode({**ENTITY, "_rawData": [{"name": "default", "rawData": raw}]})

    just_enough = shrink_raw_data(item, item.size - 4000)
    everything = shrink_raw_data(item, 0)

    assert json.loads(just_enough.body)["_rawData"][0]["rawData"] == {**raw, "Large": "TRUNCATED"}
    assert json.loads(everything.body)["_rawData"] == [
        {
            "name": "default",
            "rawData": {"Small": "TRUNCATED", "Large": "TRUNCATED", "List": ["TRUNCATED", 7], "Name": "kept"},
        }
    ]
    assert just_enough.shrunk
    assert everything.shrunk
    assert shrink_raw_data(everything, 0) is everything
    assert shrink_raw_data(encode(ENTITY), 0).shrunk is False
