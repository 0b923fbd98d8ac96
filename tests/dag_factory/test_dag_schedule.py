"""Polling intervals become exactly their schedules, as the scheduler reads them from the serialized DAG."""

from __future__ import annotations

from typing import Any

import pendulum
import pytest
from airflow.sdk import DAG
from airflow.serialization.serialized_objects import DagSerialization
from airflow.timetables.base import TimeRestriction, Timetable
from airflow.timetables.trigger import CronTriggerTimetable
from dag_factory_support import WriteConfig, account

from alibaba_jupiterone.dag_factory import POLLING_INTERVALS, AccountConfig, build_dag, build_dags, cron_schedule

SCHEDULES = {
    "THIRTY_MINUTES": "*/30 * * * *",
    "ONE_HOUR": "0 * * * *",
    "FOUR_HOURS": "0 */4 * * *",
    "EIGHT_HOURS": "0 */8 * * *",
    "TWELVE_HOURS": "0 */12 * * *",
    "ONE_DAY": "0 0 * * *",
    "ONE_WEEK": "0 0 * * 0",
}


def scheduler_timetable(dag: DAG) -> Timetable:
    """The timetable the scheduler uses for a DAG: the one of the serialized DAG."""
    return DagSerialization.from_dict(DagSerialization.to_dict(dag)).timetable


def next_run(timetable: Timetable, after: pendulum.DateTime) -> pendulum.DateTime | None:
    """When the scheduler starts the first run at or after ``after``, if ever."""
    info = timetable.next_dagrun_info(
        last_automated_data_interval=None,
        restriction=TimeRestriction(earliest=after, latest=None, catchup=True),
    )
    return info and info.run_after


def test_the_polling_intervals_are_those_jupiterone_offered() -> None:
    assert set(POLLING_INTERVALS) == {"DISABLED", *SCHEDULES}


@pytest.mark.parametrize(("interval", "cron"), SCHEDULES.items())
def test_each_polling_interval_is_its_cron_schedule_in_utc(write_config: WriteConfig, interval: str, cron: str) -> None:
    write_config([account("Production", polling_interval=interval)])

    timetable = scheduler_timetable(build_dags()["alibaba_cloud_jupiterone_production"])

    assert cron_schedule(interval) == cron
    assert isinstance(timetable, CronTriggerTimetable)
    assert timetable.serialize()["expression"] == cron
    assert timetable.serialize()["timezone"] == "UTC"


def test_disabled_means_no_schedule_and_manual_runs_only(write_config: WriteConfig) -> None:
    write_config([account("Production", polling_interval="DISABLED")])

    dag = build_dags()["alibaba_cloud_jupiterone_production"]
    timetable = scheduler_timetable(dag)

    assert cron_schedule("DISABLED") is None
    assert dag.schedule is None
    assert timetable.can_be_scheduled is False
    assert next_run(timetable, pendulum.datetime(2024, 3, 10, tz="UTC")) is None


@pytest.mark.parametrize(
    ("settings", "cron", "after", "expected"),
    [
        pytest.param(
            {"polling_interval": "ONE_DAY", "hour": 6},
            "0 6 * * *",
            pendulum.datetime(2024, 3, 10, 7, 0, tz="UTC"),
            pendulum.datetime(2024, 3, 11, 6, 0, tz="UTC"),
            id="daily at 6",
        ),
        pytest.param(
            {"polling_interval": "ONE_WEEK", "hour": 6, "day_of_week": 3},
            "0 6 * * 3",
            pendulum.datetime(2024, 3, 10, 7, 0, tz="UTC"),  # a Sunday
            pendulum.datetime(2024, 3, 13, 6, 0, tz="UTC"),  # the Wednesday after
            id="weekly on Wednesday at 6",
        ),
        pytest.param(
            {"polling_interval": "ONE_WEEK", "hour": 23},
            "0 23 * * 0",
            pendulum.datetime(2024, 3, 11, 0, 0, tz="UTC"),
            pendulum.datetime(2024, 3, 17, 23, 0, tz="UTC"),
            id="weekly on Sunday by default",
        ),
        pytest.param(
            {"polling_interval": "FOUR_HOURS"},
            "0 */4 * * *",
            pendulum.datetime(2024, 3, 10, 9, 30, tz="UTC"),
            pendulum.datetime(2024, 3, 10, 12, 0, tz="UTC"),
            id="every four hours",
        ),
        pytest.param(
            {"polling_interval": "THIRTY_MINUTES"},
            "*/30 * * * *",
            pendulum.datetime(2024, 3, 10, 9, 31, tz="UTC"),
            pendulum.datetime(2024, 3, 10, 10, 0, tz="UTC"),
            id="every thirty minutes",
        ),
    ],
)
def test_the_next_run_is_the_next_utc_time_of_the_polling_interval(
    settings: dict[str, Any], cron: str, after: pendulum.DateTime, expected: pendulum.DateTime
) -> None:
    timetable = scheduler_timetable(build_dag(AccountConfig(account_name="Production", scope="prod", **settings)))

    assert timetable.serialize()["expression"] == cron
    assert next_run(timetable, after) == expected
