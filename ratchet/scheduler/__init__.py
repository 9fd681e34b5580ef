"""Schedules (RATCHET_SCHEDULES_CONFIG) that enqueue ledger jobs once per period, from every `serve` process."""
