"""Parity with JupiterOne's own integration, each recording replayed through the sandbox and the real hooks.

Each recording the reference integration made account, VPC or RAM entities from is served by the
Alibaba Cloud sandbox; the real listings and hooks read it through the SDKs over HTTP, and the real
fetch and transform steps convert what they read. The entities of the reference's types must be the
reference's (the same keys, every reference property but the contract's corrections, each correction
checked against what was served, nothing added beyond the contract) and, where the reference ran a
step that builds relationships, the relationships of our types must be the ones it built.

Where the replay differs from the recording, it does so on purpose:

- the reference's replayer left some recorded entries unused (its steps never asked for them, e.g.
  the roles' attachments in the recording of the users' ones). The sandbox serves a copy of the
  recording without them: when policies are wanted, the hook reads the attachments of every principal
  kind, and would otherwise find policies the reference was never shown;
- no recording holds STS GetCallerIdentity: the sandbox answers it with the id the recording gives
  (GetAccountAlias answers an account that has no alias with its id, which the recordings' VPCs and
  roles belong to);
- no recording holds GetPolicyVersion: the sandbox answers a policy's default version with a
  placeholder document (real RAM always has one), which becomes the policy's content;
- the recorded ECS DescribeInstances requests carried ``NextToken=undefined`` (the reference's
  client sent a JavaScript ``undefined``): the sandbox files the recorded instances by region and
  pages them itself, so the hook's own requests are answered with the recorded instances.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from ecs_records import OPTIONS
from recorded import RECORDING_ACCOUNT_ID
from reference_contract import ADDED, CORRECTED, IN_SCOPE, ends, reference_key

from alibaba_jupiterone.graph import (
    ACCOUNT,
    ECS_INSTANCE,
    RAM_POLICY,
    RAM_USER,
    RELATIONSHIP_TYPES,
    VPC,
    relationship_type,
    resource_type,
    validate_entity,
)
from alibaba_jupiterone.hooks.retry import RetryPolicy
from alibaba_jupiterone.pipeline.fetch import fetch, plan
from alibaba_jupiterone.pipeline.listings import AlibabaCloud
from alibaba_jupiterone.pipeline.manifest import Manifest
from alibaba_jupiterone.pipeline.publish import is_entity_dataset
from alibaba_jupiterone.pipeline.transform import transform
from alibaba_jupiterone.sandbox.alibaba.ram.directory import PLACEHOLDER_DOCUMENT

CONN_ID = "alibabacloud_default"
FAST = RetryPolicy(max_attempts=2, initial_delay=0.01, max_delay=0.02)
OUR_RELATIONSHIPS = {kind.type for kind in RELATIONSHIP_TYPES}

# Every reference output, by recording, that holds entities of the types in scope (the test below checks
# that no other does). The last two the reference made from two recordings, replayed together.
REPLAYED = (
    "build-group-and-user-relationships_4057229285",
    "build-policy-and-group-relationships_3620367680",
    "build-policy-and-role-relationships_1836516645",
    "build-policy-and-user-relationships_4000975266",
    "build-scaling-groups-vpc-relationship_2442855581",
    "build-vpc-alb-load-balancer-relationships_714698051",
    "fetch-account_4032489637",
    "fetch-ram-groups-policies_2756147890",
    "fetch-ram-groups_3898735301",
    "fetch-ram-roles-policies_1761681307",
    "fetch-ram-roles_3182317430",
    "fetch-ram-users-policies_1443975328",
    "fetch-ram-users_1799638251",
    "fetch-vpcs_494783370",
    "build-vpc-has-nat-gateway-relationships__from__fetch-vpcs_494783370+fetch-nat-gateways_1970432723",
    "build-vpc-has-vpn-gateway-relationships__from__fetch-vpcs_494783370+fetch-vpn-gateways_481844042",
)
VPC_HAS_INSTANCES = "build-vpc-has-ecs-instance-relationship_260151437"
"""The recording of the reference converter's output (``reference-converter-output.json``)."""


