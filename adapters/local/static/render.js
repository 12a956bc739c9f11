// Builds the DOM for each kind of stored message. Every word comes from the copy JSON or the message.

export function fmt(template, values = {}) {
  return String(template).replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "data") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// Plain text with `code` spans and one paragraph per line; never HTML from the server.
export function richText(text, cls = "text") {
  const box = el("div", { class: cls });
  for (const line of String(text || "").split("\n")) {
    const p = el("p");
    String(line).split("`").forEach((part, i) => p.append(i % 2 ? el("code", { text: part }) : part));
    box.append(p);
  }
  return box;
}

function clock(iso) {
  const when = new Date(iso);
  return el("time", { datetime: iso, text: when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) });
}

function byline(name, row, cls = "") {
  return el("div", { class: `byline ${cls}` }, el("span", { class: "who", text: name }), clock(row.created_at));
}

function buttons(row, actions, ctx) {
  if (!actions || !actions.length) return null;
  const error = el("p", { class: "field-error action-error", role: "alert", hidden: true });
  return el("div", { class: "actions-wrap" }, el("div", { class: "actions" }, actions.map((action) => el("button", {
    type: "button", class: action.style === "primary" ? "primary" : action.style === "danger" ? "danger" : "",
    text: action.label, data: { action: action.action_id },
    onclick: (event) => ctx.onAction(row, action, event.currentTarget, error),
  }))), error);
}

function facts(list) {
  if (!list || !list.length) return null;
  return el("dl", { class: "facts" }, list.map((f) => [el("dt", { text: f.label }), el("dd", {}, richText(f.value, "value"))]));
}

export function messageCard(row, ctx) {
  const m = row.payload.message;
  return el("div", { class: `card kind-${m.kind}` },
    m.title ? el("p", { class: "title", text: m.title }) : null,
    m.text ? richText(m.text) : null,
    facts(m.facts),
    m.context ? el("p", { class: "context", text: m.context }) : null,
    buttons(row, m.actions, ctx));
}

function field(row, f) {
  const id = `f-${row.message_id}-${f.name}`;
  const notes = f.notes || [];
  const described = [f.hint ? `${id}-hint` : null, f.error ? `${id}-error` : null,
                     notes.length ? `${id}-coach` : null].filter(Boolean).join(" ");
  const common = { id, name: f.name, "aria-describedby": described || null, "aria-invalid": f.error ? "true" : null,
                   "aria-required": f.required ? "true" : null };
  let input;
  if (f.options && f.options.length) {
    input = el("select", common, f.options.map(([value, label]) =>
      el("option", { value, text: label, selected: value === f.value })));
  } else if (f.multiline) {
    input = el("textarea", { ...common, rows: 2, placeholder: f.placeholder || null });
    input.value = f.value || "";
  } else {
    input = el("input", { ...common, type: "text", placeholder: f.placeholder || null, value: f.value || "" });
  }
  return el("div", { class: `field${f.error ? " invalid" : ""}` },
    el("label", { for: id, text: f.label }),
    f.hint ? el("p", { class: "hint", id: `${id}-hint`, text: f.hint }) : null,
    input,
    f.error ? el("p", { class: "field-error", id: `${id}-error`, text: f.error }) : null,
    notes.length ? el("ul", { class: "coach-notes", id: `${id}-coach` }, notes.map((note) => el("li", { text: note }))) : null);
}

export function formCard(row, ctx) {
  const form = row.payload.form;
  if (row.payload.state !== "open") {
    return el("p", { class: "form-sent", text: fmt(ctx.copy.dm.form_sent, { title: form.title }) });
  }
  const node = el("form", { class: "card form", novalidate: true, "aria-label": fmt(ctx.copy.dm.form_label, { title: form.title }),
                            onsubmit: (event) => { event.preventDefault(); ctx.onSubmitForm(row, event.currentTarget); } },
    el("p", { class: "title", text: form.title }),
    form.intro ? richText(form.intro, "text intro") : null,
    form.fields.map((f) => field(row, f)),
    (form.notes || []).map((note) => el("p", { class: "context", text: note })),
    el("div", { class: "actions" }, el("button", { type: "submit", class: "primary", text: form.submit_label })),
    el("p", { class: "field-error submit-error", role: "alert", hidden: true }),
    buttons(row, form.extra_actions, ctx));
  return node;
}

export function dmItem(row, ctx) {
  const mine = row.author !== "gofirst";
  const li = el("li", { class: `msg ${mine ? "mine" : "bot"}`, data: { id: row.message_id, kind: row.kind } });
  li.append(byline(mine ? ctx.copy.dm.you : ctx.copy.dm.bot_name, row));
  if (row.kind === "command") li.append(el("div", { class: "bubble" }, richText(row.payload.text)));
  else if (row.kind === "form") li.append(formCard(row, ctx));
  else li.append(messageCard(row, ctx));
  return li;
}

// The SVG namespace, as the HTML parser assigns it (so no address is spelled out in this file).
const SVG = (() => { const box = document.createElement("div"); box.innerHTML = "<svg></svg>"; return box.firstChild.namespaceURI; })();

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

