// Telegram Bot API emulator for the end-to-end test of the Telegram bridge.
//
//   node server.mjs [port]        (default 9000, binds 127.0.0.1 only)
//
// Prints one line "READY <port>" on stdout when it accepts requests; stops on SIGTERM/SIGINT.
// Bots use   http://127.0.0.1:<port>/bot<token>/<method>   (python-telegram-bot: base_url
// "http://127.0.0.1:<port>/bot"); the test plays the user through the emulator's client API
// (POST /sendMessage, /sendCommand, /sendCallback, /getUpdates, /getUpdatesHistory).
//
// telegram-test-api 4.2.1 differs from the real Bot API in a few places that strict clients
// such as python-telegram-bot reject; the shims below make it answer like Telegram does:
//   * getMe lacks "is_bot"                                  -> added
//   * sent messages carry "date" in milliseconds            -> seconds
//   * callback queries lose "chat_instance"                 -> kept (default "test-chat")
//   * sendChatAction is unknown (HTTP 500)                  -> ok: true
//   * editMessageReplyMarkup returns null and cannot remove a keyboard -> replaces or
//     removes reply_markup and returns true, like Telegram for a changed message
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const TelegramServer = require('telegram-test-api');
const { routes } = require('telegram-test-api/lib/routes/index.js');

const port = Number(process.argv[2] || process.env.PORT || 9000);

const formatUpdate = TelegramServer.formatUpdate;
TelegramServer.formatUpdate = (update) => {
  const formatted = formatUpdate(update);
  if (formatted.callback_query) {
    formatted.callback_query.chat_instance = update.callbackQuery.chat_instance || 'test-chat';
  }
  return formatted;
};

const addBotMessage = TelegramServer.prototype.addBotMessage;
TelegramServer.prototype.addBotMessage = function addBotMessageInSeconds(...args) {
  const message = addBotMessage.apply(this, args);
  return { ...message, date: Math.floor(message.date / 1000) };
};

const parseMarkup = (markup) => (typeof markup === 'string' ? JSON.parse(markup) : markup);

const shims = (app, server) => {
  app.all('/bot:token/getMe', (_req, res) => {
    res.json({ ok: true, result: { id: 666, is_bot: true, first_name: 'Test Bot', username: 'TestNameBot' } });
  });
  app.all('/bot:token/sendChatAction', (_req, res) => {
    res.json({ ok: true, result: true });
  });
  app.all('/bot:token/editMessageReplyMarkup', (req, res) => {
    const { chat_id: chatId, message_id: messageId } = req.body;
    const stored = server.storage.botMessages.find((update) => (
      update.botToken === req.params.token
      && String(update.messageId) === String(messageId)
      && String(update.message.chat_id) === String(chatId)));
    if (!stored) {
      res.status(400).json({ ok: false, error_code: 400, description: 'Bad Request: message to edit not found' });
      return;
    }
    const markup = req.body.reply_markup ? parseMarkup(req.body.reply_markup) : undefined;
    const { reply_markup: _old, ...rest } = stored.message;
    stored.message = markup ? { ...rest, reply_markup: markup } : rest;
    server.emit('EditedMessageReplyMarkup');
    res.json({ ok: true, result: true });
  });
};
// the routes array is read by the constructor; shims first so they win over the originals
routes.unshift(shims);

const server = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: 600 });
await server.start();
console.log(`READY ${port}`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
