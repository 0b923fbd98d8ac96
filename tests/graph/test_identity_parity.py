"""Parity with JupiterOne's own integration for the account, VPC and RAM types, recording by recording.

Each recording is read as the reference read it (the entries it left unused are left out), composed
into records as the hooks compose them, and converted; the result is compared with the reference's
output on that recording, property by property. The contract's corrections are checked one by one,
and nothing may be added beyond the contract's additions.
"""

from __future__ import annotations

import pytest
from ecs_records import OPTIONS
from recorded import RECORDING_ACCOUNT_ID, Recording, synced
from reference_contract import ADDED, CORRECTED, IN_SCOPE, reference_key

from alibaba_jupiterone.graph import ACCOUNT, RAM_GROUP, RAM_POLICY, RAM_ROLE, RAM_USER, VPC


@pytest.fixture(scope="module")
def compared(graph_fixtures, reference_by_recording):
    """``(recording, record, ours, the reference's)`` for every entity of the types in scope."""
    found = []
    for name, reference in reference_by_recording.items():
        expected = {entity["_key"]: entity for entity in reference["entities"] if entity["_type"] in IN_SCOPE}
        if not expected:
            continue
        records = Recording.as_the_reference_read_it(graph_fixtures / "recordings" / f"{name}.har", reference).records()
        entities, _ = synced(records, OPTIONS)
        by_key = {entity["_key"]: entity for entity in entities.values() if entity["_type"] in IN_SCOPE}
        record_of = {
            resource.key.key_of(record): record
            for resource in (ACCOUNT, VPC, RAM_USER, RAM_GROUP, RAM_ROLE, RAM_POLICY)
            for record in records.get(resource.type, [])
        }
        assert {reference_key(entity) for entity in by_key.values()} == set(expected), name
        found.extend((name, record_of[key], ours, expected[reference_key(ours)]) for key, ours in by_key.items())
    return found


def test_every_type_in_scope_is_compared(compared):
    counts = {}
    for _, _, ours, _ in compared:
        counts[ours["_type"]] = counts.get(ours["_type"], 0) + 1

    assert set(counts) == IN_SCOPE
    assert counts[VPC.type] >= 7
    assert counts[RAM_POLICY.type] >= 9


def test_every_reference_property_is_kept_with_its_value(compared):
    mismatches = [
        f"{recording} {ours['_key']} {name}: reference {expected!r:.80}, ours {ours.get(name, '<absent>')!r:.80}"
        for recording, _, ours, reference in compared
        for name, expected in reference.items()
        if name not in CORRECTED[ours["_type"]] and ours.get(name, "<absent>") != expected
    ]

    assert not mismatches, "\n".join(mismatches)


def test_nothing_is_added_beyond_the_contract(compared):
    for recording, record, ours, reference in compared:
        extra = set(ours) - set(reference) - ADDED[ours["_type"]] - {"tag.AccountName"}
        tags = {name: ours[name] for name in extra if name.startswith("tag.")}
        recorded_tags = {tag["Key"]: tag["Value"] for tag in record.get("Tags", {}).get("Tag", [])}
        assert tags == {f"tag.{key.replace(':', '-')}": value for key, value in recorded_tags.items()}, recording
        assert extra - set(tags) == set(), f"{recording} {ours['_key']}"
        assert ours["tag.AccountName"] == OPTIONS.account_name


def test_the_default_raw_data_is_the_reference_s_and_each_enrichment_has_its_own(compared):
    for recording, record, ours, reference in compared:
        if ours["_type"] == ACCOUNT.type:
            continue  # the reference's record was not the API's answer (see the account test)
        (expected,) = reference["_rawData"]
        default, *enrichments = ours["_rawData"]
        raw = default["rawData"]
        if "OwnerId" in raw:  # the reference read the 16-digit OwnerId with a parser that makes it a string
            raw = {**raw, "OwnerId": str(raw["OwnerId"])}
        assert (default["name"], raw) == ("default", expected["rawData"]), f"{recording} {ours['_key']}"
        assert [entry["name"] for entry in enrichments] == [key for key in record if key not in raw]
        assert all(entry["rawData"] == record[entry["name"]] for entry in enrichments)


