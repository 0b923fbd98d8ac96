"""Apache Airflow provider that publishes Alibaba Cloud resources to the JupiterOne graph."""

from __future__ import annotations

__version__ = "0.1.0"

PACKAGE_NAME = "airflow-provider-alibaba-jupiterone"


def get_provider_info() -> dict:
    """Describe this provider to Airflow (entry point ``apache_airflow_provider``).

    Only connection types this provider owns are declared here (``jupiterone``): ``alibaba_cloud`` belongs to
    ``apache-airflow-providers-alibaba`` and the Alibaba Cloud hooks (ECS, VPC, RAM) reuse it without
    declaring it, so the official provider's form is never taken over.
    """
    return {
        "package-name": PACKAGE_NAME,
        "name": "Alibaba Cloud to JupiterOne",
        "description": "Fetches Alibaba Cloud resources and publishes them as JupiterOne graph entities.",
        "versions": [__version__],
        "integrations": [
            {
                "integration-name": "Alibaba Cloud ECS",
                "external-doc-url": "https://www.alibabacloud.com/help/en/ecs/developer-reference/api-ecs-2014-05-26-overview",
                "tags": ["alibaba"],
            },
            {
                "integration-name": "Alibaba Cloud VPC",
                "external-doc-url": "https://www.alibabacloud.com/help/en/vpc/developer-reference/api-vpc-2016-04-28-overview",
                "tags": ["alibaba"],
            },
            {
                "integration-name": "Alibaba Cloud RAM",
                "external-doc-url": "https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-overview",
                "tags": ["alibaba"],
            },
            {
                "integration-name": "JupiterOne",
                "external-doc-url": "https://docs.jupiterone.io/api",
                "tags": ["security"],
            },
        ],
        "hooks": [
            {
                "integration-name": "Alibaba Cloud ECS",
                "python-modules": ["alibaba_jupiterone.hooks.alibaba_ecs"],
            },
            {
                "integration-name": "Alibaba Cloud VPC",
                "python-modules": ["alibaba_jupiterone.hooks.alibaba_vpc"],
            },
            {
                "integration-name": "Alibaba Cloud RAM",
                "python-modules": ["alibaba_jupiterone.hooks.alibaba_ram"],
            },
            {
                "integration-name": "JupiterOne",
                "python-modules": ["alibaba_jupiterone.hooks.jupiterone"],
            },
        ],
        "connection-types": [
            {
                "connection-type": "jupiterone",
                "hook-class-name": "alibaba_jupiterone.hooks.jupiterone.JupiterOneHook",
                "hook-name": "JupiterOne",
                "ui-field-behaviour": {
                    "hidden-fields": ["schema", "port"],
                    "relabeling": {"host": "API base URL", "login": "Account ID", "password": "API key"},
                    "placeholders": {
                        "host": "https://api.us.jupiterone.io",
                        "login": "your JupiterOne account id",
                        "password": "a JupiterOne API key",
                        "extra": '{"retry": {"max_attempts": 8, "max_elapsed": 300}}',
                    },
                },
            },
        ],
    }
