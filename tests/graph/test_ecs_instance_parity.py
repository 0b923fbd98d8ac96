"""Parity with JupiterOne's own integration: its output on the same recorded instances, property by property."""

from __future__ import annotations

from ecs_records import OPTIONS

from alibaba_jupiterone.graph import ECS_INSTANCE

# The contract's corrections of the reference, each checked on its own below.
CORRECTED = {"status", "osName", "loginAsRoot", "hostname", "name", "displayName", "instanceName"}
# The contract's additions (``tag.*`` aside) and the corrected name of "loginAsRoot".
ADDED = {
    "active",
    "createdOn",
    "expiresOn",
    "lastSeenOn",
    "webLink",
    "tag.AccountName",
    "category",
    "make",
    "model",
    "serial",
    "fqdn",
    "ipv4Addresses",
    "ipv6Addresses",
    "privateIpAddresses",
    "publicIpAddresses",
    "macAddresses",
    "osType",
    "osVersion",
    "deviceId",
    "public",
    "loginAsNonRoot",
}


def converted(recorded_instances):
    for recording, region, position, record in recorded_instances:
        entity = ECS_INSTANCE.to_entity(record, OPTIONS, region=region, position=position)
        yield f"{recording} {region} #{position}", record, entity


def test_the_recordings_give_the_reference_entities_and_no_other(recorded_instances, reference_entities):
    keys = {entity["_key"] for _, _, entity in converted(recorded_instances)}

    assert keys == set(reference_entities)
    assert len(keys) == 4


def test_every_reference_property_is_kept_with_its_value(recorded_instances, reference_entities):
    mismatches = [
        f"{where} {name}: reference {expected!r}, ours {entity.get(name, '<absent>')!r}"
        for where, _, entity in converted(recorded_instances)
        for name, expected in reference_entities[entity["_key"]].items()
        if name not in CORRECTED and entity.get(name, "<absent>") != expected
    ]

    assert not mismatches, "\n".join(mismatches)


def test_the_corrected_properties_follow_the_contract(recorded_instances, reference_entities):
    for where, record, entity in converted(recorded_instances):
        reference = reference_entities[entity["_key"]]
        assert reference["status"] == record["Status"] == "Running", where
        assert not record["OperationLocks"]["LockReason"], where
        assert entity["status"] == "deployed", where
        assert reference["osName"] == record["OSType"], where
        assert entity["osName"] == record["OSNameEn"], where
        assert "loginAsRoot" not in entity
        assert entity.get("loginAsNonRoot") == record["ImageOptions"].get("LoginAsNonRoot"), where
        # the recorded host names already fit the data model's pattern: nothing to correct
        assert entity["hostname"] == reference["hostname"] == record["HostName"], where
        for name in ("name", "displayName", "instanceName"):
            assert entity[name] == (reference[name] or record["InstanceId"]), f"{where} {name}"


def test_nothing_is_added_beyond_the_contract(recorded_instances, reference_entities):
    for where, _, entity in converted(recorded_instances):
        extra = set(entity) - set(reference_entities[entity["_key"]]) - ADDED
        assert {name for name in extra if not name.startswith("tag.")} == set(), where
        tags = {name: entity[name] for name in extra if name.startswith("tag.") and name != "tag.AccountName"}
        recorded_tags = dict(zip(entity.get("tagKeys", []), entity.get("tagValues", []), strict=True))
        assert tags == {f"tag.{key.replace(':', '-')}": value for key, value in recorded_tags.items()}, where
