// Spyglass UI behaviour: tree collapse/expand, live trace rows, confirm buttons. Plain DOM, no dependencies.
// Rows come from the server already escaped (a same-origin HTML fragment); nothing here builds markup from data.
"use strict";

document.addEventListener("click", (event) => {
  const target = event.target instanceof Element ? event.target.closest("[data-tree]") : null;
  if (target) {
    const open = target.getAttribute("data-tree") === "expand";
    document.querySelectorAll("ul.tree details").forEach((d) => { d.open = open; });
  }
  const confirmer = event.target instanceof Element ? event.target.closest("[data-confirm]") : null;
  if (confirmer && !window.confirm(confirmer.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});

// The filter form keeps the URL short: empty fields are left out, so a shared link holds only what is set.
document.querySelectorAll("form.filters").forEach((form) => {
  form.addEventListener("submit", () => {
    form.querySelectorAll("input, select").forEach((field) => {
      if (field.name && field.value === "" && !(field.type === "checkbox")) field.disabled = true;
      if (field.name === "range" && field.value === "all") field.disabled = true;
      if (field.name === "sort" && field.value === "timestamp") field.disabled = true;
      if (field.name === "order" && field.value === "desc") field.disabled = true;
      if (field.name === "limit" && field.value === "50") field.disabled = true;
    });
  });
});

// Live refresh: on the first page, fetch the rows again every few seconds and swap them in when they changed.
(function liveRows() {
  const table = document.querySelector("table[data-live-url]");
  const toggle = document.getElementById("live");
  if (!table || !toggle) return;
  const body = table.querySelector("tbody");
  const url = table.getAttribute("data-live-url");
  const seen = () => new Set(Array.from(body.querySelectorAll("tr[data-trace-id]")).map((r) => r.dataset.traceId));
  async function refresh() {
    if (!toggle.checked || document.hidden) return;
    try {
      const response = await fetch(url, { headers: { "X-Fragment": "rows" }, credentials: "same-origin" });
      if (!response.ok) return;
      const html = await response.text();
      const before = seen();
      const template = document.createElement("template");
      template.innerHTML = html;
      const rows = template.content.querySelectorAll("tr");
      const changed = rows.length !== body.children.length ||
        Array.from(rows).some((row, i) => !body.children[i] || body.children[i].dataset.traceId !== row.dataset.traceId);
      if (!changed) return;
      rows.forEach((row) => { if (row.dataset.traceId && !before.has(row.dataset.traceId)) row.classList.add("fresh"); });
      body.replaceChildren(...template.content.childNodes);
    } catch (_) { /* offline for a moment: try again next tick */ }
  }
  setInterval(refresh, Number(table.dataset.liveMs || 3000));
})();

// The prompt form shows the text box or the message rows, as the chosen type asks (without script, both show).
document.querySelectorAll("form.prompt-form").forEach((form) => {
  const show = () => {
    const chosen = form.querySelector("input[name=type]:checked");
    form.classList.toggle("is-chat", chosen !== null && chosen.value === "chat");
    form.classList.toggle("is-text", chosen === null || chosen.value !== "chat");
  };
  form.querySelectorAll("input[name=type]").forEach((radio) => radio.addEventListener("change", show));
  show();
});
