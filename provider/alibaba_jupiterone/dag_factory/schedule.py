"""JupiterOne's polling intervals as cron schedules, in UTC."""

from __future__ import annotations

CRON_BY_POLLING_INTERVAL: dict[str, str | None] = {
    "DISABLED": None,
    "THIRTY_MINUTES": "*/30 * * * *",
    "ONE_HOUR": "0 * * * *",
    "FOUR_HOURS": "0 */4 * * *",
    "EIGHT_HOURS": "0 */8 * * *",
    "TWELVE_HOURS": "0 */12 * * *",
    "ONE_DAY": "0 {hour} * * *",
    "ONE_WEEK": "0 {hour} * * {day_of_week}",
}
"""Every polling interval JupiterOne offered, with its cron template (``None``: manual trigger only)."""

POLLING_INTERVALS = tuple(CRON_BY_POLLING_INTERVAL)
HOUR_INTERVALS = ("ONE_DAY", "ONE_WEEK")
"""The intervals that can be pinned to an hour of the day."""

DAY_OF_WEEK_INTERVALS = ("ONE_WEEK",)
"""The intervals that can be pinned to a day of the week."""

DAYS_OF_WEEK = ("SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY")
"""Day names in cron order: a day's position is its cron number (0 = Sunday)."""


def cron_schedule(polling_interval: str, hour: int = 0, day_of_week: int = 0) -> str | None:
    """The cron expression (UTC) of a polling interval, or ``None`` for ``DISABLED``.

    :param polling_interval: one of :data:`POLLING_INTERVALS`.
    :param hour: the hour (0-23) of ``ONE_DAY`` and ``ONE_WEEK`` runs.
    :param day_of_week: the cron day (0-6, 0 = Sunday) of ``ONE_WEEK`` runs.
    """
    template = CRON_BY_POLLING_INTERVAL[polling_interval]
    if template is None:
        return None
    return template.format(hour=hour, day_of_week=day_of_week)
