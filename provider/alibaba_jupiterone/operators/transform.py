"""Transform: raw records -> JupiterOne entities and relationships, checked against the data model, in XCom batches."""

from __future__ import annotations

import time
from typing import Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowFailException

from alibaba_jupiterone.graph import ConversionOptions
from alibaba_jupiterone.operators.batches import XComBatches
from alibaba_jupiterone.pipeline.manifest import Manifest
from alibaba_jupiterone.pipeline.transform import transform


class AlibabaCloudTransformOperator(BaseOperator):
    """Turn the fetched records into JupiterOne entities and relationships, each checked against the data model.

    Pulls the fetch task's batches one at a time, pushes each batch of at most ``batch_size``
    entities (or relationships) as an XCom value under the key ``entities.<_type>.<scope>.<n>`` (or
    ``relationships.<_type>.<scope>.<n>``), and returns the manifest of those batches for the publish
    task. A relationship is made only when both its ends were synced. A dataset (one type from one
    region, or from the account) with a malformed record or an invalid entity is left out whole and
    named in the manifest's ``failures``, with what fetch left out. ``lastSeenOn`` is the time this
    task runs.

    :param fetched: what the fetch task returned (its ``output``).
    :param account_name: the account name (``tag.AccountName`` when ``tag_with_account_name``).
    :param tag_with_account_name: add ``tag.AccountName`` to every entity.
    :param include_raw_data: keep each record as the entity's ``_rawData``.
    :param batch_size: entities per XCom value.
    """

    template_fields = ("fetched", "account_name", "tag_with_account_name", "include_raw_data", "batch_size")

    def __init__(
        self,
        *,
        fetched: Any,
        account_name: str | None = None,
        tag_with_account_name: bool = False,
        include_raw_data: bool = True,
        batch_size: int = 250,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.fetched = fetched
        self.account_name = account_name
        self.tag_with_account_name = tag_with_account_name
        self.include_raw_data = include_raw_data
        self.batch_size = batch_size

    def execute(self, context: Any) -> dict:
        fetched = Manifest.from_dict(self.fetched)
        options = ConversionOptions(
            observed_on=int(time.time() * 1000),
            account_name=self.account_name,
            tag_with_account_name=bool(self.tag_with_account_name),
            include_raw_data=bool(self.include_raw_data),
        )
        xcom = XComBatches(context["ti"])
        manifest = transform(
            fetched,
            options,
            load=xcom.loader(fetched.producer),
            store=xcom.store,
            producer=self.task_id,
            batch_size=int(self.batch_size),
        )
        for failure in manifest.failures[len(fetched.failures) :]:
            self.log.error("Left out %s", failure.describe())
        if not manifest.datasets:
            raise AirflowFailException(f"Nothing could be transformed, nothing to sync: {manifest.describe_failures()}")
        for type_name, count in manifest.counts().items():
            self.log.info("%s: %d", type_name, count)
        return manifest.to_dict()
