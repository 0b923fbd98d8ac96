"""Airflow operators of the sync: gate, fetch, transform and publish; or the whole sync in one task."""

from __future__ import annotations

from alibaba_jupiterone.operators.fetch import AlibabaCloudFetchOperator
from alibaba_jupiterone.operators.gate import SupersededSyncGateOperator
from alibaba_jupiterone.operators.publish import JupiterOnePublishOperator
from alibaba_jupiterone.operators.sync import AlibabaCloudToJupiterOneOperator
from alibaba_jupiterone.operators.transform import AlibabaCloudTransformOperator

__all__ = [
    "AlibabaCloudFetchOperator",
    "AlibabaCloudToJupiterOneOperator",
    "AlibabaCloudTransformOperator",
    "JupiterOnePublishOperator",
    "SupersededSyncGateOperator",
]
