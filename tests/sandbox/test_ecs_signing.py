"""The sandbox's signature functions agree with the signing code of the official SDK."""

from __future__ import annotations

import pytest
from alibabacloud_tea_openapi.utils import Utils
from darabonba.request import DaraRequest
from hypothesis import given
from hypothesis import strategies as st

from alibaba_jupiterone.sandbox.alibaba.signing import (
    acs3_signature,
    acs3_string_to_sign,
    content_sha256,
    parse_acs3_authorization,
    v2_signature,
    v2_string_to_sign,
)

names = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.", min_size=1, max_size=12)
params = st.dictionaries(names.filter(lambda name: name != "Signature"), st.text(max_size=20), max_size=8)
secrets = st.text(min_size=1, max_size=30)


@given(query=params, header_value=st.text(max_size=20).map(str.strip), secret=secrets)
def test_acs3_matches_the_sdk(query, header_value, secret):
    request = DaraRequest()
    request.method, request.pathname, request.query = "POST", "/", query
    request.headers = {"host": "127.0.0.1:1", "x-acs-action": "DescribeInstances", "x-acs-custom": header_value}
    payload = content_sha256(b"")
    header = Utils.get_authorization(request, "ACS3-HMAC-SHA256", payload, "ak", secret)

    authorization = parse_acs3_authorization(header)
    string_to_sign = acs3_string_to_sign(
        "POST",
        "/",
        query.items(),
        headers=request.headers,
        signed_headers=authorization.signed_headers,
        payload_hash=payload,
    )

    assert authorization.access_key_id == "ak"
    assert authorization.signed_headers == ("host", "x-acs-action", "x-acs-custom")
    assert acs3_signature(secret, string_to_sign) == authorization.signature


@given(signed=params, method=st.sampled_from(["GET", "POST"]), secret=secrets)
def test_v2_matches_the_sdk(signed, method, secret):
    assert v2_signature(secret, v2_string_to_sign(method, signed)) == Utils.get_rpcsignature(signed, method, secret)


def test_v2_leaves_the_signature_out_of_what_it_signs():
    signed = {"Action": "DescribeRegions", "Signature": "x"}

    assert v2_string_to_sign("GET", signed) == "GET&%2F&Action%3DDescribeRegions"


def test_authorization_tolerates_spaces_after_commas():
    parsed = parse_acs3_authorization("ACS3-HMAC-SHA256 Credential=ak, SignedHeaders=host;x-acs-date, Signature=abc")

    assert parsed == ("ak", ("host", "x-acs-date"), "abc")


@pytest.mark.parametrize(
    "header",
    [
        "",
        "ACS3-HMAC-SHA256",
        "ACS3-HMAC-SM3 Credential=ak,SignedHeaders=host,Signature=abc",
        "ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host",
        "ACS3-HMAC-SHA256 Credential=,SignedHeaders=host,Signature=abc",
    ],
)
def test_garbled_authorization_headers_are_refused(header):
    with pytest.raises(ValueError):  # noqa: PT011
        parse_acs3_authorization(header)
