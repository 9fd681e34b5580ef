"""The durable work ledger's runtime: ingest (message + job in one transaction), workers, the job handlers."""
