"""TLS for a small install: a private CA and the broker's server certificate (openssl)."""