@dataclass(frozen=True)
class Replay:
    """What one sync read from the sandbox and made of it."""

    records: dict[str, list[dict[str, Any]]]
    """``_type`` -> the raw records the hooks gave."""
    entities: dict[str, dict[str, Any]]
    """Every entity by ``_key``."""
    relationships: list[dict[str, Any]]
    requests: list[tuple[str, str]]
    """``(product, action)`` of each request the sandbox answered."""

    def record_of(self, entity: dict[str, Any]) -> dict[str, Any]:
        """The raw record ``entity`` was made from."""
        resource = resource_type(entity["_type"])
        (record,) = (r for r in self.records[entity["_type"]] if resource.key.key_of(r) == entity["_key"])
        return record


def as_the_reference_read_them(reference: dict[str, Any], recordings: Path, folder: Path) -> list[Path]:
    """Copies, in ``folder``, of the recordings ``reference`` was made from, without the entries it left unused.

    The reference names each unused entry ``<recording>#<position> <method> <host> <action>``.
    """
    names = [PurePosixPath(path).parent.name for path in reference["recordings"]]
    unused: dict[str, set[int]] = {name: set() for name in names}
    for entry in reference["unusedRecordedEntries"]:
        name, position = re.fullmatch(r"(\S+)#(\d+) .*", entry).groups()
        unused[name].add(int(position))
    copies = []
    for name in names:
        har = json.loads((recordings / f"{name}.har").read_text(encoding="utf-8"))
        entries = har["log"]["entries"]
        har["log"]["entries"] = [entry for position, entry in enumerate(entries) if position not in unused[name]]
        assert len(entries) - len(har["log"]["entries"]) == len(unused[name]), name
        copy = folder / f"{name}.har"
        copy.write_text(json.dumps(har), encoding="utf-8")
        copies.append(copy)
    return copies


def wanted(reference: dict[str, Any]) -> set[str]:
    """The types a sync must read to make the reference's entities of our types and its relationships of ours."""
    kinds = [relationship_type(r["_type"]) for r in reference["relationships"] if r["_type"] in OUR_RELATIONSHIPS]
    return {e["_type"] for e in reference["entities"] if e["_type"] in IN_SCOPE} | {
        end for kind in kinds for end in (kind.source, kind.target)
    }


@pytest.fixture
def replay(alibaba_sandbox_factory, monkeypatch, tmp_path, graph_fixtures) -> Callable[..., Replay]:
    """Serve the recordings of a reference output from the sandbox, and sync ``resources`` from it."""

    def replay(reference: dict[str, Any], resources: Iterable[str]) -> Replay:
        hars = as_the_reference_read_them(reference, graph_fixtures / "recordings", tmp_path)
        sandbox = alibaba_sandbox_factory("from_files", *hars)
        monkeypatch.setenv("AIRFLOW_CONN_ALIBABACLOUD_DEFAULT", sandbox.connection_json())
        batches: dict[str, list[Any]] = {}

        def store(key: str, batch: list[Any]) -> None:
            batches[key] = json.loads(json.dumps(batch))  # as an XCom keeps it

        listings, failures = plan(AlibabaCloud(CONN_ID, resources, retry=FAST))
        fetched = fetch(listings, store=store, producer="fetch", batch_size=100, max_concurrent_listings=4)
        transformed = transform(
            fetched, OPTIONS, load=batches.__getitem__, store=store, producer="transform", batch_size=100
        )
        assert (failures, transformed.failures) == ([], [])

        def items(manifest: Manifest, *, entities: bool) -> Iterable[tuple[str, dict[str, Any]]]:
            return (
                (dataset.type, item)
                for dataset in manifest.datasets
                if is_entity_dataset(dataset) == entities
                for key in dataset.keys
                for item in batches[key]
            )

        records: dict[str, list[dict[str, Any]]] = {}
        for type_name, record in items(fetched, entities=True):
            records.setdefault(type_name, []).append(record)
        return Replay(
            records,
            {entity["_key"]: entity for _, entity in items(transformed, entities=True)},
            [relationship for _, relationship in items(transformed, entities=False)],
            [(request.product, request.action) for request in sandbox.requests],
        )

    return replay


