// The panes around the conversations: unread markers on the headings, and the admin pane's figures.
import { fmt } from "./render.js";

const $ = (id) => document.getElementById(id);

export function markUnread(copy, name) {
  const badge = $(`${name}-unread`);
  const count = Number(badge.dataset.count || 0) + 1;
  badge.dataset.count = String(count);
  badge.textContent = fmt(copy.unread[count === 1 ? "one" : "other"], { count });
  badge.hidden = false;
}

export function clearUnread(name) {
  const badge = $(`${name}-unread`);
  badge.dataset.count = "0";
  badge.hidden = true;
}

export function renderAdmin(copy, admin) {
  const { campaign, streak } = admin;
  $("admin-campaign").textContent = campaign.name;
  $("admin-state").textContent = copy.admin.states[campaign.state] || campaign.state;
  $("admin-state").dataset.state = campaign.state;
  $("admin-week-nudge").textContent = admin.week_nudge ? (copy.admin.nudge_states[admin.week_nudge] || admin.week_nudge)
    : copy.admin.week_nudge_none;
  $("admin-streak").textContent = fmt(copy.admin.streak_value[streak.current === 1 ? "one" : "other"], streak);
  $("admin-start").disabled = campaign.state === "active";
  $("admin-streak").dataset.current = streak.current;
}
