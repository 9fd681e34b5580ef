"""The fault and abuse suite: each scenario a way Slack, the network, the database or a person can break the bot."""
