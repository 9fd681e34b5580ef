"""What an on-call engineer wants next to an alert besides its runbook: what people said recently that is related,
and how the same alert went the last times. Both read only the channels whose messages may be shown where the
answer goes (`readable_channels`): a private channel's words never reach another channel unless configured."""

from __future__ import annotations

from datetime import datetime, timedelta

from langchain_core.embeddings import Embeddings
from psycopg import AsyncConnection
from pydantic import BaseModel

from ratchet.classify.models import alert_name_words
from ratchet.config import ChannelsConfig
from ratchet.knowledge.synthesis import permalink
from ratchet.storage import channels, incidents, messages
from ratchet.storage.incidents import Incident
from ratchet.storage.search import AlertSubject, MessageHit, search_messages

RECENT_WINDOW = timedelta(hours=1)
# cosine similarity from which a message found only by meaning is related: with the local model talk about an
# alert scores 0.45-0.55 against its terms, chatter and other alerts' talk under 0.3
RELATED_MIN_SIMILARITY = 0.35


async def readable_channels(
    conn: AsyncConnection, config: ChannelsConfig, channel_id: str, channel_name: str | None
) -> list[str]:
    """The ids of the channels whose messages may be shown in `channel_id`: itself and those its settings read
    from (RATCHET_CHANNELS_CONFIG `reads_from`) that the bot knows."""
    found = await channels.ids_of(conn, config.readable_from(channel_id, channel_name))
    return [channel_id, *(other for other in found if other != channel_id)]


def alert_terms(alert: str, service: str | None = None) -> str:
    """Query text for an alert: its name, the name's words (`KubePodCrashLooping` → `Kube Pod Crash Looping`), the
    service."""
    return " ".join(filter(None, [alert, alert_name_words(alert), service]))


async def recent_activity(
    conn: AsyncConnection,
    embeddings: Embeddings,
    *,
    alert: str,
    service: str | None = None,
    fingerprint: str | None = None,
    at: datetime,
    readable: list[str],
    bot_user_id: str,
    window: timedelta = RECENT_WINDOW,
    limit: int = 5,
) -> list[MessageHit]:
    """People's messages in the `readable` channels from the window before `at` that share words with the alert's
    terms or are close to them in meaning. Not alerts, nothing a bot posted, no question put to the bot; of the
    threads of other alerts' notifications only the replies that name this alert or its service (see
    `AlertSubject`): a busy hour's other incidents are not this one's activity."""
    query = alert_terms(alert, service)
    subject = AlertSubject(
        alert=alert, fingerprint=fingerprint, service=service, names=[alert, alert_name_words(alert)]
    )
    return await search_messages(
        conn,
        query,
        await embeddings.aembed_query(query),
        channels=readable,
        since=at - window,
        until=at,
        people_only=True,
        bot_user_id=bot_user_id,
        around=subject,
        min_similarity=RELATED_MIN_SIMILARITY,
        limit=limit,
    )


class PastIncident(BaseModel):
    incident: Incident
    resolution: str | None  # the last thing a person said in the incident's thread
    resolution_ts: str | None
    replies: int

    @property
    def resolution_link(self) -> str | None:
        """The Slack link to the last word, so that what quotes it also names it (and can be found to forget it)."""
        if self.resolution_ts is None:
            return None
        return permalink(self.incident.channel_id, self.resolution_ts, thread_ts=self.incident.opened_ts)


async def past_incidents(
    conn: AsyncConnection,
    *,
    fingerprint: str | None = None,
    alert: str | None = None,
    readable: list[str],
    excluding: str | None = None,
    limit: int = 3,
) -> list[PastIncident]:
    """The last incidents of the same alert (by fingerprint, else by name) in the `readable` channels with their
    duration, responders and what people last said in the thread, newest first; `excluding` is the ts of a
    notification whose own new incident is not history (one it reopened is)."""
    found = await incidents.recent(conn, fingerprint=fingerprint, alert=alert, channels=readable, limit=limit + 1)
    found = [i for i in found if i.opened_ts != excluding][:limit]
    result = []
    for incident in found:
        thread = await messages.thread(conn, incident.channel_id, incident.opened_ts)
        people = [m for m in thread if m.ts != incident.opened_ts and m.is_human]
        last = people[-1] if people else None
        result.append(
            PastIncident(
                incident=incident,
                resolution=last.text if last else None,
                resolution_ts=last.ts if last else None,
                replies=len(people),
            )
        )
    return result
