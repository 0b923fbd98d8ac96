"""How hooks retry transient failures: exponential backoff with full jitter, bounded twice."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

import tenacity

from alibaba_jupiterone.errors import ConfigurationError


@dataclass(frozen=True)
class RetryPolicy:
    """Retry budget for one API call.

    A failed call is retried after an exponentially growing, fully jittered wait (or the wait the
    service asked for), until ``max_attempts`` calls have been made or the next wait would end past
    ``max_elapsed`` seconds after the first attempt, whichever comes first.

    :param max_attempts: attempts in all, the first one included (1 disables retries).
    :param max_elapsed: seconds from the first attempt beyond which no retry is started.
    :param initial_delay: scale of the first wait, in seconds.
    :param max_delay: longest single wait, in seconds (also caps a server's retry-after).
    """

    max_attempts: int = 8
    max_elapsed: float = 300.0
    initial_delay: float = 1.0
    max_delay: float = 60.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {self.max_attempts}")
        if self.max_elapsed < 0 or self.initial_delay < 0 or self.max_delay < 0:
            raise ValueError("max_elapsed, initial_delay and max_delay must not be negative")

    @classmethod
    def from_extra(cls, value: Any, name: str) -> RetryPolicy | None:
        """The policy a connection's ``retry`` extra describes (``{"max_attempts": 3, ...}``), if any.

        :param name: names the extra in the :class:`ConfigurationError` a bad value raises.
        """
        if value is None:
            return None
        known = {field.name for field in fields(cls)}
        if not isinstance(value, dict) or not set(value) <= known:
            raise ConfigurationError(f"{name} must be an object with some of the keys {sorted(known)}, got {value!r}.")
        try:
            return cls(**value)
        except (TypeError, ValueError) as error:
            raise ConfigurationError(f"{name} is not a valid retry policy: {error}.") from None

    def retrying(
        self,
        *,
        is_transient: Callable[[BaseException], bool],
        retry_after: Callable[[BaseException], float | None],
        describe: Callable[[BaseException], str],
        logger: logging.Logger,
        what: str,
    ) -> tenacity.Retrying:
        """Build a :class:`tenacity.Retrying` that retries the exceptions ``is_transient`` accepts.

        :param retry_after: the wait in seconds a failure asks for (e.g. from a retry-after
            header), or ``None`` to use the backoff.
        :param describe: a short account of a failure, for the warning logged before each retry.
        :param what: names the call in that warning.
        """
        backoff = tenacity.wait_random_exponential(multiplier=self.initial_delay, max=self.max_delay)

        def wait(state: tenacity.RetryCallState) -> float:
            asked = retry_after(state.outcome.exception())
            return backoff(state) if asked is None else min(asked, self.max_delay)

        def log_retry(state: tenacity.RetryCallState) -> None:
            logger.warning(
                "%s failed (%s); retry %d of %d in %.1f s",
                what,
                describe(state.outcome.exception()),
                state.attempt_number,
                self.max_attempts - 1,
                state.upcoming_sleep,
            )

        return tenacity.Retrying(
            retry=tenacity.retry_if_exception(is_transient),
            stop=tenacity.stop_after_attempt(self.max_attempts) | tenacity.stop_before_delay(self.max_elapsed),
            wait=wait,
            before_sleep=log_retry,
            reraise=True,
        )
