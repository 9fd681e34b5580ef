"""The channel monitor: per-channel rules read by the LLM, and the actions they run."""
