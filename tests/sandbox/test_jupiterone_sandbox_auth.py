"""Who may call the JupiterOne sandbox: the API key, for its account, on every endpoint."""

from __future__ import annotations

import pytest
import requests
from jupiterone_wire import JOBS, Client

from alibaba_jupiterone.sandbox import JupiterOneFault


@pytest.mark.parametrize(
    ("headers", "named"),
    [
        ({"Authorization": "Bearer wrong-key"}, "Authorization"),
        ({"Authorization": "sandbox-api-key"}, "Authorization"),
        ({"JupiterOne-Account": "someone-else"}, "JupiterOne-Account"),
        ({"Authorization": None}, "Authorization"),
        ({"JupiterOne-Account": None}, "JupiterOne-Account"),
    ],
    ids=["wrong key", "not bearer", "wrong account", "no authorization", "no account"],
)
def test_requests_without_the_key_for_the_account_answer_401(j1_client, jupiterone_sandbox, headers, named):
    job_id = j1_client.start()

    for method, path in [("POST", JOBS), ("POST", f"{JOBS}/{job_id}/entities"), ("GET", f"{JOBS}/{job_id}")]:
        answer = j1_client.session.request(method, j1_client.url + path, json={"entities": []}, headers=headers)
        error = answer.json()["error"]
        assert (answer.status_code, error["code"]) == (401, "UNAUTHORIZED")
        assert named in error["message"]
        assert "sandbox-api-key" not in answer.text
    assert [r.code for r in jupiterone_sandbox.requests[1:]] == ["UNAUTHORIZED"] * 3


def test_the_sandbox_reads_and_unknown_paths_need_the_key_too(jupiterone_sandbox):
    for path in ("/sandbox/graph?scope=a", "/sandbox/jobs", "/nowhere"):
        assert requests.get(jupiterone_sandbox.url + path, timeout=5).status_code == 401


def test_a_sandbox_with_its_own_account_and_key(jupiterone_sandbox_factory):
    sandbox = jupiterone_sandbox_factory(account_id="acme", api_key="s3cret")

    assert Client(sandbox).start()
    assert Client(sandbox, api_key="sandbox-api-key").post(JOBS, {}).status_code == 401
    assert sandbox.connection_fields()["login"] == "acme"
    assert sandbox.connection_fields()["password"] == "s3cret"


def test_faults_strike_only_authenticated_requests(j1_client, jupiterone_sandbox):
    jupiterone_sandbox.inject(JupiterOneFault("drop", times=1))

    refused = requests.post(j1_client.url + JOBS, json={"source": "api", "scope": "a"}, timeout=5)

    assert refused.status_code == 401
    with pytest.raises(requests.ConnectionError):
        j1_client.start()
