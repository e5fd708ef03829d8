/*! Gründungslotse – Chat-Widget für Websites (ohne Framework, ohne Build-Schritt).
 *
 * Einbinden mit einem Tag (alle Attribute außer src sind optional):
 *   <script src="https://bot.example.de/widget/gruendungslotse.js" defer
 *           data-server-url="https://bot.example.de"   Rasa-Server (Standard: Herkunft des Skripts)
 *           data-title="Gründungslotse"                Titel im Kopf und am Startknopf
 *           data-primary-color="#0a4a80"               Hauptfarbe (Hex); Schriftfarbe darauf wird
 *                                                      automatisch kontrastreich gewählt
 *           data-start-open="false"                    beim ersten Besuch geöffnet zeigen
 *           data-position="right"                      "right" oder "left"
 *           data-retention-days="30"                   Löschfrist im Datenschutzhinweis
 *           data-privacy-url="/datenschutz"            Link zur Datenschutzerklärung
 *           data-max-chars="2000"></script>            maximale Länge einer Nachricht
 * Alternativ vor dem Tag: window.GruendungslotseConfig = { serverUrl, title, primaryColor, … }.
 * Elemente mit dem Attribut data-gruendungslotse-open öffnen den Chat beim Klick;
 * window.Gruendungslotse bietet open(), close() und reset().
 *
 * Sicherheit: Nachrichteninhalte werden nie als HTML ausgewertet (nur textContent und
 * eigene DOM-Elemente); Links nur für http(s)/mailto, mit rel="noopener noreferrer".
 */
