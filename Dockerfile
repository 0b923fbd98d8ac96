# The official Airflow image with this provider installed; docker-compose.yaml builds and runs it.
#   docker build --build-arg AIRFLOW_VERSION=3.3.2 --tag airflow-provider-alibaba-jupiterone .
ARG AIRFLOW_VERSION=3.3.2
FROM apache/airflow:${AIRFLOW_VERSION}

# An ARG declared before FROM is not visible after it: declare it again to use its value.
ARG AIRFLOW_VERSION

COPY --chown=airflow:0 pyproject.toml setup.cfg README.md /opt/airflow-provider-alibaba-jupiterone/
COPY --chown=airflow:0 provider/ /opt/airflow-provider-alibaba-jupiterone/provider/

# Installed as the image's own user, airflow, never as root. Pinning apache-airflow keeps pip from moving the
# image's Airflow to satisfy a dependency; the image's other packages keep the versions of Airflow's own
# constraints, which its bundled providers were tested with (this repository's constraints.txt pins a plain
# pip install, not the image).
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" /opt/airflow-provider-alibaba-jupiterone
