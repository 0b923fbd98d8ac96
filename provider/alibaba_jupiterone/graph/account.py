"""The Alibaba Cloud account -> the properties of an ``alibaba_cloud_account`` entity (an ``Account``).

The record is ``{"AccountId": <STS GetCallerIdentity>, "AccountAlias": <RAM GetAccountAlias>}``. Its
key is the account id, which never changes (JupiterOne's own integration keyed it by the alias).
"""

from __future__ import annotations

from typing import Any

from alibaba_jupiterone.graph.keys import KeyRule
from alibaba_jupiterone.graph.options import ConversionOptions

KEY = KeyRule("AccountId", prefix="alibaba_cloud_account:")

VENDOR = "Alibaba Cloud"
CONSOLE_LINK = "https://home.console.aliyun.com/"


def convert(record: dict[str, Any], options: ConversionOptions) -> dict[str, Any]:
    """The properties of the entity for the account record (which has a string ``AccountId``)."""
    alias = record.get("AccountAlias")
    # GetAccountAlias answers with the account id when no alias is set; the id stands in if it did not answer
    name = alias if isinstance(alias, str) and alias else record["AccountId"]
    properties = {
        "name": name,
        "displayName": options.account_name or name,
        "accountId": record["AccountId"],
        "vendor": VENDOR,
        "webLink": CONSOLE_LINK,
    }
    if alias is not None:
        properties["accountAlias"] = alias
    return properties
