"""Signatures, credentials and gateway errors of the ECS sandbox, through the SDK and hand-made requests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import requests
from alibabacloud_ecs20140526.models import DescribeInstancesRequest, DescribeRegionsRequest
from alibabacloud_tea_openapi.exceptions import ClientException
from ecs_wire import REGIONS, acs3_call, make_instance, sdk_client, v2_call

from alibaba_jupiterone.sandbox import DEFAULT_CREDENTIAL, Credential, EcsSandbox

STS = Credential("sts-key-id", "sts-key-secret", security_token="sts-token")
EXPIRED_STS = Credential("old-sts-key-id", "old-sts-key-secret", security_token="old-token", token_expired=True)
INACTIVE = Credential("disabled-key-id", "disabled-key-secret", active=False)
STALE = (datetime.now(timezone.utc) - timedelta(minutes=16)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def sandbox(ecs_sandbox_factory) -> EcsSandbox:
    return ecs_sandbox_factory(
        regions=REGIONS,
        instances={"cn-hangzhou": [make_instance(n) for n in range(25)]},
        credentials=[DEFAULT_CREDENTIAL, STS, EXPIRED_STS, INACTIVE],
    )


def sdk_error(sandbox: EcsSandbox, credential: Credential, **config) -> ClientException:
    with pytest.raises(ClientException) as raised:
        sdk_client(sandbox, credential, **config).describe_regions(DescribeRegionsRequest())
    return raised.value


@pytest.mark.parametrize("algorithm", [None, "v2"])
def test_sdk_lists_with_either_signature(sandbox, algorithm):
    client = sdk_client(sandbox, signature_algorithm=algorithm)
    listed, token = [], ""
    while True:
        body = client.describe_instances(
            DescribeInstancesRequest(region_id="cn-hangzhou", max_results=10, next_token=token)
        ).body
        listed += [instance.instance_id for instance in body.instances.instance]
        token = body.next_token
        if not token:
            break

    assert listed == [f"i-{n:05d}" for n in range(25)]
    assert len(client.describe_regions(DescribeRegionsRequest()).body.regions.region) == 3


@pytest.mark.parametrize("algorithm", [None, "v2"])
def test_sts_credentials_need_their_token(sandbox, algorithm):
    assert sdk_client(sandbox, STS, signature_algorithm=algorithm).describe_regions(DescribeRegionsRequest())

    missing = sdk_error(sandbox, Credential(STS.access_key_id, STS.access_key_secret), signature_algorithm=algorithm)
    wrong = sdk_error(sandbox, Credential(STS.access_key_id, STS.access_key_secret, "forged"))
    expired = sdk_error(sandbox, EXPIRED_STS, signature_algorithm=algorithm)

    assert missing.code == "InvalidSecurityToken.MismatchWithAccessKey"
    assert wrong.code == "InvalidSecurityToken.Malformed"
    assert (expired.status_code, expired.code) == (400, "InvalidSecurityToken.Expired")


@pytest.mark.parametrize("algorithm", [None, "v2"])
@pytest.mark.parametrize(
    ("credential", "expected"),
    [
        (
            Credential(DEFAULT_CREDENTIAL.access_key_id, "wrong-secret"),
            (400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation. server string"),
        ),
        (Credential("unknown", "secret"), (404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")),
        (INACTIVE, (400, "InvalidAccessKeyId.Inactive", "Specified access key is disabled.")),
    ],
)
def test_bad_credentials_are_refused(sandbox, algorithm, credential, expected):
    error = sdk_error(sandbox, credential, signature_algorithm=algorithm)

    status, code, message = expected
    assert (error.status_code, error.code) == (status, code)
    assert error.data["Message"].startswith(message)
    assert error.data["HostId"] == sandbox.endpoint
    assert error.data["Recommend"].endswith(error.request_id)


def test_signature_mismatch_shows_the_string_to_sign(sandbox):
    acs3 = sdk_error(sandbox, Credential(DEFAULT_CREDENTIAL.access_key_id, "wrong-secret"))
    v2 = v2_call(sandbox, "DescribeRegions", credential=Credential(DEFAULT_CREDENTIAL.access_key_id, "wrong"))

    assert acs3.data["Message"].split("server string to sign is:")[1].startswith("ACS3-HMAC-SHA256\n")
    assert v2.json()["Message"].split("server string to sign is:")[1].startswith("GET&%2F&AccessKeyId%3D")


def test_hand_made_v2_get_and_form_post(sandbox):
    listed = v2_call(sandbox, "DescribeInstances", {"RegionId": "cn-hangzhou", "PageSize": "50"})
    posted = v2_call(sandbox, "DescribeInstances", {"RegionId": "cn-hangzhou"}, method="POST", as_form=True)
    sts = v2_call(sandbox, "DescribeRegions", credential=STS)

    assert (listed.status_code, listed.json()["TotalCount"]) == (200, 25)
    assert len(listed.json()["Instances"]["Instance"]) == 25
    assert (posted.status_code, len(posted.json()["Instances"]["Instance"])) == (200, 10)
    assert sts.status_code == 200
    assert sandbox.requests[-1].access_key_id == STS.access_key_id
    assert "Signature" not in sandbox.requests[-1].params


def test_hand_made_acs3_request(sandbox):
    response = acs3_call(sandbox, "DescribeInstances", {"RegionId": "cn-hangzhou", "InstanceName": "web 1*"})

    assert response.status_code == 200
    assert response.json()["Instances"]["Instance"] == []


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda h: h.pop("Authorization"), "does not conform to Aliyun standards"),
        (lambda h: h.update(Authorization="ACS3-HMAC-SHA256 Credential=x"), "Authorization header is malformed"),
        (lambda h: h.update(Authorization="HMAC-SHA1 " + h["Authorization"]), "Authorization header is malformed"),
        (lambda h: h.update({"x-acs-extra": "unsigned"}), "Headers must be signed: x-acs-extra"),
        (lambda h: h.pop("x-acs-signature-nonce"), "Required headers are missing: x-acs-signature-nonce"),
    ],
)
def test_incomplete_signatures(sandbox, tamper, message):
    response = acs3_call(sandbox, "DescribeRegions", tamper=tamper)

    assert response.status_code == 400
    assert response.json()["Code"] == "IncompleteSignature"
    assert message in response.json()["Message"]


def test_a_tampered_query_or_body_hash_does_not_match(sandbox):
    def swap_hash(headers):
        headers["x-acs-content-sha256"] = "0" * 64

    hashed = acs3_call(sandbox, "DescribeRegions", tamper=swap_hash)
    moved = acs3_call(sandbox, "DescribeInstances", {"RegionId": "cn-hangzhou"}, sent={"RegionId": "cn-beijing"})

    assert (hashed.status_code, hashed.json()["Code"]) == (400, "SignatureDoesNotMatch")
    assert (moved.status_code, moved.json()["Code"]) == (400, "SignatureDoesNotMatch")


def test_timestamps_more_than_15_minutes_off_are_refused(sandbox):
    acs3 = acs3_call(sandbox, "DescribeRegions", date=STALE)
    v2 = v2_call(sandbox, "DescribeRegions", timestamp=STALE)
    garbled = acs3_call(sandbox, "DescribeRegions", date="yesterday")

    assert (acs3.status_code, acs3.json()["Code"]) == (400, "InvalidTimeStamp.Expired")
    assert (v2.status_code, v2.json()["Code"]) == (400, "InvalidTimeStamp.Expired")
    assert (garbled.status_code, garbled.json()["Code"]) == (400, "InvalidTimeStamp.Format")


def test_a_nonce_is_accepted_once(sandbox):
    first = acs3_call(sandbox, "DescribeRegions", nonce="once")
    again = acs3_call(sandbox, "DescribeRegions", nonce="once")

    assert first.status_code == 200
    assert (again.status_code, again.json()["Code"]) == (400, "SignatureNonceUsed")
    assert again.json()["Message"] == "Specified signature nonce was used already."


@pytest.mark.parametrize(("action", "version"), [("RunInstances", "2014-05-26"), ("DescribeRegions", "2016-03-14")])
def test_unknown_actions_and_versions(sandbox, action, version):
    response = acs3_call(sandbox, action, version=version)

    assert (response.status_code, response.json()["Code"]) == (404, "InvalidApi.NotFound")


def test_error_answers_have_the_gateway_shape(sandbox):
    response = requests.post(f"http://{sandbox.endpoint}/", headers={"x-acs-action": "DescribeRegions"}, timeout=5)

    body = response.json()
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json;charset=utf-8"
    assert response.headers["x-acs-request-id"] == body["RequestId"]
    assert set(body) == {"RequestId", "HostId", "Code", "Message", "Recommend"}
    assert (body["Code"], body["HostId"]) == ("IncompleteSignature", sandbox.endpoint)
    assert sandbox.requests[-1].code == "IncompleteSignature"
