"""The bridge: python-telegram-bot handlers that forward to the bot's REST channel.

Each private chat is one conversation with sender id ``tg-<chat id>``. Updates of one chat
are handled one after another (answers stay in order); different chats run concurrently.

Commands: /start (greeting from the bot + short privacy note), /hilfe (the bot's help menu),
/neu (restarts the conversation in Rasa), /datenschutz (privacy text). Text messages go to
the bot as they are; a pressed inline button sends its payload. Group chats are ignored:
one conversation must belong to one person.

Logs contain neither texts nor chat ids, only :func:`pseudonym` of the sender id – the same
hash the REST channel logs, so both log files can be correlated.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from typing import AsyncIterator, Dict, List, Optional, Sequence

from telegram import BotCommand, LinkPreviewOptions, Message, Update
from telegram.constants import ChatAction, ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.channels.telegram import texts
from bot.channels.telegram.config import TelegramSettings
from bot.channels.telegram.rasa_client import BotMessage, RasaClient, RasaUnavailable
from bot.channels.telegram.rendering import (
    PARSE_MODE,
    ButtonStore,
    OutgoingMessage,
    plain,
    render,
)
from bot.channels.telegram.retry import STARTUP_POLICY, RetryPolicy, call_with_retry

logger = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
TYPING_REPEAT_SECONDS = 4.5  # Telegram shows "typing…" for 5 s per chat action
TYPING_FINISH_SECONDS = 1.0
MAX_CALLBACK_ANSWER = 200

# What the commands send to the bot: intents directly (``/intent`` skips NLU), so a
# command never depends on how a word is classified.
GREET_INTENT = "/greet"
HELP_INTENT = "/help"
RESTART_INTENT = "/start_over"  # utter_restarted + action_restart (data/rules.yml)


def sender_id(chat_id: int) -> str:
    return f"tg-{chat_id}"


def pseudonym(sender: str) -> str:
    """Same short hash as ``bot.channels.rest.pseudonym`` (which would import Rasa)."""
    return hashlib.sha256(sender.encode("utf-8")).hexdigest()[:10]


def who(chat_id: int) -> str:
    return pseudonym(sender_id(chat_id))


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across chats, strictly in order within one chat."""

    def __init__(self, max_concurrent_updates: int = 32) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: Dict[int, asyncio.Lock] = {}
        self._users: Dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: "asyncio.Future[object]") -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._users[chat.id] = self._users.get(chat.id, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[chat.id] -= 1
            if not self._users[chat.id]:
                del self._users[chat.id]
                del self._locks[chat.id]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


async def initialize_with_retry(application: Application) -> None:
    """``application.initialize()`` until Telegram answers ``getMe`` (invalid token: raise).

    python-telegram-bot 22.5 marks its Bot initialized *before* ``getMe``; after a failed
    attempt a retry would skip ``getMe`` and the bot would fail later. Shutting the Bot
    down after each failure resets that, so every attempt is a real one.
    """

    async def attempt() -> None:
        try:
            await application.initialize()
        except TelegramError:
            await application.bot.shutdown()
            raise

    await call_with_retry(attempt, what="initialize", idempotent=True, policy=STARTUP_POLICY)


class Bridge:
    """Handlers and their shared state (Rasa client, button ids, retry policy)."""

    def __init__(
        self,
        settings: TelegramSettings,
        rasa: Optional[RasaClient] = None,
        store: Optional[ButtonStore] = None,
        policy: RetryPolicy = RetryPolicy(),
        retention_days: Optional[int] = None,
    ) -> None:
        self.settings = settings
        self.rasa = rasa or RasaClient(settings.rasa_url, timeout=settings.rasa_timeout)
        self.store = store or ButtonStore()
        self.policy = policy
        if retention_days is None:
            from bot.retention import retention_days as configured_days

            retention_days = configured_days()
        self.retention_days = retention_days

    # --- application ------------------------------------------------------------------

    def build_application(self, with_updater: bool = True) -> Application:
        builder = (
            ApplicationBuilder()
            .token(self.settings.token)
            .base_url(self.settings.api_base_url)
            .concurrent_updates(PerChatUpdateProcessor())
            .job_queue(None)  # no scheduled jobs
            .post_init(self._post_init)
            .post_shutdown(self._post_shutdown)
        )
        if not with_updater:
            builder = builder.updater(None)
        application = builder.build()
        self.add_handlers(application)
        return application

    def add_handlers(self, application: Application) -> None:
        private = filters.ChatType.PRIVATE
        application.add_handler(TypeHandler(Update, self.only_private_chats), group=-1)
        application.add_handler(CommandHandler("start", self.on_start, filters=private))
        application.add_handler(CommandHandler(["hilfe", "help"], self.on_help, filters=private))
        application.add_handler(CommandHandler("neu", self.on_restart, filters=private))
        application.add_handler(CommandHandler("datenschutz", self.on_privacy, filters=private))
        application.add_handler(MessageHandler(private & filters.COMMAND, self.on_unknown_command))
        application.add_handler(MessageHandler(private & filters.TEXT, self.on_text))
        application.add_handler(
            MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, self.on_not_text)
        )
        application.add_handler(CallbackQueryHandler(self.on_button))
        application.add_error_handler(self.on_error)

    async def _post_init(self, application: Application) -> None:
        commands = [BotCommand(name, description) for name, description in texts.COMMANDS]
        try:  # the command menu is a convenience: never fail the start for it
            await application.bot.set_my_commands(commands)
        except TelegramError as error:
            logger.warning("telegram: setMyCommands failed (%s)", type(error).__name__)
        mode = "webhook" if self.settings.webhook else "long polling"
        logger.info("telegram: bridge ready (%s), bot at %s", mode, self.settings.rasa_url)

    async def _post_shutdown(self, _: Application) -> None:
        await self.rasa.close()

    # --- handlers -------------------------------------------------------------------------

    async def only_private_chats(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        if chat is not None and chat.type != ChatType.PRIVATE:
            if update.callback_query is not None:
                await self.answer(update, None)
            raise ApplicationHandlerStop

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat_id = update.effective_chat.id
        await self.converse(context, chat_id, GREET_INTENT,
                            then=plain(texts.privacy_short(self.retention_days)))

    async def on_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.converse(context, update.effective_chat.id, HELP_INTENT)

    async def on_restart(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat_id = update.effective_chat.id
        self.store.forget(chat_id)
        await self.converse(context, chat_id, RESTART_INTENT)

    async def on_privacy(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.deliver(context, update.effective_chat.id,
                           plain(texts.privacy_full(self.retention_days)))

    async def on_unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.deliver(context, update.effective_chat.id, plain(texts.UNKNOWN_COMMAND))

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat_id = update.effective_chat.id
        text = update.effective_message.text or ""
        if text.lstrip().startswith("/"):
            # Rasa reads "/name" as an intent; users choose intents only via commands/buttons
            await self.deliver(context, chat_id, plain(texts.UNKNOWN_COMMAND))
            return
        await self.converse(context, chat_id, text)

    async def on_not_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        logger.info("telegram: non-text message from %s", who(update.effective_chat.id))
        await self.deliver(context, update.effective_chat.id, plain(texts.NOT_TEXT))

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        chat = update.effective_chat
        if chat is None or query.message is None:  # inline-mode buttons: not ours
            await self.answer(update, None)
            return
        button = self.store.take(chat.id, query.data)
        if button is None:
            logger.info("telegram: stale button from %s", who(chat.id))
            await self.answer(update, texts.STALE_BUTTON)
            await self.remove_keyboard(update)
            return
        await self.answer(update, texts.BUTTON_CHOSEN.format(title=button.title))
        await self.remove_keyboard(update)
        await self.converse(context, chat.id, button.payload)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        chat = update.effective_chat if isinstance(update, Update) else None
        logger.error("telegram: unexpected %s while handling an update from %s",
                     type(error).__name__, who(chat.id) if chat else "-",
                     exc_info=error if logger.isEnabledFor(logging.DEBUG) else None)
        if chat is not None and not isinstance(error, TelegramError):
            # a bug in a handler must not leave the user waiting in silence
            with contextlib.suppress(Exception):
                await self.deliver(context, chat.id, plain(texts.TECHNICAL_PROBLEM))

    # --- building blocks --------------------------------------------------------------

    async def converse(
        self,
        context: ContextTypes.DEFAULT_TYPE,
        chat_id: int,
        text: str,
        then: Sequence[OutgoingMessage] = (),
    ) -> None:
        """Send ``text`` to the bot as this chat's message and deliver the answers."""
        started = time.perf_counter()
        replies: List[BotMessage] = []
        async with self.typing(context, chat_id):
            try:
                replies = await self.rasa.send(sender_id(chat_id), text)
            except RasaUnavailable as error:
                logger.warning("telegram: bot unreachable for %s (%s)", who(chat_id), error)
        if replies:
            outgoing = render(chat_id, replies, self.store)
        else:
            outgoing = plain(texts.TECHNICAL_PROBLEM)
        sent = await self.deliver(context, chat_id, [*outgoing, *then])
        logger.info("telegram: %d/%d message(s) to %s after %.2f s", sent,
                    len(outgoing) + len(then), who(chat_id), time.perf_counter() - started)

    async def deliver(
        self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, messages: Sequence[OutgoingMessage]
    ) -> int:
        """Send messages in order; return how many were sent. Never raises TelegramError."""
        sent = 0
        for message in messages:
            try:
                await call_with_retry(
                    lambda m=message: context.bot.send_message(  # type: ignore[misc]
                        chat_id, m.html, parse_mode=PARSE_MODE, reply_markup=m.keyboard,
                        link_preview_options=LinkPreviewOptions(is_disabled=True),
                    ),
                    what="sendMessage", idempotent=False, policy=self.policy,
                )
                sent += 1
            except Forbidden:  # the user blocked the bot: the rest cannot arrive either
                logger.info("telegram: %s has blocked the bot", who(chat_id))
                break
            except TelegramError:
                continue  # logged by call_with_retry; the next message may still arrive
            except Exception as error:  # e.g. an unparsable answer: it may have arrived
                logger.error("telegram: sendMessage to %s failed unexpectedly (%s), not repeated",
                             who(chat_id), type(error).__name__)
        return sent

    async def answer(self, update: Update, text: Optional[str]) -> None:
        """Answer a callback query (stops the spinner; ``text`` shows as a short notice)."""
        query = update.callback_query
        if query is None:
            return
        notice = text[:MAX_CALLBACK_ANSWER] if text else None
        with contextlib.suppress(TelegramError):
            await call_with_retry(lambda: query.answer(text=notice), what="answerCallbackQuery",
                                  idempotent=True, policy=self.policy)

    async def remove_keyboard(self, update: Update) -> None:
        query = update.callback_query
        if query is None or not isinstance(query.message, Message):
            return  # no message, or one too old to edit (InaccessibleMessage)
        try:
            await call_with_retry(lambda: query.edit_message_reply_markup(reply_markup=None),
                                  what="editMessageReplyMarkup", idempotent=True, policy=self.policy)
        except BadRequest:
            pass  # "message is not modified" (already removed) or too old to edit
        except TelegramError:
            pass  # logged; the used-up buttons are answered as stale anyway

    @contextlib.asynccontextmanager
    async def typing(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> AsyncIterator[None]:
        """Show "typing…" until the block ends (best effort: no retries, errors ignored).

        The first chat action starts at once, alongside the block. At the end a chat action
        still under way may finish (up to a second), so it cannot land after the reply and
        leave a stale "typing…" on screen.
        """
        done = asyncio.Event()

        async def keep_typing() -> None:
            while not done.is_set():
                try:
                    await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
                except TelegramError as error:
                    logger.debug("telegram: sendChatAction failed (%s)", type(error).__name__)
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(done.wait(), TYPING_REPEAT_SECONDS)

        task = asyncio.create_task(keep_typing())
        await asyncio.sleep(0)  # let the first chat action go out
        try:
            yield
        finally:
            done.set()
            try:
                await asyncio.wait_for(task, TYPING_FINISH_SECONDS)
            except asyncio.TimeoutError:
                pass  # wait_for has cancelled the straggler
