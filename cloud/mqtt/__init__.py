"""The cloud's MQTT side: connection settings, client construction, the plan publisher."""
