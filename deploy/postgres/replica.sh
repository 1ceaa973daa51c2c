#!/bin/bash
# docker-compose.yml: the read replica's entrypoint. At the first start it copies the primary
# (pg_basebackup, with a replication slot and the standby settings); then it runs as a hot
# standby streaming from it.
set -euo pipefail
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    until pg_isready -h postgres -q; do sleep 1; done
    pg_basebackup -h postgres -U replicator -D "$PGDATA" -X stream -R -C -S replica1
    chmod 0700 "$PGDATA"
fi
exec postgres -c hot_standby=on