def by_recording(graph_fixtures: Path, name: str) -> dict[str, Any]:
    """The reference's output on the recording(s) ``name``."""
    path = graph_fixtures / "reference-output" / "by-recording" / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def test_every_reference_output_of_the_types_in_scope_is_replayed(graph_fixtures):
    folder = graph_fixtures / "reference-output" / "by-recording"
    references = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in folder.glob("*.json")}

    in_scope = {name for name, reference in references.items() if wanted(reference)}

    assert in_scope == set(REPLAYED)
    # each of our relationship types the reference built has a recording
    built = {r["_type"] for name in REPLAYED for r in references[name]["relationships"]} & OUR_RELATIONSHIPS
    from_the_account = {kind.type for kind in RELATIONSHIP_TYPES if kind.source == ACCOUNT.type}
    assert built == OUR_RELATIONSHIPS - from_the_account - {"alibaba_cloud_vpc_has_ecs_instance"}


@pytest.mark.parametrize("name", REPLAYED)
def test_a_replayed_recording_gives_the_reference_s_entities_and_relationships(replay, graph_fixtures, name):
    reference = by_recording(graph_fixtures, name)

    replayed = replay(reference, wanted(reference))

    assert_entities_are_the_reference_s(replayed, reference["entities"], big_numbers_as_strings=True)
    if reference["testStep"].startswith("build-"):
        theirs = [r for r in reference["relationships"] if r["_type"] in OUR_RELATIONSHIPS]
        assert ends(replayed.relationships) == ends(theirs)
    # a fetch step builds no relationship: the reference has none to compare ours with


def test_the_recorded_vpcs_have_the_recorded_instances_as_the_reference_s_converter_says(replay, graph_fixtures):
    converted = json.loads((graph_fixtures / "reference-converter-output.json").read_text(encoding="utf-8"))
    reference = {
        "entities": converted["vpcEntities"],
        "relationships": converted["relationships"],
        "recordings": [f"{VPC_HAS_INSTANCES}/recording.har"],
        "unusedRecordedEntries": [],
    }

    replayed = replay(reference, [VPC.type, ECS_INSTANCE.type])

    # unlike the replayer's json-bigint, the parser of the records the converter was run on kept OwnerId a number
    assert_entities_are_the_reference_s(replayed, converted["vpcEntities"], big_numbers_as_strings=False)
    instances = {key for key, entity in replayed.entities.items() if entity["_type"] == ECS_INSTANCE.type}
    assert instances == {entity["_key"] for entity in converted["entities"]}
    assert ends(replayed.relationships) == ends(converted["relationships"])
    assert len(replayed.relationships) == 4


def test_the_account_id_is_the_one_the_alias_answer_gives(replay, graph_fixtures):
    reference = by_recording(graph_fixtures, "fetch-account_4032489637")

    replayed = replay(reference, [ACCOUNT.type])

    ((account,),) = replayed.records.values()
    assert ("sts", "GetCallerIdentity") in replayed.requests
    assert account == {"AccountId": RECORDING_ACCOUNT_ID, "AccountAlias": RECORDING_ACCOUNT_ID}


def test_unused_entries_are_left_out_of_the_replay_or_the_hook_finds_policies_the_reference_never_saw(
    replay, graph_fixtures
):
    reference = by_recording(graph_fixtures, "build-policy-and-user-relationships_4000975266")
    whole = {**reference, "unusedRecordedEntries": []}

    replayed = replay(whole, wanted(reference))

    # the roles' attachments, which the reference left unused, add policies
    policies = {key for key, entity in replayed.entities.items() if entity["_type"] == RAM_POLICY.type}
    expected = {entity["_key"] for entity in reference["entities"] if entity["_type"] == RAM_POLICY.type}
    assert policies > expected
    assert ("ram", "ListPoliciesForRole") in replayed.requests


