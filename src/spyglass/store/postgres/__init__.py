"""The PostgreSQL backend: the same contract as SQLite on a server that several `spyglass serve` replicas share."""
