"""The settings that shape every entity of one run, whatever its resource type."""

from __future__ import annotations

from dataclasses import dataclass

from alibaba_jupiterone.errors import ConfigurationError

MAX_EPOCH_MS = 253_402_300_799_999
"""The last millisecond of the year 9999: the data model's upper bound for ``lastSeenOn``."""


@dataclass(frozen=True, kw_only=True)
class ConversionOptions:
    """How raw records become entities in one run.

    :param observed_on: when this run observed the resources, in epoch milliseconds (``lastSeenOn``).
    :param account_name: the name the user gave this Alibaba Cloud account.
    :param tag_with_account_name: add ``tag.AccountName`` = ``account_name`` to every entity, as
        JupiterOne's "Tag with Account Name" setting does.
    :param include_raw_data: keep the source record in ``_rawData``.
    """

    observed_on: int
    account_name: str | None = None
    tag_with_account_name: bool = False
    include_raw_data: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.observed_on, bool) or not isinstance(self.observed_on, int):
            raise ConfigurationError(f"observed_on must be epoch milliseconds (an int), got {self.observed_on!r}")
        if not 0 <= self.observed_on <= MAX_EPOCH_MS:
            raise ConfigurationError(f"observed_on {self.observed_on} is outside 0..{MAX_EPOCH_MS} epoch milliseconds")
        if self.tag_with_account_name and not self.account_name:
            raise ConfigurationError("tag_with_account_name needs an account_name")
