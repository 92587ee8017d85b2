#!/bin/sh
# Container entrypoint for the Samhandlingsgraf API.
# docker-compose starts us only once Neo4j reports healthy; the retry loop
# below just covers the short window where Bolt may still refuse a login.
set -eu

attempts="${SAMGRAF_LOAD_ATTEMPTS:-10}"
delay="${SAMGRAF_LOAD_DELAY:-3}"

i=1
until samgraf load --if-empty; do
    if [ "$i" -ge "$attempts" ]; then
        echo "entrypoint: 'samgraf load --if-empty' failed $attempts times, giving up" >&2
        exit 1
    fi
    echo "entrypoint: 'samgraf load --if-empty' failed (attempt $i/$attempts), retrying in ${delay}s" >&2
    i=$((i + 1))
    sleep "$delay"
done

exec samgraf serve --host 0.0.0.0 --port 8000 --workers "${SAMGRAF_WORKERS:-2}"
