"""A local Slack stand-in: Web API, Socket Mode and Events API delivery on one aiohttp server.

sim = SlackSimulator()                 # Workspace.default(): #alerts, #ops, a few people, the bot
await sim.start()
client = AsyncWebClient(token=sim.bot_token, base_url=sim.api_url)
"""

from ratchet.slack_sim.delivery import Delivery, DeliveryAttempt
from ratchet.slack_sim.errors import SlackError
from ratchet.slack_sim.export import ExportError
from ratchet.slack_sim.server import SlackSimulator
from ratchet.slack_sim.web_api import ApiCall
from ratchet.slack_sim.workspace import Workspace

__all__ = ["ApiCall", "Delivery", "DeliveryAttempt", "ExportError", "SlackError", "SlackSimulator", "Workspace"]
