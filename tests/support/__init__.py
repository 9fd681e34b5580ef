"""Code the tests and scripts/ use that is not part of ratchet (it does not ship in the wheel)."""
