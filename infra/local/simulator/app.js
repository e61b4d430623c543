// MedBot chat simulator: plays a LINE or Telegram user against the local bot.
// Talks only to /sim/api/* on this server; builds the DOM with textContent so that
// nothing the bot sends is ever interpreted as HTML.
"use strict";

const state = { channel: "line", user: "en", version: null, entries: [], blocked: false };
const $ = (id) => document.getElementById(id);

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

async function api(path, options = {}) {
  const response = await fetch(path, options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

function post(path, body) {
  return api(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ channel: state.channel, user: state.user, ...body }),
  });
}

function time(seconds) {
  return new Date(seconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function hostOf(url) {
  try { return new URL(url, location.href).hostname.replace(/^www\./, ""); } catch { return url; }
}

function openLink(url) {
  window.open(url, "_blank", "noopener");
}

// ---------------------------------------------------------------------------- rendering
function renderText(entry) {
  const text = el("div", "text");
  const segments = entry.segments && entry.segments.length ? entry.segments : [{ text: entry.text }];
  for (const seg of segments) {
    let node;
    if (seg.url) {
      node = el("a", null, seg.text);
      node.href = seg.url;
      node.target = "_blank";
      node.rel = "noopener";
    } else {
      node = el("span", null, seg.text);
    }
    if (seg.b) node.classList.add("bold");
    if (seg.i) node.classList.add("italic");
    text.append(node);
  }
  return text;
}

function renderAudio(entry) {
  const box = el("div", "audio");
  const player = el("audio");
  player.controls = true;
  player.preload = "none";
  player.src = entry.audio_url;
  box.append(player);
  if (entry.duration_ms) box.append(el("span", "meta", `${(entry.duration_ms / 1000).toFixed(1)} s`));
  // What the platform would really show (shared/fakes/platform_rules.py).
  if (entry.as_file) box.append(el("div", "meta", "arrived as a file, not a voice message (over 1 MB)"));
  if (entry.unplayable) box.append(el("div", "meta", "LINE cannot play this file (not m4a)"));
  if (entry.text) box.append(el("div", "text", entry.text));
  return box;
}

function renderCards(entry) {
  const strip = el("div", "cards");
  for (const card of entry.cards) {
    const item = el("article", "card");
    item.append(el("h3", null, card.title || hostOf(card.url)));
    const tappable = (card.links || []).filter((l) => l.component === "text" && l.text);
    if (tappable.length) {
      // A bubble of tappable texts (e.g. Google Search suggestions): each one a link.
      for (const target of tappable) {
        const link = el("button", "link", target.text);
        link.type = "button";
        link.addEventListener("click", () => openLink(target.url));
        item.append(link);
      }
      strip.append(item);
      continue;
    }
    if (card.subtitle) item.append(el("p", null, card.subtitle));
    const link = el("button", "link", hostOf(card.url) || "Open");
    link.type = "button";
    link.addEventListener("click", () => openLink(card.url));
    item.append(link);
    strip.append(item);
  }
  return strip;
}

function tap(entry, index) {
  const button = entry.buttons[index];
  if (button.url) return openLink(button.url);
  post("/sim/api/tap", { entry_id: entry.id, button: index }).then(showWebhook, showError);
}

function renderKeyboard(entry) {
  const keyboard = el("div", "keyboard");
  let row = null;
  let rowIndex = -1;
  entry.buttons.forEach((button, index) => {
    if (button.row !== rowIndex || !row) {
      row = el("div", "keyboard-row");
      keyboard.append(row);
      rowIndex = button.row;
    }
    const key = el("button", button.url ? "key url" : "key", button.label);
    key.type = "button";
    key.addEventListener("click", () => tap(entry, index));
    row.append(key);
  });
  return keyboard;
}

const EVENT_NOTICES = {
  follow: "you added MedBot",
  blocked: "you blocked MedBot",
  unblocked: "you unblocked MedBot",
};

function renderEntry(entry) {
  const item = el("li", `msg ${entry.sender} ${entry.kind}`);
  if (entry.deleted) item.classList.add("deleted");
  if (entry.kind === "tap" && state.channel === "telegram") {
    item.className = "msg notice";
    item.append(el("span", null, `tapped “${entry.text}”`));
    return item;
  }
  if (entry.kind === "event") {
    item.className = "msg notice";
    item.append(el("span", null, EVENT_NOTICES[entry.text] || entry.text));
    return item;
  }
  const bubble = el("div", "bubble");
  if (entry.deleted) bubble.append(el("div", "text meta", "message deleted"));
  else if (entry.kind === "audio") bubble.append(renderAudio(entry));
  else if (entry.kind === "cards") {
    item.classList.add("wide");
    if (entry.alt_text) bubble.append(el("div", "meta", entry.alt_text));
    bubble.append(renderCards(entry));
  } else bubble.append(renderText(entry));
  const meta = el("div", "stamp", `${entry.edited ? "edited · " : ""}${time(entry.at)}`);
  bubble.append(meta);
  item.append(bubble);
  if (!entry.deleted && !entry.quick_reply && entry.buttons.length) item.append(renderKeyboard(entry));
  return item;
}

function renderQuickReplies() {
  // LINE shows only the latest message's quick reply, until the user answers.
  const bar = $("quick-replies");
  bar.replaceChildren();
  const last = state.entries[state.entries.length - 1];
  const show = last && last.sender === "bot" && last.quick_reply && last.buttons.length;
  bar.hidden = !show;
  if (!show) return;
  last.buttons.forEach((button, index) => {
    const chip = el("button", button.url ? "chip url" : "chip", button.label);
    chip.type = "button";
    chip.addEventListener("click", () => tap(last, index));
    bar.append(chip);
  });
}

function renderChat(loading) {
  const chat = $("chat");
  const nearBottom = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 80;
  chat.replaceChildren(...state.entries.map(renderEntry));
  if (loading) {
    const typing = el("li", "msg bot typing");
    const bubble = el("div", "bubble");
    bubble.append(el("span", "dot"), el("span", "dot"), el("span", "dot"));
    typing.append(bubble);
    chat.append(typing);
  }
  renderQuickReplies();
  if (nearBottom) chat.scrollTop = chat.scrollHeight;
}

// ---------------------------------------------------------------------------- polling
let lastLoading = false;

async function pollChat() {
  const query = new URLSearchParams({ channel: state.channel, user: state.user });
  if (state.version !== null) query.set("since", state.version);
  try {
    const data = await api(`/sim/api/chat?${query}`);
    $("status").textContent = "online";
    if (data.blocked !== state.blocked) renderBlocked(Boolean(data.blocked));
    if (!data.unchanged) {
      state.entries = data.entries;
      state.version = data.version;
      renderChat(data.loading);
    } else if (data.loading !== lastLoading) {
      renderChat(data.loading);
    }
    lastLoading = data.loading;
  } catch (error) {
    $("status").textContent = "simulator unreachable";
  }
}

async function pollPanels() {
  try {
    const clock = await api("/sim/api/clock");
    $("clock").textContent = new Date(clock.now).toLocaleString();
    $("clock-hint").textContent = clock.simulated ? "simulated time" : "real time (no simulated clock)";
    for (const b of document.querySelectorAll("[data-advance]")) b.disabled = !clock.controllable;
  } catch { /* next poll */ }
  try {
    const outbox = await api("/sim/api/outbox");
    const list = $("outbox");
    list.replaceChildren(...outbox.messages.slice().reverse().map((mail) => {
      const item = el("li");
      const details = el("details");
      const summary = el("summary");
      summary.append(el("strong", null, mail.subject || "(no subject)"), el("span", "meta", ` → ${mail.to}`));
      details.append(summary, el("pre", null, mail.text));
      item.append(details);
      return item;
    }));
    $("outbox-hint").textContent = !outbox.available ? "no mail sink connected"
      : outbox.messages.length ? "" : "no e-mails yet";
  } catch { /* next poll */ }
}

function showWebhook(result) {
  const text = result.status === null ? `not delivered: ${result.error}`
    : `HTTP ${result.status} in ${result.elapsed_ms} ms${result.slow ? " — over LINE's 2 s limit!" : ""}`;
  $("webhook").textContent = text;
  $("webhook").className = result.status && result.status < 300 && !result.slow ? "ok" : "warn";
  pollChat();
}

function showError(error) {
  $("webhook").textContent = error.message;
  $("webhook").className = "warn";
}

// A chat whose user blocked the bot has no composer: LINE offers "Unblock", Telegram
// "Restart" (which unblocks and sends /start).
function renderBlocked(blocked) {
  state.blocked = blocked;
  const button = $("block");
  button.textContent = blocked ? "Unblock" : "Block";
  button.setAttribute("aria-pressed", String(blocked));
  $("text").disabled = blocked;
  $("text").placeholder = blocked ? "You blocked MedBot" : "Message";
  $("follow").textContent = state.channel === "line" ? (blocked ? "Unblock" : "Add friend")
    : (blocked ? "Restart" : "/start");
}

function toggleBlock() {
  post(state.blocked ? "/sim/api/unblock" : "/sim/api/block", {}).then(showWebhook, showError);
}

// ---------------------------------------------------------------------------- native menus
// LINE: the rich menu the user's app shows (their own, else the default), with its
// areas over the image; Telegram: the menu button and the command list for the app's
// language. Both as the platforms serve them (/sim/api/menu).
const menus = { key: null, richOpen: true };

function renderRichMenu(menu) {
  const box = $("rich-menu");
  box.hidden = !menu;
  if (!menu) return;
  const image = $("rich-menu-image");
  const key = `${menu.id}`;
  if (menus.key !== key) {
    menus.key = key;
    menus.richOpen = menu.selected;
    image.replaceChildren();
    if (menu.image) {
      const img = el("img");
      img.src = menu.image;
      img.alt = menu.name;
      image.append(img);
    }
    menu.areas.forEach((area, index) => {
      const button = el("button", "area");
      button.type = "button";
      const label = area.action.displayText || area.action.label || area.action.text || "";
      button.title = label;
      button.setAttribute("aria-label", label);
      button.style.left = `${(100 * area.x) / menu.width}%`;
      button.style.top = `${(100 * area.y) / menu.height}%`;
      button.style.width = `${(100 * area.width) / menu.width}%`;
      button.style.height = `${(100 * area.height) / menu.height}%`;
      button.addEventListener("click", () => post("/sim/api/menu/tap", { area: index })
        .then(showWebhook, showError));
      image.append(button);
    });
  }
  image.hidden = !menus.richOpen;
  $("rich-menu-bar").textContent = `${menu.chat_bar_text} ${menus.richOpen ? "▾" : "▴"}`;
  $("rich-menu-bar").setAttribute("aria-expanded", String(menus.richOpen));
}

function renderCommands(commands, button) {
  const toggle = $("commands-button");
  const list = $("commands");
  toggle.hidden = button.type !== "commands" || !commands.length;
  if (toggle.hidden) list.hidden = true;
  list.replaceChildren(...commands.map((command) => {
    const item = el("li");
    const pick = el("button");
    pick.type = "button";
    pick.append(el("span", "command", `/${command.command}`),
      el("span", "description", command.description));
    pick.addEventListener("click", () => {
      list.hidden = true;
      toggle.setAttribute("aria-expanded", "false");
      post("/sim/api/menu/tap", { command: command.command }).then(showWebhook, showError);
    });
    item.append(pick);
    return item;
  }));
}

async function pollMenu() {
  const query = new URLSearchParams({ channel: state.channel, user: state.user });
  try {
    const data = await api(`/sim/api/menu?${query}`);
    if (data.channel !== state.channel) return;
    if (data.channel === "line") {
      renderRichMenu(data.rich_menu);
      renderCommands([], { type: "default" });
    } else {
      renderRichMenu(null);
      renderCommands(data.commands, data.menu_button);
    }
  } catch { /* next poll */ }
}

// ---------------------------------------------------------------------------- actions
function switchTo(channel, user) {
  state.channel = channel;
  state.user = user;
  state.version = null;
  state.entries = [];
  document.body.className = channel;
  for (const tab of document.querySelectorAll("[data-channel]")) {
    tab.setAttribute("aria-selected", String(tab.dataset.channel === channel));
  }
  renderBlocked(false);
  renderChat(false);
  pollChat();
  menus.key = null;
  pollMenu();
}

async function sendVoice(file) {
  const form = new FormData();
  form.append("channel", state.channel);
  form.append("user", state.user);
  form.append("file", file, file.name);
  form.append("duration_ms", String(await audioDuration(file)));
  api("/sim/api/audio", { method: "POST", body: form }).then(showWebhook, showError);
}

function audioDuration(file) {
  return new Promise((resolve) => {
    const probe = document.createElement("audio");
    probe.preload = "metadata";
    probe.onloadedmetadata = () => {
      URL.revokeObjectURL(probe.src);
      resolve(Number.isFinite(probe.duration) ? Math.max(1, Math.round(probe.duration * 1000)) : 3000);
    };
    probe.onerror = () => resolve(3000);
    probe.src = URL.createObjectURL(file);
  });
}

async function start() {
  const data = await api("/sim/api/users");
  const select = $("user");
  for (const user of data.users) {
    const option = el("option", null, `${user.name} (${user.language})`);
    option.value = user.key;
    select.append(option);
  }
  select.addEventListener("change", () => switchTo(state.channel, select.value));
  for (const tab of document.querySelectorAll("[data-channel]")) {
    tab.addEventListener("click", () => switchTo(tab.dataset.channel, state.user));
  }
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("text");
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    post("/sim/api/send", { text }).then(showWebhook, showError);
  });
  $("voice").addEventListener("change", (event) => {
    const file = event.target.files[0];
    if (file) sendVoice(file);
    event.target.value = "";
  });
  $("follow").addEventListener("click", () => post("/sim/api/follow", {}).then(showWebhook, showError));
  $("block").addEventListener("click", toggleBlock);
  $("clear").addEventListener("click", () => post("/sim/api/clear", {}).then(() => pollChat()));
  for (const button of document.querySelectorAll("[data-advance]")) {
    button.addEventListener("click", () =>
      post("/sim/api/clock/advance", { seconds: Number(button.dataset.advance) })
        .then(pollPanels, showError));
  }
  $("rich-menu-bar").addEventListener("click", () => {
    menus.richOpen = !menus.richOpen;
    $("rich-menu-image").hidden = !menus.richOpen;
    pollMenu();
  });
  $("commands-button").addEventListener("click", () => {
    const list = $("commands");
    list.hidden = !list.hidden;
    $("commands-button").setAttribute("aria-expanded", String(!list.hidden));
  });
  switchTo("line", select.value);
  setInterval(pollMenu, 3000);
  setInterval(pollChat, 1000);
  setInterval(pollPanels, 3000);
  pollPanels();
}

start().catch((error) => { $("status").textContent = `failed to start: ${error.message}`; });
