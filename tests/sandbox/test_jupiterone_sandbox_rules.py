"""The data model's rules the JupiterOne sandbox enforces on uploads, and its answers to bad bodies."""

from __future__ import annotations

import pytest
from jupiterone_wire import JOBS, counts, entity, relationship

KEY = entity(1)["_key"]
RAW = [{"name": "default", "rawData": {"Nested": {"List": [1, "two", None]}}}]


@pytest.fixture
def job_id(j1_client) -> str:
    return j1_client.start()


def upload_entity(j1_client, job_id: str, item: object):
    return j1_client.post(f"{JOBS}/{job_id}/entities", {"entities": [entity(0), item]})


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"_key": "too-short"}, "'_key' must be a string of at least 10 characters"),
        ({"_key": 1234567890}, "'_key' must be a string"),
        ({"_type": "ab"}, "'_type' must be a string of at least 3 characters"),
        ({"_class": "H"}, "'_class' must be a string or a non-empty array"),
        ({"_class": []}, "'_class' must be a string or a non-empty array"),
        ({"_class": ["Host", "X"]}, "'_class' must be a string or a non-empty array"),
        ({"name": None}, "'name' must be a string"),
        ({"displayName": 7}, "'displayName' must be a string"),
        ({"private_ip": "10.0.0.1"}, "'private_ip' has an invalid name"),
        ({"zone:id": "a"}, "'zone:id' has an invalid name"),
        ({"path/name": "a"}, "'path/name' has an invalid name"),
        ({"nested": {"a": 1}}, "'nested' must be a string, number, boolean, null or an array of one of those types"),
        ({"mixed": [1, "a"]}, "'mixed' must be a string, number"),
        ({"nulls": [None]}, "'nulls' must be a string, number"),
        ({"deep": [[1]]}, "'deep' must be a string, number"),
        ({"tag.Env": None}, "'tag.Env' must be a string, number or boolean"),
        ({"tag.Env": ["a"]}, "'tag.Env' must be a string, number or boolean"),
        ({"_rawData": {"name": "default"}}, "'_rawData' must be an array of"),
        ({"_rawData": [{"rawData": {}}]}, "'_rawData' must be an array of"),
        ({"_rawData": [{"name": "default"}]}, "'_rawData' must be an array of"),
        ({"_rawData": RAW + RAW}, "'_rawData' has more than one entry named 'default'"),
    ],
)
def test_each_entity_rule_answers_400_naming_key_and_property(j1_client, job_id, changes, named):
    answer = upload_entity(j1_client, job_id, {**entity(1), **changes})

    error = answer.json()["error"]
    assert answer.status_code == 400
    assert error["code"] == "INVALID_ENTITY"
    assert named in error["message"]
    assert error["message"].startswith("entity #1")
    if isinstance(changes.get("_key", KEY), str):
        assert repr(changes.get("_key", KEY)) in error["message"]


@pytest.mark.parametrize("missing", ["_key", "_type", "_class", "name", "displayName"])
def test_each_required_entity_property(j1_client, job_id, missing):
    item = entity(1)
    del item[missing]

    error = upload_entity(j1_client, job_id, item).json()["error"]

    assert (error["code"], f"property {missing!r}" in error["message"]) == ("INVALID_ENTITY", True)


@pytest.mark.parametrize("missing", ["_key", "_type", "_class", "_fromEntityKey", "_toEntityKey"])
def test_each_required_relationship_property(j1_client, job_id, missing):
    item = relationship(1, 2)
    del item[missing]

    answer = j1_client.post(f"{JOBS}/{job_id}/relationships", {"relationships": [item]})

    error = answer.json()["error"]
    assert (answer.status_code, error["code"]) == (400, "INVALID_RELATIONSHIP")
    assert "relationship #0" in error["message"]
    assert f"property {missing!r}" in error["message"]


def test_what_the_rules_allow(j1_client, job_id):
    item = entity(
        1,
        _class=["Host", "Device"],
        **{
            "tag.Env": "prod",
            "tag.Cost Center": 12,
            "tag.Public": False,
            "nothing": None,
            "ips": ["10.0.0.1", "10.0.0.2"],
            "ports": [22, 443.5],
            "flags": [True],
            "none": [],
            "Region Id.v2": "cn-hangzhou",
            "_rawData": RAW,
        },
    )

    job = j1_client.upload(job_id, [item], [relationship(1, 2, weight=0.5)])

    assert counts(job)[0] == counts(job, "Relationships")[0] == 1


def test_a_request_with_one_bad_object_stores_nothing(j1_client, job_id):
    answer = j1_client.post(
        f"{JOBS}/{job_id}/upload",
        {"entities": [entity(n) for n in range(5)], "relationships": [relationship(1, 2), {"_key": "x"}]},
    )

    assert answer.json()["error"]["code"] == "INVALID_RELATIONSHIP"
    assert counts(j1_client.job(job_id)) == (0, 0, 0, 0)
    assert counts(j1_client.finalize(job_id)) == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("endpoint", "body", "code"),
    [
        ("entities", {"entities": {"_key": KEY}}, "ENTITY_IS_NOT_ARRAY"),
        ("entities", {}, "ENTITY_IS_NOT_ARRAY"),
        ("entities", {"relationships": []}, "ENTITY_IS_NOT_ARRAY"),
        ("relationships", {"relationships": "none"}, "RELATIONSHIP_IS_NOT_ARRAY"),
        ("upload", {"entities": None}, "ENTITY_IS_NOT_ARRAY"),
        ("upload", {"entities": [], "relationships": {}}, "RELATIONSHIP_IS_NOT_ARRAY"),
        ("entities", {"entities": ["not an object"]}, "INVALID_ENTITY"),
    ],
)
def test_arrays_of_objects_are_required(j1_client, job_id, endpoint, body, code):
    answer = j1_client.post(f"{JOBS}/{job_id}/{endpoint}", body)

    assert (answer.status_code, answer.json()["error"]["code"]) == (400, code)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"entities": [NaN]}', "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[]", "must be a JSON object"),
    ],
)
def test_bodies_that_are_not_json_objects(j1_client, job_id, data, message):
    answer = j1_client.post(f"{JOBS}/{job_id}/entities", data=data)

    assert (answer.status_code, answer.json()["error"]["code"]) == (400, "BAD_REQUEST")
    assert message in answer.json()["error"]["message"]


@pytest.mark.parametrize("body", [{"partialDatasets": {"types": "test_host"}}, {"partialDatasets": [1]}])
def test_partial_types_must_be_an_array_of_strings(j1_client, job_id, body):
    answer = j1_client.post(f"{JOBS}/{job_id}/finalize", body)

    assert (answer.status_code, answer.json()["error"]["code"]) == (400, "BAD_REQUEST")
    assert j1_client.job(job_id)["status"] == "AWAITING_UPLOADS"
