"""Time-partitioned tables: range partitions made ahead of time, dropped past their retention.

A table that grows with every message is declared with `postgresql_partition_by="RANGE (col)"`
and registered as a `PartitionedTable` in `cloud.partitions.tables`. The `partitions` job of
`medmind cloud jobs` then calls `PartitionService.maintain` on each: it creates the partition
of the current period and those up to `ahead` later, moves any rows that waited in the DEFAULT
partition into the partition that now covers them, and drops (or detaches) every partition whose
whole range lies before `now - retention`. Every partitioned table also has a DEFAULT partition,
so an insert never fails because the job has not run.
"""