def test_the_account_is_keyed_by_its_id_and_displayed_by_its_configured_name(compared):
    accounts = [(record, ours, reference) for _, record, ours, reference in compared if ours["_type"] == ACCOUNT.type]

    assert len(accounts) == 1
    ((record, ours, reference),) = accounts
    assert reference["_key"] == f"alibaba_cloud_ram_account:{record['AccountAlias']}"
    assert ours["_key"] == f"alibaba_cloud_account:{RECORDING_ACCOUNT_ID}"
    assert reference["displayName"] == reference["name"] == ours["name"] == record["AccountAlias"]
    assert ours["displayName"] == OPTIONS.account_name
    assert reference["_rawData"] == [{"name": "default", "rawData": {"accountAlias": record["AccountAlias"]}}]
    assert ours["_rawData"] == [{"name": "default", "rawData": record}]
    assert set(record) == {"AccountId", "AccountAlias"}


def test_an_unnamed_vpc_is_named_by_its_id(compared):
    vpcs = [(record, ours, reference) for _, record, ours, reference in compared if ours["_type"] == VPC.type]
    unnamed = [(record, ours, reference) for record, ours, reference in vpcs if record["VpcName"] == ""]

    assert unnamed, "the recordings hold a VPC without a name"
    for record, ours, reference in vpcs:
        expected = record["VpcName"] or record["VpcId"]
        assert (ours["name"], ours["displayName"]) == (expected, expected)
        assert reference["name"] == reference["displayName"] == record["VpcName"]


def test_user_names_are_arrays_as_the_data_model_wants(compared):
    users = [(record, ours, reference) for _, record, ours, reference in compared if ours["_type"] == RAM_USER.type]

    assert users
    for record, ours, reference in users:
        assert reference["username"] == record["UserName"]
        assert ours["username"] == ours["shortLoginId"] == [record["UserName"]]
        # what the recordings hold: no email in ListUsers, no MFA device recorded
        assert (ours["email"], ours["mfaEnabled"], ours["firstName"], ours["lastName"]) == (None, False, None, None)


def test_policy_content_is_never_the_description(compared):
    policies = [
        (record, ours, reference) for _, record, ours, reference in compared if ours["_type"] == RAM_POLICY.type
    ]

    assert policies
    for record, ours, reference in policies:
        assert reference["content"] == record["Description"] != ""
        # the recordings hold no GetPolicyVersion answer: no document to give
        assert "PolicyVersion" not in record
        assert ours["content"] == ""
        # and no custom policy, whose dates and count the reference took from fields that do not exist
        assert record["PolicyType"] == "System"
        assert not {"createdOn", "updatedOn", "attachmentCount"} & (set(ours) | set(reference))


def test_a_policy_attached_many_times_is_one_entity_made_from_its_first_attachment(graph_fixtures):
    har = graph_fixtures / "recordings" / "build-policy-and-user-relationships_4000975266.har"
    recording = Recording.read(har)

    policies = recording.records()[RAM_POLICY.type]

    administrator = [policy for policy in policies if policy["PolicyName"] == "AdministratorAccess"]
    attachments = [
        (answer.query["UserName"], policy["AttachDate"])
        for answer in recording.of("ListPoliciesForUser")
        for policy in answer.body["Policies"]["Policy"]
        if policy["PolicyName"] == "AdministratorAccess"
    ]
    # attached to two users (stefan.virag, listed first, and jake.ferrero) and to a role
    assert [user for user, _ in attachments] == ["stefan.virag", "jake.ferrero"]
    assert any(
        policy["PolicyName"] == "AdministratorAccess"
        for answer in recording.of("ListPoliciesForRole")
        for policy in answer.body["Policies"]["Policy"]
    )
    assert len(administrator) == 1
    assert administrator[0]["AttachDate"] == attachments[0][1]
    assert len({policy["PolicyName"] for policy in policies}) == len(policies)
