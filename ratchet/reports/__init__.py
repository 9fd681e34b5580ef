"""Reports computed from the database: the weekly channel report (what the agent's tool, the CLI and the
scheduler's weekly job give)."""
