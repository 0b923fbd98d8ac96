"""``JupiterOneHook``: JupiterOne's synchronization API (sync jobs, uploads, finalize) on ``requests``."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import quote

import requests
import tenacity
from airflow.sdk import BaseHook
from airflow.sdk.log import mask_secret
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

from alibaba_jupiterone import PACKAGE_NAME, __version__
from alibaba_jupiterone.errors import JupiterOneApiError, JupiterOneSyncJobError, JupiterOneUnavailableError
from alibaba_jupiterone.hooks.jupiterone_payload import Encoded, Kind, batches, prepare, request_body, shrink_raw_data
from alibaba_jupiterone.hooks.jupiterone_settings import JupiterOneSettings
from alibaba_jupiterone.hooks.retry import RetryPolicy

JOBS_PATH = "/persister/synchronization/jobs"
TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})
SYNC_MODES = ("DIFF", "CREATE_OR_UPDATE")
_NO_SUCH_JOB = "00000000-0000-0000-0000-000000000000"


@dataclass
class UploadSummary:
    """What an upload delivered: objects and bytes accepted, requests made, objects dropped.

    ``dropped`` lists the objects JupiterOne refused as too large even without raw data, as
    ``{"_key", "_type", "bytes"}``; their types are ``partial_types``, to pass to
    :meth:`JupiterOneHook.finalize_sync_job` so that a DIFF does not delete their stored copies.
    """

    objects: int = 0
    bytes: int = 0
    requests: int = 0
    shrunk: int = 0
    dropped: list[dict[str, Any]] = field(default_factory=list)

    @property
    def partial_types(self) -> list[str]:
        """The ``_type`` of every dropped object, sorted, once each."""
        return sorted({item["_type"] for item in self.dropped})

    def add(self, other: UploadSummary) -> None:
        """Add another summary's figures to this one."""
        self.objects += other.objects
        self.bytes += other.bytes
        self.requests += other.requests
        self.shrunk += other.shrunk
        self.dropped += other.dropped

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready copy (for XCom), ``partial_types`` included."""
        return {**asdict(self), "partial_types": self.partial_types}


class _TransientStatusError(Exception):
    """An answer worth another try (429, 502, 503, 504)."""

    def __init__(self, response: requests.Response) -> None:
        self.response = response
        super().__init__(f"HTTP {response.status_code}")


class JupiterOneHook(BaseHook):
    """JupiterOne's synchronization API: start a job, upload entities and relationships, finalize.

    It uses a ``jupiterone`` connection: ``host`` the API base URL (default
    ``https://api.us.jupiterone.io``), ``login`` the account id, ``password`` the API key (masked
    in Airflow's logs). 429 (after its ``Retry-After``), 502/503/504, timeouts and dropped
    connections are retried as ``retry`` says; other errors raise
    :class:`~alibaba_jupiterone.errors.JupiterOneApiError` at once.

    :param jupiterone_conn_id: the Airflow connection to use.
    :param max_request_bytes: largest JSON body of one upload request.
    :param max_in_flight: upload requests sent at the same time.
    :param timeout: seconds to connect and to wait for an answer, as ``(connect, read)``.
    :param retry: how transient failures are retried (default: the connection's ``retry`` extra,
        else :class:`~alibaba_jupiterone.hooks.retry.RetryPolicy`'s defaults).
    """

    conn_name_attr = "jupiterone_conn_id"
    default_conn_name = "jupiterone_default"
    conn_type = "jupiterone"
    hook_name = "JupiterOne"

    def __init__(
        self,
        jupiterone_conn_id: str = default_conn_name,
        *,
        max_request_bytes: int = 5_000_000,
        max_in_flight: int = 6,
        timeout: tuple[float, float] = (10.0, 120.0),
        retry: RetryPolicy | None = None,
    ) -> None:
        super().__init__()
        if max_request_bytes < 1024 or max_in_flight < 1:
            raise ValueError("max_request_bytes must be at least 1024 and max_in_flight at least 1")
        self.jupiterone_conn_id = jupiterone_conn_id
        self.max_request_bytes = max_request_bytes
        self.max_in_flight = max_in_flight
        self.timeout = timeout
        self._retry = retry
        self._settings: JupiterOneSettings | None = None
        self._session: requests.Session | None = None
        self._uploaded_keys: dict[tuple[str, Kind], set[str]] = {}

    @property
    def settings(self) -> JupiterOneSettings:
        """The connection's checked settings (read once, the API key registered with the masker)."""
        if self._settings is None:
            connection = self.get_connection(self.jupiterone_conn_id)
            settings = JupiterOneSettings.from_connection(
                connection.host, connection.port, connection.login, connection.password, connection.extra_dejson
            )
            mask_secret(settings.api_key)
            self._settings = settings
        return self._settings

    @property
    def retry(self) -> RetryPolicy:
        """How this hook retries transient failures."""
        return self._retry or self.settings.retry or RetryPolicy()

    def get_conn(self) -> requests.Session:
        """The ``requests`` session that carries the account and API key headers."""
        if self._session is None:
            session = requests.Session()
            session.headers.update(
                {
                    "Authorization": f"Bearer {self.settings.api_key}",
                    "JupiterOne-Account": self.settings.account_id,
                    "Content-Type": "application/json",
                    "Accept": "application/json",
                    "User-Agent": f"{PACKAGE_NAME}/{__version__} {requests.utils.default_user_agent()}",
                }
            )
            # Retries are the hook's (they are logged and bounded in time); the adapter only pools.
            adapter = HTTPAdapter(pool_maxsize=self.max_in_flight, max_retries=Retry(total=0, raise_on_status=False))
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            self._session = session
        return self._session

    def start_sync_job(
        self, *, integration_instance_id: str | None = None, scope: str | None = None, sync_mode: str = "DIFF"
    ) -> dict[str, Any]:
        """Start a synchronization job and return its record.

        Give exactly one of ``integration_instance_id`` (source ``integration-external``: the data
        of that integration instance) and ``scope`` (source ``api``: the data of that scope).
        ``sync_mode`` ``DIFF`` deletes, at finalize, what the job did not upload.
        """
        if (integration_instance_id is None) == (scope is None):
            raise ValueError("start_sync_job needs exactly one of integration_instance_id and scope")
        if sync_mode not in SYNC_MODES:
            raise ValueError(f"sync_mode must be one of {SYNC_MODES}, got {sync_mode!r}")
        if scope is not None:
            body = {"source": "api", "scope": scope, "syncMode": sync_mode}
        else:
            body = {
                "source": "integration-external",
                "integrationInstanceId": integration_instance_id,
                "syncMode": sync_mode,
            }
        return self._call("POST", JOBS_PATH, body)["job"]

    def upload_entities(self, job_id: str, entities: Iterable[dict[str, Any]]) -> UploadSummary:
        """Upload entities to a job; see :meth:`upload_relationships` for how."""
        return self._upload(job_id, "entities", entities)

    def upload_relationships(self, job_id: str, relationships: Iterable[dict[str, Any]]) -> UploadSummary:
        """Upload relationships to a job.

        Each object is checked first (a violation raises
        :class:`~alibaba_jupiterone.errors.GraphObjectError` naming its ``_key`` and property; a
        ``_key`` already uploaded in this job is one), strings are cut to 4096 characters, and
        the objects go in requests of at most ``max_request_bytes``, ``max_in_flight`` at a time.
        A request JupiterOne refuses as too large (413) is split in halves; an object refused on
        its own is sent again with its ``_rawData`` truncated, and dropped if still refused: the
        summary reports it and its ``_type`` as partial.
        """
        return self._upload(job_id, "relationships", relationships)

    def finalize_sync_job(self, job_id: str, partial_types: Iterable[str] = ()) -> dict[str, Any]:
        """Finalize a job: JupiterOne applies it (with DIFF, deleting what was not uploaded).

        Stored objects of the ``partial_types`` are kept even when this job did not upload them:
        pass the types a run could not fetch completely. Returns the job record; finalizing
        continues after the call returns (see :meth:`wait_for_sync_job`).
        """
        body = {"partialDatasets": {"types": sorted(set(partial_types))}}
        return self._call("POST", f"{self._job_path(job_id)}/finalize", body)["job"]

    def abort_sync_job(self, job_id: str, reason: str) -> dict[str, Any]:
        """Abort a job: nothing it uploaded is applied. Returns the job record."""
        return self._call("POST", f"{self._job_path(job_id)}/abort", {"reason": reason})["job"]

    def get_sync_job(self, job_id: str) -> dict[str, Any]:
        """The job's record: status and ``numEntities*`` / ``numRelationships*`` counts."""
        return self._call("GET", self._job_path(job_id))["job"]

    def wait_for_sync_job(
        self, job_id: str, timeout: float = 900.0, *, poll_interval: float = 0.25, max_poll_interval: float = 15.0
    ) -> dict[str, Any]:
        """Poll the job, with growing intervals, until it reaches a terminal status; return it.

        ``FINISHED`` and ``ABORTED`` are returned; an ``ERROR_*`` status, or no terminal status
        within ``timeout`` seconds, raises :class:`~alibaba_jupiterone.errors.JupiterOneSyncJobError`.
        """
        polling = tenacity.Retrying(
            retry=tenacity.retry_if_result(lambda job: not _is_terminal(job["status"])),
            wait=tenacity.wait_exponential(multiplier=poll_interval, max=max_poll_interval),
            stop=tenacity.stop_after_delay(timeout),
        )
        try:
            job = polling(self.get_sync_job, job_id)
        except tenacity.RetryError as exc:
            job = exc.last_attempt.result()
            raise JupiterOneSyncJobError(
                f"Sync job {job_id} is still {job['status']} after {timeout:g} s", job=job
            ) from None
        if job["status"] not in ("FINISHED", "ABORTED"):
            raise JupiterOneSyncJobError(f"Sync job {job_id} ended in status {job['status']}", job=job)
        return job

    def test_connection(self) -> tuple[bool, str]:
        """Airflow's Test button: one cheap authenticated call (reading a job that does not exist)."""
        try:
            self._call("GET", self._job_path(_NO_SUCH_JOB))
        except JupiterOneApiError as exc:
            if exc.status == 404:
                return True, f"Connected to JupiterOne account {self.settings.account_id}."
            if exc.status in (401, 403):
                return False, f"JupiterOne refused the API key or account id: {exc}"
            return False, str(exc)
        except Exception as exc:
            return False, str(exc)
        return True, f"Connected to JupiterOne account {self.settings.account_id}."

    def _upload(self, job_id: str, kind: Kind, objects: Iterable[dict[str, Any]]) -> UploadSummary:
        seen = self._uploaded_keys.setdefault((job_id, kind), set())
        items = prepare(objects, kind, seen)
        summary = UploadSummary()
        pending: set[Future[UploadSummary]] = set()
        with ThreadPoolExecutor(max_workers=self.max_in_flight, thread_name_prefix="jupiterone-upload") as pool:
            try:
                for batch in batches(items, kind, self.max_request_bytes):
                    if len(pending) >= self.max_in_flight:
                        pending = self._collect(pending, summary)
                    pending.add(pool.submit(self._deliver, job_id, kind, batch))
                while pending:
                    pending = self._collect(pending, summary)
            except BaseException:
                for future in pending:
                    future.cancel()
                raise
        self.log.info(
            "Uploaded %d %s to sync job %s in %d requests (%d bytes); %d shrunk, %d dropped",
            summary.objects,
            kind,
            job_id,
            summary.requests,
            summary.bytes,
            summary.shrunk,
            len(summary.dropped),
        )
        return summary

    @staticmethod
    def _collect(pending: set[Future[UploadSummary]], summary: UploadSummary) -> set[Future[UploadSummary]]:
        done, still_pending = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            summary.add(future.result())
        return still_pending

    def _deliver(self, job_id: str, kind: Kind, batch: list[Encoded]) -> UploadSummary:
        """Send one batch; when it is too large, split it, or shrink and at last drop a lone object."""
        body = request_body(kind, batch)
        too_large_here = len(body) > self.max_request_bytes
        if not too_large_here:
            try:
                self._call("POST", f"{self._job_path(job_id)}/{kind}", body=body)
                return UploadSummary(
                    objects=len(batch), bytes=len(body), requests=1, shrunk=sum(item.shrunk for item in batch)
                )
            except JupiterOneApiError as exc:
                if exc.status != 413:
                    raise
        if len(batch) > 1:
            middle = len(batch) // 2
            summary = self._deliver(job_id, kind, batch[:middle])
            summary.add(self._deliver(job_id, kind, batch[middle:]))
            return summary
        (item,) = batch
        # Too large for our own limit: cut just enough raw data; refused by JupiterOne: cut it all.
        room = self.max_request_bytes - (len(body) - item.size) if too_large_here else 0
        smaller = shrink_raw_data(item, room)
        if smaller.size < item.size:
            return self._deliver(job_id, kind, [smaller])
        self.log.warning(
            "Dropped %s %s (%s, %d bytes): too large for JupiterOne even without raw data",
            kind,
            item.key,
            item.type,
            item.size,
        )
        return UploadSummary(dropped=[{"_key": item.key, "_type": item.type, "bytes": item.size}])

    def _job_path(self, job_id: str) -> str:
        return f"{JOBS_PATH}/{quote(job_id, safe='')}"

    def _call(
        self, method: str, path: str, json_body: dict[str, Any] | None = None, *, body: bytes | None = None
    ) -> dict[str, Any]:
        """One API call under the retry policy; an error answer raises the project's error."""
        endpoint = f"{method} {path}"
        session = self.get_conn()
        url = self.settings.base_url + path
        headers = {"JupiterOne-Correlation-Id": str(uuid.uuid4())}

        def send() -> requests.Response:
            response = session.request(method, url, json=json_body, data=body, headers=headers, timeout=self.timeout)
            if response.status_code in TRANSIENT_STATUSES:
                raise _TransientStatusError(response)
            return response

        retrying = self.retry.retrying(
            is_transient=lambda exc: isinstance(
                exc, _TransientStatusError | requests.ConnectionError | requests.Timeout
            ),
            retry_after=_retry_after,
            describe=str,
            logger=self.log,
            what=endpoint,
        )
        try:
            response = retrying(send)
        except _TransientStatusError as exc:
            raise _api_error(exc.response, endpoint, JupiterOneUnavailableError, retried=True) from None
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise JupiterOneUnavailableError(
                f"JupiterOne could not be reached: {type(exc).__name__}", endpoint=endpoint
            ) from exc
        if not response.ok:
            raise _api_error(response, endpoint, JupiterOneApiError)
        return response.json() if response.content else {}


def _is_terminal(status: str) -> bool:
    return status in ("FINISHED", "ABORTED", "ABORTED_DUE_TO_INVALID_CONFIGURATION") or status.startswith("ERROR")


def _retry_after(exc: BaseException) -> float | None:
    if isinstance(exc, _TransientStatusError) and (value := exc.response.headers.get("Retry-After")):
        return Retry().parse_retry_after(value)
    return None


def _api_error(
    response: requests.Response, endpoint: str, error_type: type[JupiterOneApiError], *, retried: bool = False
) -> JupiterOneApiError:
    try:
        error = response.json().get("error") or {}
    except ValueError:
        error = {}
    message = error.get("message") or response.reason or "no message"
    prefix = "JupiterOne still answered an error after retries" if retried else "JupiterOne answered an error"
    return error_type(f"{prefix}: {message}", endpoint=endpoint, status=response.status_code, code=error.get("code"))