def assert_entities_are_the_reference_s(
    replayed: Replay, reference_entities: list[dict[str, Any]], *, big_numbers_as_strings: bool
) -> None:
    """The replayed entities of the types in scope are the reference's, as the contract says, and all validate.

    :param big_numbers_as_strings: whether the reference read the answers with the parser (``json-bigint``)
        that makes a number too big for a JavaScript number, such as a VPC's 16-digit ``OwnerId``, a string.
    """
    for entity in replayed.entities.values():
        validate_entity(entity)
    expected = {entity["_key"]: entity for entity in reference_entities if entity["_type"] in IN_SCOPE}
    ours = {reference_key(entity): entity for entity in replayed.entities.values() if entity["_type"] in IN_SCOPE}
    assert set(ours) == set(expected)
    problems = [
        problem
        for key, entity in ours.items()
        for problem in differences(entity, replayed.record_of(entity), expected[key], big_numbers_as_strings)
    ]
    assert not problems, "\n".join(problems)


def differences(
    ours: dict[str, Any], record: dict[str, Any], reference: dict[str, Any], big_numbers_as_strings: bool
) -> list[str]:
    """How ``ours``, made from ``record``, is not the ``reference``'s entity with the contract's changes."""
    type_name = ours["_type"]
    problems = [
        f"{name}: reference {expected!r:.80}, ours {ours.get(name, '<absent>')!r:.80}"
        for name, expected in reference.items()
        if name not in CORRECTED[type_name] and ours.get(name, "<absent>") != expected
    ]
    extra = set(ours) - set(reference) - ADDED[type_name] - {"tag.AccountName"}
    tags = {name: ours[name] for name in extra if name.startswith("tag.")}
    recorded_tags = {tag["Key"]: tag["Value"] for tag in (record.get("Tags") or {}).get("Tag", [])}
    if tags != {f"tag.{key.replace(':', '-')}": value for key, value in recorded_tags.items()}:
        problems.append(f"tags {sorted(tags)} are not the record's {sorted(recorded_tags)}")
    if extra - set(tags):
        problems.append(f"added beyond the contract: {sorted(extra - set(tags))}")
    if ours["tag.AccountName"] != OPTIONS.account_name:
        problems.append(f"tag.AccountName {ours['tag.AccountName']!r}")
    problems += corrections(ours, record, reference, big_numbers_as_strings)
    return [f"{ours['_key']} {problem}" for problem in problems]


def corrections(
    ours: dict[str, Any], record: dict[str, Any], reference: dict[str, Any], big_numbers_as_strings: bool
) -> list[str]:
    """How the corrected properties of ``ours`` are not the contract's."""
    type_name = ours["_type"]
    if type_name == ACCOUNT.type:
        # the reference's record was its own, not the API's answer
        expected = {
            "_key": f"alibaba_cloud_account:{record['AccountId']}",
            "displayName": OPTIONS.account_name,
            "_rawData": [{"name": "default", "rawData": record}],
        }
        return [f"{name} {ours[name]!r}, not {value!r}" for name, value in expected.items() if ours[name] != value]
    (expected_raw,) = reference["_rawData"]
    default, *enrichments = ours["_rawData"]
    raw = default["rawData"]
    if big_numbers_as_strings and "OwnerId" in raw:
        raw = {**raw, "OwnerId": str(raw["OwnerId"])}
    problems = []
    if (default["name"], raw) != ("default", expected_raw["rawData"]):
        problems.append(f"default _rawData {default!r:.200} is not the reference's")
    if any(entry["rawData"] != record[entry["name"]] for entry in enrichments):
        problems.append(f"an enrichment's _rawData is not the record's: {enrichments!r:.200}")
    expected = {}
    if type_name == VPC.type:
        name = record["VpcName"] or record["VpcId"]
        expected = {"name": name, "displayName": name}
    elif type_name == RAM_USER.type:
        expected = {"username": [record["UserName"]]}
    elif type_name == RAM_POLICY.type:
        # the sandbox's default version, GetPolicyVersion not being recorded; the reference gave the description
        expected = {"content": PLACEHOLDER_DOCUMENT}
        if reference["content"] != record["Description"]:
            problems.append(f"the reference's content {reference['content']!r:.80} is not the description")
    return problems + [
        f"{name} {ours.get(name)!r:.80}, not {value!r:.80}" for name, value in expected.items() if ours[name] != value
    ]
