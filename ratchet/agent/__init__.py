"""The tool-calling agent (LangChain `create_agent` + middleware) that answers people who address the bot."""
