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
//   * sent messages echo JSON parameters as strings         -> objects (link_preview_options, …)
//   * callback queries lose "chat_instance"                 -> kept (default "test-chat")
//   * sendChatAction is unknown (HTTP 500)                  -> ok: true
//   * editMessageReplyMarkup returns null and cannot remove a keyboard -> replaces or
//     removes reply_markup and returns true, like Telegram for a changed message
//   * setMyCommands is unknown                              -> ok: true
//   * webhook calls lack the secret of setWebhook           -> header X-Telegram-Bot-Api-Secret-Token
// and one addition for the test's assertions:
//   * answerCallbackQuery calls are recorded: POST /getAnsweredCallbacks {"token": …}
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

const JSON_FIELDS = ['link_preview_options', 'reply_parameters', 'entities'];
const addBotMessage = TelegramServer.prototype.addBotMessage;
TelegramServer.prototype.addBotMessage = function addBotMessageLikeTelegram(...args) {
  const message = addBotMessage.apply(this, args);
  const result = { ...message, date: Math.floor(message.date / 1000) };
  for (const key of JSON_FIELDS) {  // form-encoded requests carry these as JSON strings
    if (typeof result[key] === 'string') {
      result[key] = JSON.parse(result[key]);
    }
  }
  return result;
};

const addUserUpdate = TelegramServer.prototype.addUserUpdate;
TelegramServer.prototype.addUserUpdate = async function addUserUpdateWithSecret(update) {
  const webhook = this.webhooks[update.botToken];
  if (!webhook) {
    return addUserUpdate.call(this, update);
  }
  const headers = { 'Content-Type': 'application/json' };
  if (webhook.secret_token) {
    headers['X-Telegram-Bot-Api-Secret-Token'] = webhook.secret_token;
  }
  try {
    const response = await fetch(webhook.url, {
      method: 'POST', headers, body: JSON.stringify(TelegramServer.formatUpdate(update)),
    });
    if (response.status > 204) {
      console.error(`webhook answered HTTP ${response.status}`);
    }
  } catch (error) {
    console.error(`webhook unreachable: ${error}`);
  }
  this.updateId++;
  return undefined;
};

const parseMarkup = (markup) => (typeof markup === 'string' ? JSON.parse(markup) : markup);

const shims = (app, server) => {
  server.answeredCallbacks = [];
  app.post('/getAnsweredCallbacks', (req, res) => {
    res.json({ ok: true, result: server.answeredCallbacks.filter((a) => a.botToken === req.body.token) });
  });
  app.all('/bot:token/answerCallbackQuery', (req, res) => {
    server.answeredCallbacks.push({
      botToken: req.params.token,
      callback_query_id: String(req.body.callback_query_id),
      text: req.body.text,
    });
    res.json({ ok: true, result: true });
  });
  app.all('/bot:token/setMyCommands', (_req, res) => {
    res.json({ ok: true, result: true });
  });
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
