"""The device's MQTT sync: outbox to the cloud, acks/plans/commands back (see `client`).

`runner.start_sync(agent, store, settings)` is the seam `medmind edge run` and the simulator use.
"""
