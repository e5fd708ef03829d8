"""A repeated message is answered from the conversation, not processed twice.

The widget and the Telegram bridge give every message a ``message_id`` and send it again
with the same id when the first attempt got no answer (a replica died mid-request, a
gateway error). If the first attempt was processed after all, the tracker holds a user
event with that id: the bot's messages stored after it are the answer. The check and the
processing run under the conversation's lock, so an attempt still in progress elsewhere
is waited for, never run alongside.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

MESSAGE_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def valid_message_id(value: Any) -> Optional[str]:
    """The client's id if it is one we accept (8–64 of A–Z a–z 0–9 _ -), else None."""
    return value if isinstance(value, str) and MESSAGE_ID.match(value) else None


def stored_replies(tracker: Optional[DialogueStateTracker], message_id: Text) -> Optional[List[Dict]]:
    """The bot's messages after the user message ``message_id``; None if it is not stored."""
    if tracker is None:
        return None
    replies: Optional[List[Dict]] = None
    for event in tracker.events:
        if isinstance(event, UserUttered):
            if replies is not None:
                break  # the next user message: the answer is complete
            if event.message_id == message_id:
                replies = []
        elif replies is not None and isinstance(event, BotUttered):
            data = event.data or {}
            replies.append(CollectingOutputChannel._message(
                tracker.sender_id, text=event.text, image=data.get("image"),
                buttons=data.get("buttons"), attachment=data.get("attachment"),
                custom=data.get("custom")))
    return replies


async def handle_once(agent: Any, message: UserMessage, collector: CollectingOutputChannel) -> None:
    """Process ``message`` unless its id is already in the conversation; then replay."""
    async with agent.lock_store.lock(message.sender_id):
        tracker = await agent.tracker_store.retrieve(message.sender_id)
        replies = stored_replies(tracker, message.message_id)
        if replies is not None:
            collector.messages.extend(replies)
            return
        await agent.processor.handle_message(message)
