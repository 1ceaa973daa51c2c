"""Broker security: Mosquitto password/ACL files from the database, EMQX HTTP auth hooks."""
