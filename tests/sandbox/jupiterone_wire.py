"""A raw ``requests`` client of the JupiterOne sandbox, and hand-made graph objects."""

from __future__ import annotations

import time
from collections.abc import Iterable

import requests

from alibaba_jupiterone.sandbox import JupiterOneSandbox

JOBS = "/persister/synchronization/jobs"
TERMINAL = {"FINISHED", "ABORTED", "ERROR_UNEXPECTED_FAILURE"}


def entity(n: int, type_: str = "test_host", **properties: object) -> dict:
    """A small valid entity; ``n`` makes its ``_key``."""
    return {
        "_key": f"test-entity-{n:05d}",
        "_type": type_,
        "_class": "Host",
        "name": f"host-{n}",
        "displayName": f"host-{n}",
        **properties,
    }


def relationship(source: int, target: int, type_: str = "test_host_has_host", **properties: object) -> dict:
    """A valid HAS relationship between ``entity(source)`` and ``entity(target)``."""
    from_key, to_key = entity(source)["_key"], entity(target)["_key"]
    return {
        "_key": f"{from_key}|has|{to_key}",
        "_type": type_,
        "_class": "HAS",
        "_fromEntityKey": from_key,
        "_toEntityKey": to_key,
        "displayName": "HAS",
        **properties,
    }


class Client:
    """The synchronization API over one keep-alive session, authenticated like a real client."""

    def __init__(self, sandbox: JupiterOneSandbox, *, api_key: str | None = None, account_id: str | None = None):
        self.url = sandbox.url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {api_key or sandbox.api_key}"
        self.session.headers["JupiterOne-Account"] = account_id or sandbox.account_id

    def get(self, path: str, **kwargs: object) -> requests.Response:
        return self.session.get(self.url + path, **kwargs)

    def post(self, path: str, body: object = None, **kwargs: object) -> requests.Response:
        return self.session.post(self.url + path, json=body, **kwargs)

    def start(self, scope: str | None = "test-scope", **body: object) -> str:
        """Start a job for ``scope`` with source ``api``, or as ``body`` says without a scope; its id."""
        answer = self.post(JOBS, {"source": "api", "scope": scope, **body} if scope else body)
        assert answer.status_code == 200, answer.text
        return answer.json()["job"]["id"]

    def upload(self, job_id: str, entities: Iterable[dict] = (), relationships: Iterable[dict] = ()) -> dict:
        """Upload through the combined endpoint; the job record."""
        answer = self.post(
            f"{JOBS}/{job_id}/upload", {"entities": list(entities), "relationships": list(relationships)}
        )
        assert answer.status_code == 200, answer.text
        return answer.json()["job"]

    def job(self, job_id: str) -> dict:
        answer = self.get(f"{JOBS}/{job_id}")
        assert answer.status_code == 200, answer.text
        return answer.json()["job"]

    def finalize(self, job_id: str, partial_types: Iterable[str] | None = None) -> dict:
        """Finalize, check it is pending, then poll until the job ends; its final record."""
        body = None if partial_types is None else {"partialDatasets": {"types": list(partial_types)}}
        answer = self.post(f"{JOBS}/{job_id}/finalize", body)
        assert answer.status_code == 200, answer.text
        assert answer.json()["job"]["status"] == "FINALIZE_PENDING"
        return self.wait(job_id)

    def wait(self, job_id: str, timeout: float = 5.0) -> dict:
        """Poll the job until it ends; its final record."""
        deadline = time.monotonic() + timeout
        while (record := self.job(job_id))["status"] not in TERMINAL:
            assert time.monotonic() < deadline, record
            time.sleep(0.01)
        return record

    def sync(
        self,
        entities: Iterable[dict],
        relationships: Iterable[dict] = (),
        scope: str | None = "test-scope",
        partial_types: Iterable[str] | None = None,
        **body: object,
    ) -> dict:
        """A whole job: start, upload, finalize, wait; its final record."""
        job_id = self.start(scope, **body)
        self.upload(job_id, entities, relationships)
        return self.finalize(job_id, partial_types)


def counts(record: dict, kind: str = "Entities") -> tuple[int, int, int, int]:
    """``(uploaded, created, updated, deleted)`` of a job record for ``Entities`` or ``Relationships``."""
    return tuple(record[f"num{kind}{event}"] for event in ("Uploaded", "Created", "Updated", "Deleted"))


def keys(objects: Iterable[dict]) -> list[str]:
    return sorted(item["_key"] for item in objects)
