"""Alibaba Cloud to JupiterOne: one Airflow DAG per account of the account configuration.

Each DAG, ``alibaba_cloud_jupiterone_<account slug>``, syncs the account's ECS instances into its JupiterOne
scope or integration instance on the account's polling interval. The accounts are read from the YAML file
named by ``ALIBABA_JUPITERONE_CONFIG``, default ``$AIRFLOW_HOME/alibaba_jupiterone.yaml``; without a file
there, one DAG syncs the default connections into the scope ``alibaba-cloud-default`` once a day. See
"Configuring accounts" in the README and ``docs/alibaba_jupiterone.example.yaml``.

Accounts with a problem are left out here and reported as an import error of
``alibaba_cloud_jupiterone_config_check.py``: deploy both files.
"""

from alibaba_jupiterone.dag_factory import build_dags

globals().update(build_dags())
