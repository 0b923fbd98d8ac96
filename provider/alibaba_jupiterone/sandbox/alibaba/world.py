"""Everything the sandbox serves, product by product, and the account it all belongs to."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from alibaba_jupiterone.sandbox.alibaba.ecs.fleet import Fleet
from alibaba_jupiterone.sandbox.alibaba.ram.directory import Directory
from alibaba_jupiterone.sandbox.alibaba.vpc.network import Network

DEFAULT_ACCOUNT_ID = "1234567890123456"


@dataclass(frozen=True)
class Account:
    """The account the sandbox's resources belong to: its id and alias."""

    account_id: str
    alias: str

    @classmethod
    def of(cls, account: Mapping[str, str] | None) -> Account:
        """From ``{"AccountId", "AccountAlias"}``; no alias means the id, as GetAccountAlias answers then."""
        account = account or {}
        account_id = str(account.get("AccountId") or DEFAULT_ACCOUNT_ID)
        return cls(account_id, str(account.get("AccountAlias") or account_id))

    def as_dict(self) -> dict[str, str]:
        """``{"AccountId", "AccountAlias"}``."""
        return {"AccountId": self.account_id, "AccountAlias": self.alias}


@dataclass(frozen=True)
class World:
    """The state of every product; each part is thread-safe on its own."""

    fleet: Fleet
    network: Network
    directory: Directory
    account: Account
