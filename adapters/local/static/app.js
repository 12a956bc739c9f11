// The playground page: loads the state, follows the live stream, and turns clicks into API calls.
import { clearUnread, markUnread, renderAdmin } from "./panes.js";
import { dmItem, fmt, homeView, postBody, postItem, replyItem, showFieldError } from "./render.js";

const copy = JSON.parse(document.getElementById("copy").textContent);
const config = JSON.parse(document.getElementById("config").textContent);
const $ = (id) => document.getElementById(id);
const rows = new Map();
let people = [];
let focusNextForm = false;
let loading = false;  // while the history loads, new rows neither scroll nor count as unread
const SETTLING = new Set(["share.post", "share.withdraw", "nudge.share", "nudge.snooze", "nudge.skip",
                          "nudge.optout", "privacy.erase"]);  // their message is rewritten once done

const ctx = {
  copy, leader: config.leader,
  nameOf: (id) => (people.find((p) => p.id === id) || { name: id }).name,
  onAction, onSubmitForm, onReply, onEditSave, onDelete,
};

async function call(path, body) {
  try {
    const response = await fetch(`${config.api}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { "Content-Type": "application/json", "X-GoFirst-CSRF": config.csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, data: await response.json() };
  } catch (error) {
    return { status: 0, data: { error: copy.errors.offline } };
  }
}

function alertError(result, where = $("dm-alert")) {
  if (result.status < 400 && result.status !== 0) return false;
  where.textContent = fmt(copy.errors.request_failed, { error: result.data.error || result.status });
  where.hidden = false;
  return true;
}

// --- placing rows -----------------------------------------------------------------------------
function upsert(row) {
  rows.set(row.message_id, row);
  if (row.conversation === `dm:${config.leader}`) placeDm(row, "dm-log", "dm-empty", "dm-pane");
  else if (row.conversation === `dm:${replyAs()}`) placeDm(row, "mate-log", "mate-empty", "mate-pane");
  else if (row.conversation === `home:${config.leader}`) $("home-view").replaceChildren(homeView(row, ctx));
  else if (row.conversation === `channel:${config.channel}`) placeChannel(row);
  if (!loading && row.author === "gofirst" && row.kind === "erased") loadState();  // their data is gone
}

// A new message scrolls into view and, in a pane the person isn't in, shows as unread.
function arrived(node, pane) {
  if (loading) return;
  node.scrollIntoView({ block: "nearest" });
  if (!$(pane).contains(document.activeElement)) markUnread(copy, pane.split("-")[0]);
}

function placeDm(row, logId, emptyId, pane) {
  const log = $(logId);
  const node = dmItem(row, ctx);
  const old = log.querySelector(`:scope > [data-id="${row.message_id}"]`);
  if (old) old.replaceWith(node); else log.append(node);
  $(emptyId).hidden = true;
  const firstBad = node.querySelector("[aria-invalid=true]");
  if (old && firstBad) firstBad.focus();
  else if (row.kind === "form" && row.payload.state === "open" && focusNextForm) {
    focusNextForm = false;  // the form the person asked for gets the focus, new or shown again
    node.scrollIntoView({ block: "nearest" });
    node.querySelector("textarea, input, select")?.focus();
  }
  if (!old) arrived(node, pane);
}

function placeChannel(row) {
  const log = $("channel-log");
  if (!row.thread_id) {
    const old = log.querySelector(`:scope > [data-id="${row.message_id}"]`);
    if (old) old.querySelector(".post-body").replaceWith(postBody(row, ctx));
    else { const node = postItem(row, ctx); log.append(node); arrived(node, "channel-pane"); }
    $("channel-empty").hidden = true;
    refreshReplyLabels();
    return;
  }
  const thread = $(`thread-${row.thread_id}`);
  if (!thread) return;
  const node = replyItem(row, ctx);
  const old = thread.querySelector(`[data-id="${row.message_id}"]`);
  if (old) old.replaceWith(node); else { thread.append(node); arrived(node, "channel-pane"); }
  refreshThread(thread);
}

function remove(messageId) {
  const row = rows.get(messageId);
  rows.delete(messageId);
  const node = document.querySelector(`[data-id="${messageId}"]`);
  if (node) node.remove();
  if (row && row.thread_id) refreshThread($(`thread-${row.thread_id}`));
}

function refreshThread(thread) {
  if (!thread) return;
  thread.parentElement.querySelector(".no-replies").hidden = thread.children.length > 0;
  refreshOwnership();
}

function replyAs() { return $("reply-as").value; }

function refreshOwnership() {
  for (const controls of document.querySelectorAll(".reply-controls")) controls.hidden = controls.dataset.owner !== replyAs();
}

function refreshReplyLabels() {
  const name = ctx.nameOf(replyAs());
  const label = fmt(copy.channel.reply_label, { name });
  for (const node of document.querySelectorAll(".reply-label")) node.textContent = label;
  $("mate-title").textContent = fmt(copy.channel.mate_title, { name });
  $("mate-label").textContent = fmt(copy.channel.mate_command_label, { name });
  refreshOwnership();
}

// The chosen teammate's own DM with GoFirst, shown under the channel.
function showMate() {
  $("mate-log").replaceChildren();
  loading = true;  // what was there already isn't news
  for (const row of rows.values()) if (row.conversation === `dm:${replyAs()}`) placeDm(row, "mate-log", "mate-empty", "mate-pane");
  loading = false;
  $("mate-empty").hidden = $("mate-log").children.length > 0;
}

// Who acts on a message: the owner of a DM, the chosen teammate in the channel.
function actorOf(row) {
  return row.conversation.startsWith("dm:") ? row.conversation.slice(3) : row.conversation.startsWith("channel:") ? replyAs() : config.leader;
}

// --- admin pane ---------------------------------------------------------------------------------
async function adminAction(path) {
  const result = await call(`/admin/${path}`, {});
  const notice = $("admin-notice");
  notice.textContent = result.data.notice || fmt(copy.errors.request_failed, { error: result.data.error || result.status });
  notice.dataset.tone = result.status >= 400 || result.status === 0 ? "warn" : result.data.changed ? "ok" : "info";
  if (result.data.admin) renderAdmin(copy, result.data.admin);
}

// --- actions from the page ------------------------------------------------------------------------
// A button is disabled while its click is handled (a double click is one click); one whose message
// is about to be rewritten stays disabled, out of the tab order, until it is. Errors show beside it.
async function onAction(row, action, button, error) {
  if (button.disabled) return;
  error.hidden = true;
  focusNextForm = true;
  button.disabled = true;
  const result = await call("/action", { user: actorOf(row), message_id: row.message_id,
                                          action_id: action.action_id, value: action.value });
  const failed = result.status >= 400 || result.status === 0;
  if (button.isConnected && (failed || !SETTLING.has(action.action_id))) button.disabled = false;
  if (failed) { error.textContent = fmt(copy.errors.request_failed, { error: result.data.error || result.status }); error.hidden = false; }
}

async function onSubmitForm(row, formNode) {
  const submit = formNode.querySelector("button[type=submit]");
  const error = formNode.querySelector(".submit-error");
  if (submit.disabled) return;
  const values = {};
  for (const input of formNode.querySelectorAll("input, textarea, select")) values[input.name] = input.value;
  submit.disabled = true;
  error.hidden = true;
  const result = await call("/form", { user: actorOf(row), message_id: row.message_id, values });
  if ((result.status === 422 || result.data.coached) && result.data.message) { upsert(result.data.message); return; }
  if (submit.isConnected) submit.disabled = false;
  if (result.status >= 400 || result.status === 0) {
    error.textContent = fmt(copy.errors.request_failed, { error: result.data.error || result.status });
    error.hidden = false;
  }
}

// One request id per reply typed, kept until it is stored: a double click or a retry sends it once.
async function onReply(threadId, input, error) {
  error.hidden = true;
  if (!input.value.trim()) { showFieldError(input, error, copy.channel.reply_empty); return; }
  input.dataset.requestId = input.dataset.requestId || crypto.randomUUID();
  const result = await call("/replies", { user: replyAs(), thread_id: threadId, text: input.value,
                                           request_id: input.dataset.requestId });
  if (result.status === 201) {
    input.value = ""; delete input.dataset.requestId; upsert(result.data.message); input.removeAttribute("aria-invalid");
  } else showFieldError(input, error, result.data.error || copy.errors.offline);
}

async function onEditSave(row, input, error) {
  if (!input.value.trim()) { showFieldError(input, error, copy.channel.reply_empty); return; }
  const result = await call("/replies/edit", { user: row.author, message_id: row.message_id, text: input.value });
  if (result.status >= 400 || result.status === 0) showFieldError(input, error, result.data.error || copy.errors.offline);
}

async function onDelete(row) {
  const result = await call("/replies/delete", { user: row.author, message_id: row.message_id });
  if (result.status === 200) remove(row.message_id); else alertError(result, $("channel-alert"));
}

// --- state and the live stream --------------------------------------------------------------------
async function loadState() {
  const result = await call("/state");
  if (alertError(result)) return;
  const state = result.data;
  people = state.people;
  const picker = $("reply-as");
  const chosen = picker.value;
  picker.replaceChildren(...people.filter((p) => p.role !== "admin").map((p) => {
    const option = document.createElement("option");
    option.value = p.id;
    option.textContent = p.role === "leader" ? `${p.name} ${copy.channel.leader_suffix}` : p.name;
    return option;
  }));
  $("admin-people").replaceChildren(...people.map((p) => {
    const item = document.createElement("li");
    item.textContent = fmt(copy.admin.person_line, { name: p.name, role: copy.admin.roles[p.role] || p.role, tz: p.tz });
    return item;
  }));
  picker.value = chosen || (people.find((p) => p.role === "member") || people[0]).id;
  rows.clear();
  loading = true;
  $("dm-log").replaceChildren();
  $("channel-log").replaceChildren();
  $("mate-log").replaceChildren();
  state.messages.forEach(upsert);
  loading = false;
  $("dm-empty").hidden = $("dm-log").children.length > 0;
  $("channel-empty").hidden = $("channel-log").children.length > 0;
  $("mate-empty").hidden = $("mate-log").children.length > 0;
  refreshReplyLabels();
  renderAdmin(copy, state.admin);
}

function connect() {
  const source = new EventSource(`${config.api}/events`);
  const live = (on) => { document.body.dataset.live = on ? "on" : "off"; $("live").textContent = on ? copy.page.live_on : copy.page.live_off; };
  source.addEventListener("ready", async () => { await loadState(); live(true); });
  source.onmessage = (event) => {
    const item = JSON.parse(event.data);
    if (item.type === "message") upsert(item.message);
    else if (item.type === "deleted") remove(item.message_id);
    else if (item.type === "admin") renderAdmin(copy, item.admin);
  };
  source.onerror = () => live(false);
}

function selectTab(tab) {
  for (const other of document.querySelectorAll("[role=tab]")) {
    const on = other === tab;
    other.setAttribute("aria-selected", String(on));
    other.tabIndex = on ? 0 : -1;
    $(other.getAttribute("aria-controls")).hidden = !on;
  }
  tab.focus();
  if (tab.id === "tab-home") call("/home", { user: config.leader }).then((r) => alertError(r));
}

// A command box (Alex's, or the chosen teammate's): what they type goes to GoFirst as them.
function composer(name, userOf) {
  $(`${name}-form`).addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $(`${name}-input`);
    const error = $(`${name}-error`);
    error.hidden = true;
    input.removeAttribute("aria-invalid");
    if (!input.value.trim()) { showFieldError(input, error, copy.dm.command_empty); return; }
    focusNextForm = true;
    const result = await call("/command", { user: userOf(), text: input.value });
    if (result.status === 200) input.value = ""; else showFieldError(input, error, result.data.error || copy.errors.offline);
  });
}

function wire() {
  const tabs = [...document.querySelectorAll("[role=tab]")];
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => selectTab(tab));
    tab.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (step) selectTab(tabs[(i + step + tabs.length) % tabs.length]);
    });
  });
  composer("command", () => config.leader);
  $("reply-as").addEventListener("change", () => { refreshReplyLabels(); showMate(); });
  composer("mate", replyAs);
  for (const [name, region] of [["dm", $("dm-pane")], ["channel", $("channel-pane")], ["mate", $("mate-pane")]]) {
    region.addEventListener("focusin", () => clearUnread(name));
    for (const kind of ["pointerdown", "change"]) region.addEventListener(kind, () => clearUnread(name));
  }
  $("admin-start").addEventListener("click", () => adminAction("start"));
  $("admin-nudge").addEventListener("click", () => adminAction("nudge"));
  $("admin-digest").addEventListener("click", () => adminAction("digest"));
}

wire();
connect();
