"""Reports the problems of the Alibaba Cloud to JupiterOne account configuration as an Airflow DAG import error.

Airflow marks every DAG of a file that has an import error as broken and stops scheduling it, so the problems
are raised here, in a file without DAGs, while ``alibaba_cloud_jupiterone.py`` keeps running the good accounts.
"""

from alibaba_jupiterone.dag_factory import load_config

load_config().raise_for_errors()