(() => {
  'use strict';

  if (window.Gruendungslotse) return; // zweimal eingebunden: nur ein Widget

  const SCRIPT = document.currentScript ||
    document.querySelector('script[src*="gruendungslotse.js"]');
  const STORAGE_KEY = 'gruendungslotse:v1';
  const MAX_HISTORY = 200;
  const REQUEST_TIMEOUT_MS = 30000;
  // A message that got no answer (connection lost, 502/503/504 from the load balancer while
  // a server restarts) is sent again with the same message_id; the bot answers a repeat
  // from the stored conversation, so it is never processed twice.
  const RETRY_DELAYS_MS = [500, 1500];
  const RETRY_STATUS = [502, 503, 504];
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const DARK = '#1f2328'; // body text colour of the widget

  // ---------------------------------------------------------------- Texte (Sie-Form)

  const TEXT = {
    subtitle: 'Automatischer Assistent',
    chatSuffix: ' – Chat',
    region: 'Chat-Assistent ',
    reset: 'Neues Gespräch',
    close: 'Chat schließen',
    log: 'Gesprächsverlauf',
    input: 'Ihre Nachricht',
    placeholder: 'Ihre Frage …',
    send: 'Senden',
    you: 'Sie: ',
    bot: 'Gründungslotse: ',
    typing: 'Der Gründungslotse schreibt …',
    newTab: ' (öffnet in neuem Tab)',
    image: 'Bild zur Antwort',
    choices: 'Antwortmöglichkeiten',
    suggestions: 'Häufige Fragen',
    resetDone: 'Neues Gespräch begonnen. Der bisherige Verlauf wurde gelöscht.',
    privacyLink: 'Datenschutzhinweise',
    notice: (days) => 'Bitte geben Sie keine persönlichen Daten ein (z. B. Name, Anschrift, ' +
      `Telefonnummer, E-Mail-Adresse). Gespräche werden nach ${days} Tagen gelöscht.`,
    greeting: 'Guten Tag! Ich bin der Gründungslotse. Ich beantworte Fragen zur Gründung in ' +
      'Sachsen, Sachsen-Anhalt und Thüringen – zu Behördenwegen, Förderung und zuständigen ' +
      'Stellen. Verbindlich ist immer die Auskunft der zuständigen Behörde.',
    unreachable: 'Der Dienst ist gerade nicht erreichbar. Bitte versuchen Sie es in einigen ' +
      'Minuten noch einmal. Persönlich hilft Ihnen die Wirtschaftsförderung Ihrer Stadt oder ' +
      'Ihres Landkreises; allgemeine Auskunft gibt die Behördennummer 115.',
    noAnswer: 'Darauf habe ich leider keine Antwort erhalten. Bitte formulieren Sie Ihre ' +
      'Frage anders.',
  };
  const SUGGESTIONS = [
    'Wie melde ich ein Gewerbe an?',
    'Welche Fördermöglichkeiten gibt es für Gründer?',
    'Wer ist bei mir zuständig?',
  ];

  // ---------------------------------------------------------------- Konfiguration

  /** Merge defaults < window.GruendungslotseConfig < data attributes of the script tag. */
  function readConfig() {
    const scriptSrc = SCRIPT && SCRIPT.src ? SCRIPT.src : location.href;
    const fromWindow = (typeof window.GruendungslotseConfig === 'object' &&
      window.GruendungslotseConfig) || {};
    const data = (SCRIPT && SCRIPT.dataset) || {};
    const pick = (key) => (data[key] !== undefined && data[key] !== '' ? data[key] : fromWindow[key]);
    const server = safeUrl(pick('serverUrl'), location.href) || new URL(scriptSrc).origin;
    const serverUrl = server.replace(/\/+$/, '');
    const days = parseInt(pick('retentionDays'), 10);
    const maxChars = parseInt(pick('maxChars'), 10);
    return {
      serverUrl,
      assetBase: new URL('.', scriptSrc).href,
      title: String(pick('title') || 'Gründungslotse').slice(0, 60),
      primaryColor: validColor(pick('primaryColor')) || '#0a4a80',
      startOpen: [true, 'true', '1'].includes(pick('startOpen')),
      position: pick('position') === 'left' ? 'left' : 'right',
      retentionDays: days > 0 ? days : 30,
      maxChars: maxChars > 0 ? maxChars : 2000,
      privacyUrl: safeUrl(pick('privacyUrl'), location.href),
    };
  }

  function validColor(value) {
    const match = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(value || '').trim());
    if (!match) return null;
    const hex = match[1].length === 3 ? match[1].replace(/./g, (c) => c + c) : match[1];
    return `#${hex.toLowerCase()}`;
  }

  /** Relative luminance (WCAG 2) of a #rrggbb colour. */
  function luminance(hex) {
    const channel = (i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  }

  function contrast(a, b) {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  }

  /** White or near-black, whichever contrasts more with the background colour. */
  function textColorOn(hex) {
    return contrast(hex, '#ffffff') >= contrast(hex, DARK) ? '#ffffff' : DARK;
  }

  /** Colour for links and answer buttons on light grounds: the primary if it is dark enough. */
  function accentColor(hex) {
    return contrast(hex, '#eef2f7') >= 4.5 ? hex : DARK;
  }

  /** Absolute http(s)/mailto URL or null – never javascript:, data: and the like. */
  function safeUrl(value, base) {
    if (!value || typeof value !== 'string') return null;
    try {
      const url = new URL(value, base);
      return ['http:', 'https:', 'mailto:'].includes(url.protocol) ? url.href : null;
    } catch (_) {
      return null;
    }
  }

  // ---------------------------------------------------------------- Speicher

  function newSenderId() {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return 'web-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  function newMessageId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  function freshState() {
    return { sender: newSenderId(), open: false, messages: [] };
  }

  /** Keep only well-formed messages (storage is untrusted input, too). */
  function cleanMessage(m) {
    if (!m || typeof m !== 'object') return null;
    const from = ['user', 'bot', 'error'].includes(m.from) ? m.from : null;
    const text = typeof m.text === 'string' ? m.text : '';
    const image = typeof m.image === 'string' ? m.image : '';
    const buttons = Array.isArray(m.buttons) ? m.buttons
      .filter((b) => b && (typeof b.title === 'string' || typeof b.payload === 'string'))
      .map((b) => ({
        title: String(typeof b.title === 'string' ? b.title : b.payload),
        payload: String(typeof b.payload === 'string' ? b.payload : b.title),
      })) : [];
    if (!from || (!text && !image && !buttons.length)) return null;
    return { from, text, image, buttons };
  }

  function loadState() {
    try {
      const stored = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || 'null');
      if (!stored || typeof stored.sender !== 'string' || !/^[\w-]{1,64}$/.test(stored.sender)) {
        return null;
      }
      const messages = Array.isArray(stored.messages) ? stored.messages : [];
      return {
        sender: stored.sender,
        open: stored.open === true,
        messages: messages.map(cleanMessage).filter(Boolean).slice(-MAX_HISTORY),
      };
    } catch (_) {
      return null; // storage disabled or corrupt: start fresh
    }
  }

  function saveState(state) {
    try {
      state.messages = state.messages.slice(-MAX_HISTORY);
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify(state));
    } catch (_) {
      // storage full or disabled: the conversation still works, just without reload survival
    }
  }

  // ---------------------------------------------------------------- DOM-Helfer (ohne innerHTML)

  /** Create an element; `props.text` sets textContent, other keys become attributes. */
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'text') el.textContent = value;
      else el.setAttribute(key, value === true ? '' : String(value));
    }
    el.append(...children.filter((c) => c !== null && c !== undefined));
    return el;
  }

  const ICONS = {
    chat: { d: 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z', fill: true },
    close: { d: 'M6 6l12 12M18 6L6 18', fill: false },
    send: { d: 'M3.4 20.4 21 12 3.4 3.6 3.4 10.1 15 12 3.4 13.9z', fill: true },
  };

  function icon(name) {
    const spec = ICONS[name];
    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    svg.setAttribute('class', `glw-icon glw-icon-${name}`);
    const path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', spec.d);
    path.setAttribute('fill', spec.fill ? 'currentColor' : 'none');
    if (!spec.fill) {
      path.setAttribute('stroke', 'currentColor');
      path.setAttribute('stroke-width', '2.5');
      path.setAttribute('stroke-linecap', 'round');
    }
    svg.append(path);
    return svg;
  }

  const LINK_PATTERN = /\b(?:https?:\/\/|www\.)[^\s<>"]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+/gi;

  /** Drop trailing punctuation ("…/seite.html," or "(www.115.de)") from a found link. */
  function trimLink(raw) {
    let link = raw.replace(/[.,;:!?'"»«“”‘’]+$/, '');
    while (link.endsWith(')') && (link.match(/\(/g) || []).length < (link.match(/\)/g) || []).length) {
      link = link.slice(0, -1).replace(/[.,;:!?'"»«“”‘’]+$/, '');
    }
    return link;
  }

  function linkTarget(link) {
    if (/^[^:/]+@/.test(link)) return safeUrl('mailto:' + link);
    return safeUrl(/^www\./i.test(link) ? 'https://' + link : link);
  }

  /** Append `text` to `parent` as text nodes, with URLs and e-mail addresses as links. */
  function appendLinkified(parent, text) {
    let last = 0;
    for (const match of text.matchAll(LINK_PATTERN)) {
      const link = trimLink(match[0]);
      const href = link && linkTarget(link);
      if (!href) continue;
      parent.append(text.slice(last, match.index));
      const external = !href.startsWith('mailto:');
      parent.append(h('a', {
        href,
        class: 'glw-link',
        target: external ? '_blank' : null,
        rel: 'noopener noreferrer',
      }, link, external ? h('span', { class: 'glw-sr', text: TEXT.newTab }) : null));
      last = match.index + link.length;
    }
    parent.append(text.slice(last));
  }

  // ---------------------------------------------------------------- Widget

  class ChatWidget {
    constructor(config) {
      this.config = config;
      this.endpoint = `${config.serverUrl}/webhooks/rest/webhook`;
      const stored = loadState();
      this.restored = Boolean(stored);
      this.state = stored || freshState();
      this.pending = 0;
      this.generation = 0; // bumped by reset(): late answers of the old conversation are dropped
      this.queue = Promise.resolve();
      this.build();
    }

    // --- Aufbau ---------------------------------------------------------------------

    build() {
      const c = this.config;
      this.host = h('div', { id: 'gruendungslotse-widget', 'data-position': c.position });
      this.host.style.setProperty('--glw-primary', c.primaryColor);
      this.host.style.setProperty('--glw-on-primary', textColorOn(c.primaryColor));
      this.host.style.setProperty('--glw-accent', accentColor(c.primaryColor));
      const shadow = this.host.attachShadow({ mode: 'open' });
      this.shadow = shadow;

      const stylesheet = h('link', { rel: 'stylesheet', href: new URL('gruendungslotse.css', c.assetBase).href });
      // a named region: the launcher is reachable as a landmark, too
      this.root = h('section', { class: 'glw', lang: 'de', 'aria-label': TEXT.region + c.title, hidden: true });
      const reveal = () => { this.root.hidden = false; };
      stylesheet.addEventListener('load', reveal);
      stylesheet.addEventListener('error', reveal); // unstyled is better than invisible

      this.launcher = h('button', {
        type: 'button', class: 'glw-launcher', 'aria-expanded': 'false', 'aria-controls': 'glw-panel',
      }, icon('chat'), icon('close'), h('span', { class: 'glw-launcher-text', text: c.title }),
      h('span', { class: 'glw-sr', text: TEXT.chatSuffix }));
      this.launcher.addEventListener('click', () => (this.isOpen() ? this.close() : this.open()));

      this.panel = h('div', {
        id: 'glw-panel', class: 'glw-panel', role: 'dialog', 'aria-label': c.title + TEXT.chatSuffix, hidden: true,
      }, this.buildHeader(), this.buildLog(), this.buildTyping(), this.buildForm());
      this.status = h('div', { class: 'glw-sr', role: 'status' });

      this.root.append(this.panel, this.launcher, this.status);
      this.root.addEventListener('keydown', (event) => {
        if (event.key === 'Escape' && this.isOpen()) {
          event.preventDefault();
          event.stopPropagation();
          this.close();
        }
      });
      shadow.append(stylesheet, this.root);
      this.renderAll();
    }

    buildHeader() {
      const reset = h('button', { type: 'button', class: 'glw-reset', text: TEXT.reset });
      reset.addEventListener('click', () => this.reset());
      const close = h('button', { type: 'button', class: 'glw-close', 'aria-label': TEXT.close, title: TEXT.close },
        icon('close'));
      close.addEventListener('click', () => this.close());
      return h('div', { class: 'glw-header' },
        h('div', { class: 'glw-heading' },
          h('h2', { class: 'glw-title', text: this.config.title }),
          h('p', { class: 'glw-subtitle', text: TEXT.subtitle })),
        reset, close);
    }

    buildLog() {
      // tabindex: the scrolling history must be reachable and scrollable by keyboard
      this.log = h('div', {
        class: 'glw-log', role: 'log', 'aria-live': 'polite', 'aria-label': TEXT.log, tabindex: '0',
      });
      return this.log;
    }

    buildTyping() {
      this.typing = h('div', { class: 'glw-typing', role: 'status' });
      return this.typing;
    }

    buildForm() {
      this.input = h('input', {
        id: 'glw-input', class: 'glw-input', type: 'text', autocomplete: 'off', enterkeyhint: 'send',
        maxlength: String(this.config.maxChars), placeholder: TEXT.placeholder,
      });
      const form = h('form', { class: 'glw-form', novalidate: true },
        h('label', { class: 'glw-sr', for: 'glw-input', text: TEXT.input }),
        this.input,
        h('button', { type: 'submit', class: 'glw-send', 'aria-label': TEXT.send, title: TEXT.send }, icon('send')));
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        const text = this.input.value.trim();
        if (!text) return;
        this.input.value = '';
        this.send(text, text);
      });
      return form;
    }

    // --- Darstellung ----------------------------------------------------------------

    /** Privacy notice, greeting and the stored history. */
    renderAll() {
      const notice = h('p', { class: 'glw-notice' }, TEXT.notice(this.config.retentionDays));
      if (this.config.privacyUrl) {
        notice.append(' ', h('a', {
          href: this.config.privacyUrl, class: 'glw-link', target: '_blank', rel: 'noopener noreferrer',
        }, TEXT.privacyLink, h('span', { class: 'glw-sr', text: TEXT.newTab })));
      }
      const greeting = this.renderMessage({
        from: 'bot', text: TEXT.greeting, image: '',
        buttons: SUGGESTIONS.map((q) => ({ title: q, payload: q })),
      }, TEXT.suggestions);
      this.log.replaceChildren(notice, greeting, ...this.state.messages.map((m) => this.renderMessage(m)));
      this.scrollToEnd();
    }

    renderMessage(message, choicesLabel) {
      const bubble = h('div', { class: 'glw-bubble' },
        h('span', { class: 'glw-sr', text: message.from === 'user' ? TEXT.you : TEXT.bot }));
      if (message.from === 'user') bubble.append(message.text);
      else appendLinkified(bubble, message.text);
      const item = h('div', { class: `glw-msg glw-msg-${message.from}` }, bubble);
      const image = message.image && safeUrl(message.image, this.config.serverUrl);
      if (image && /^https?:/.test(image)) {
        item.append(h('img', {
          class: 'glw-image', src: image, alt: TEXT.image, loading: 'lazy', referrerpolicy: 'no-referrer',
        }));
      }
      if (message.buttons.length) {
        const group = h('div', { class: 'glw-choices', role: 'group', 'aria-label': choicesLabel || TEXT.choices });
        for (const button of message.buttons) {
          const el = h('button', { type: 'button', class: 'glw-choice', text: button.title });
          el.addEventListener('click', () => this.send(button.payload, button.title));
          group.append(el);
        }
        item.append(group);
      }
      return item;
    }

    addMessages(messages) {
      const elements = messages.map((m) => this.renderMessage(m));
      this.state.messages.push(...messages);
      this.save();
      this.log.append(...elements);
      return elements;
    }

    scrollToEnd() {
      this.log.scrollTop = this.log.scrollHeight;
    }

    /** Scroll `element` to the top – or to the end if the rest fits below it. */
    scrollToMessage(element) {
      const top = element.offsetTop - 8;
      const bottom = this.log.scrollHeight - this.log.clientHeight;
      this.log.scrollTop = Math.min(top, bottom);
    }

    setPending(delta) {
      this.pending = Math.max(0, this.pending + delta);
      if (this.pending && !this.typing.firstChild) {
        this.typing.append(
          h('span', { class: 'glw-dots', 'aria-hidden': 'true' }, h('span'), h('span'), h('span')),
          h('span', { class: 'glw-sr', text: TEXT.typing }));
      } else if (!this.pending) {
        this.typing.replaceChildren();
      }
      this.typing.classList.toggle('glw-typing-active', this.pending > 0);
    }

    announce(text) {
      this.status.textContent = '';
      setTimeout(() => { this.status.textContent = text; }, 50);
    }

    // --- Gespräch -------------------------------------------------------------------

    /** Send `payload` to the bot; `shown` is what appears as the user's message. */
    send(payload, shown) {
      const generation = this.generation;
      const [question] = this.addMessages([{ from: 'user', text: shown, image: '', buttons: [] }]);
      this.setPending(+1); // before scrolling: the indicator makes the history shorter
      this.scrollToEnd();
      this.queue = this.queue.then(async () => {
        let replies;
        try {
          replies = await this.post(payload);
          if (!replies.length) replies = [{ from: 'error', text: TEXT.noAnswer, image: '', buttons: [] }];
        } catch (_) {
          replies = [{ from: 'error', text: TEXT.unreachable, image: '', buttons: [] }];
        }
        if (generation !== this.generation) return;
        this.setPending(-1);
        this.addMessages(replies);
        this.scrollToMessage(question); // the question and the start of a long answer
      });
    }

    async post(message) {
      const messageId = newMessageId();
      for (let attempt = 0; ; attempt += 1) {
        try {
          return await this.postOnce(message, messageId);
        } catch (error) {
          if (!error.retryable || attempt >= RETRY_DELAYS_MS.length) throw error;
          await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt]));
        }
      }
    }

    async postOnce(message, messageId) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
      try {
        let response;
        try {
          response = await fetch(this.endpoint, {
            method: 'POST',
            mode: 'cors',
            credentials: 'omit',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ sender: this.state.sender, message, message_id: messageId }),
            signal: controller.signal,
          });
        } catch (error) {
          // network failure: worth another try; our own timeout (AbortError) is not
          error.retryable = error.name !== 'AbortError';
          throw error;
        }
        if (!response.ok) {
          const error = new Error(`HTTP ${response.status}`);
          error.retryable = RETRY_STATUS.includes(response.status);
          throw error;
        }
        const data = await response.json();
        if (!Array.isArray(data)) throw new Error('unerwartetes Antwortformat');
        return data.map((m) => cleanMessage({ ...m, from: 'bot' })).filter(Boolean);
      } finally {
        clearTimeout(timer);
      }
    }

    save() {
      saveState(this.state);
    }

    // --- Öffnen, Schließen, Neustart ------------------------------------------------

    isOpen() {
      return !this.panel.hidden;
    }

    open(options = {}) {
      const moveFocus = options.focus !== false;
      this.panel.hidden = false;
      this.root.classList.add('glw-open');
      this.launcher.setAttribute('aria-expanded', 'true');
      this.state.open = true;
      this.save();
      this.scrollToEnd();
      if (moveFocus) this.input.focus();
    }

    close() {
      if (!this.isOpen()) return;
      this.panel.hidden = true;
      this.root.classList.remove('glw-open');
      this.launcher.setAttribute('aria-expanded', 'false');
      this.state.open = false;
      this.save();
      this.launcher.focus();
    }

    /** Forget the conversation: new sender id, empty history. */
    reset() {
      this.generation += 1;
      this.queue = Promise.resolve();
      this.pending = 0;
      this.setPending(0);
      this.state = { ...freshState(), open: this.isOpen() };
      this.save();
      this.renderAll();
      this.input.value = '';
      this.announce(TEXT.resetDone);
      this.input.focus();
    }
  }

  // ---------------------------------------------------------------- Start

  function start() {
    const widget = new ChatWidget(readConfig());
    document.body.append(widget.host);
    if (widget.restored ? widget.state.open : widget.config.startOpen) {
      widget.open({ focus: false }); // never steal the focus while the page loads
    }
    document.addEventListener('click', (event) => {
      const trigger = event.target instanceof Element && event.target.closest('[data-gruendungslotse-open]');
      if (trigger) {
        event.preventDefault();
        widget.open();
      }
    });
    window.Gruendungslotse = {
      open: () => widget.open(),
      close: () => widget.close(),
      reset: () => widget.reset(),
    };
  }

  window.Gruendungslotse = { pending: true };
  if (document.body) start();
  else document.addEventListener('DOMContentLoaded', start, { once: true });
})();