// A small bar chart drawn inline (no library): replies per week, filled where the leader answered.
// Its summary is the accessible name; the section's lines say the same for everyone.
export function chart(data, ctx, id) {
  const width = 280, height = 110, base = 86, gap = 6;
  const top = Math.max(1, ...data.bars.map((b) => b.value));
  const step = (width - gap) / Math.max(1, data.bars.length);
  const bars = data.bars.map((bar, i) => {
    const h = bar.value ? Math.max(4, Math.round((bar.value / top) * 64)) : 2;
    const x = gap + i * step;
    const state = bar.marked ? ctx.copy.chart.answered : ctx.copy.chart.not_answered;
    return svg("g", { class: `bar${bar.marked ? " marked" : ""}` },
      svg("title", {}, `${bar.label}: ${bar.value} (${bar.note}, ${state})`),
      svg("rect", { x, y: base - h, width: step - gap, height: h, rx: 2 }),
      svg("text", { x: x + (step - gap) / 2, y: base - h - 4, "text-anchor": "middle", class: "value" }, bar.value),
      svg("text", { x: x + (step - gap) / 2, y: base + 16, "text-anchor": "middle" }, bar.label));
  });
  return el("figure", { class: "chart" },
    svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": `${id}-title ${id}-desc` },
      svg("title", { id: `${id}-title` }, data.title), svg("desc", { id: `${id}-desc` }, data.summary),
      svg("line", { x1: 0, y1: base, x2: width, y2: base, class: "axis" }), ...bars),
    el("figcaption", { text: data.title }));
}

export function homeView(row, ctx) {
  const home = row.payload.home;
  return el("div", { class: "home", data: { id: row.message_id } },
    el("h3", { text: home.title }),
    home.sections.map((s, n) => el("section", { class: "card" },
      el("h4", { text: s.title }),
      s.chart ? chart(s.chart, ctx, `chart-${n}`) : null,
      s.lines.map((line) => richText(line)),
      buttons(row, s.actions, ctx))));
}

export function postBody(row, ctx) {
  const sender = row.payload.message && row.payload.message.sender;
  const who = sender ? fmt(ctx.copy.channel.posted_for, { name: sender }) : ctx.copy.channel.posted_by_bot;
  return el("div", { class: "post-body" }, byline(who, row, "bot"), messageCard(row, ctx));
}

export function postItem(row, ctx) {
  const threadId = `thread-${row.message_id}`;
  const inputId = `reply-${row.message_id}`;
  const errorId = `${inputId}-error`;
  const input = el("textarea", { id: inputId, rows: 2, placeholder: ctx.copy.channel.reply_placeholder,
                                 "aria-describedby": errorId });
  const error = el("p", { class: "field-error", id: errorId, hidden: true });
  const label = el("label", { for: inputId, class: "reply-label" });
  const form = el("form", { class: "reply-form", novalidate: true,
                            onsubmit: (event) => { event.preventDefault(); ctx.onReply(row.message_id, input, error); } },
    label, input, error, el("div", { class: "actions" },
      el("button", { type: "submit", class: "primary", text: ctx.copy.channel.reply_send })));
  return el("li", { class: "post", data: { id: row.message_id } },
    postBody(row, ctx),
    el("h3", { class: "thread-title", id: `${threadId}-title`, text: ctx.copy.channel.thread_label }),
    el("ol", { class: "thread", id: threadId, "aria-labelledby": `${threadId}-title` }),
    el("p", { class: "empty no-replies", text: ctx.copy.channel.no_replies }),
    form);
}

export function replyItem(row, ctx) {
  const li = el("li", { class: `reply kind-${row.kind}`, data: { id: row.message_id, author: row.author } });
  if (row.kind !== "reply") {  // GoFirst posting the leader's answer in the thread
    li.append(byline(ctx.nameOf(ctx.leader), row), messageCard(row, ctx));
    return li;
  }
  const body = el("div", { class: "reply-body" }, richText(row.payload.text),
    row.payload.edited ? el("span", { class: "edited", text: ctx.copy.channel.edited }) : null);
  const controls = el("div", { class: "reply-controls", data: { owner: row.author } },
    el("button", { type: "button", class: "link", text: ctx.copy.channel.edit, onclick: () => startEdit(row, li, ctx) }),
    el("button", { type: "button", class: "link danger", text: ctx.copy.channel.delete, onclick: () => ctx.onDelete(row) }));
  li.append(byline(ctx.nameOf(row.author), row), body, controls);
  return li;
}

function editForm(row, ctx, onDone) {
  const id = `edit-${row.message_id}`;
  const input = el("textarea", { id, rows: 2 });
  input.value = row.payload.text;
  const error = el("p", { class: "field-error", id: `${id}-error`, hidden: true });
  input.setAttribute("aria-describedby", error.id);
  const form = el("form", { class: "edit-form", novalidate: true,
                            onsubmit: (event) => { event.preventDefault(); ctx.onEditSave(row, input, error); } },
    el("label", { for: id, text: ctx.copy.channel.edit_label }), input, error,
    el("div", { class: "actions" },
      el("button", { type: "submit", class: "primary", text: ctx.copy.channel.save }),
      el("button", { type: "button", text: ctx.copy.channel.cancel, onclick: onDone })));
  return form;
}

// Editing a reply in place: the form replaces the text until it is saved or cancelled.
export function startEdit(row, li, ctx) {
  const body = li.querySelector(".reply-body");
  const controls = li.querySelector(".reply-controls");
  const form = editForm(row, ctx, () => { form.remove(); body.hidden = false; controls.hidden = false; controls.querySelector("button").focus(); });
  body.hidden = true;
  controls.hidden = true;
  body.after(form);
  form.querySelector("textarea").focus();
}

// A field's error, right under it, and the focus on the field.
export function showFieldError(input, error, text) {
  error.textContent = text;
  error.hidden = false;
  input.setAttribute("aria-invalid", "true");
  input.focus();
}
