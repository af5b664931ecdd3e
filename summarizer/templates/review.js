// The gold review page. Article and gold text only ever reach the page as text nodes,
// `value`s and fixed-name attributes, never parsed as HTML: nothing in them can become markup.
// Offsets are code points, as Python counts them; the page converts from UTF-16.
"use strict";
(() => {
  const token = document.querySelector('meta[name="review-token"]').content;
  const $ = (id) => document.getElementById(id);
  let schema = null;
  let listing = [];
  let cur = null;       // the open fixture: {id, file, text, gold, draft, version, errors}
  let cpMap = [0];      // cpMap[code point index] = UTF-16 index
  let accepted = new WeakSet();
  let pending = null;   // the last selection in the article: {start, end, quote}
  let dirty = false;
  const badJson = new Set();

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) node.append(child);
    return node;
  }

  function button(label, onClick, cls) {
    const b = el("button", { type: "button", text: label });
    if (cls) b.className = cls;
    b.addEventListener("click", onClick);
    return b;
  }

  async function api(path, body) {
    const init = { method: body === undefined ? "GET" : "POST", headers: { "X-Review-Token": token } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    let data = {};
    try { data = await response.json(); } catch (e) { data = { errors: ["the server sent no JSON"] }; }
    return { status: response.status, data };
  }

  function showErrors(lines) {
    $("errors").textContent = (lines || []).join("\n");
  }

  function status(text) {
    $("status").textContent = text;
  }

  function touched() {
    dirty = true;
    status("Unsaved edits.");
  }

  // -- offsets -------------------------------------------------------------------------------

  function buildMap(text) {
    const map = [0];
    let i = 0;
    for (const ch of text) { i += ch.length; map.push(i); }
    return map;
  }

  function toCp(u16) {
    let lo = 0, hi = cpMap.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (cpMap[mid] === u16) return mid;
      if (cpMap[mid] < u16) lo = mid + 1; else hi = mid - 1;
    }
    return -1;
  }

  function selectionInArticle() {
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0) return null;
    const range = sel.getRangeAt(0);
    const article = $("article");
    if (range.collapsed || !article.contains(range.startContainer) || !article.contains(range.endContainer)) return null;
    const before = document.createRange();
    before.setStart(article, 0);
    before.setEnd(range.startContainer, range.startOffset);
    const quote = range.toString();
    const start = toCp(before.toString().length);
    const end = toCp(before.toString().length + quote.length);
    if (start < 0 || end < 0) return null;
    return { start, end, quote };
  }

  document.addEventListener("selectionchange", () => {
    const found = selectionInArticle();
    if (!found) return;
    pending = found;
    $("selection").textContent = `Selected: “${found.quote}” (chars ${found.start}-${found.end})`;
  });

  // -- the gold, walked by the schema ----------------------------------------------------------

  function evidenceIn(value, spec, out) {
    if (value === null || value === undefined) return;
    if (spec.type === "evidence") out.push(value);
    else if (spec.type === "object") for (const f of spec.fields) evidenceIn(value[f.name], f, out);
    else if (spec.type === "list" && Array.isArray(value)) for (const v of value) evidenceIn(v, spec.of, out);
  }

  function items() {
    const all = [];
    for (const list of schema.lists) {
      const entries = cur.gold[list.name] || [];
      entries.forEach((item, i) => all.push({ list, item, index: i, label: `${list.short}${i + 1}` }));
    }
    return all;
  }

  function renderArticle() {
    const text = cur.text;
    const marks = [];
    for (const entry of items()) {
      const found = [];
      evidenceIn(entry.item, { type: "object", fields: entry.list.fields }, found);
      for (const ev of found) {
        if (Number.isInteger(ev.start) && Number.isInteger(ev.end) && ev.start >= 0 && ev.start < ev.end && ev.end < cpMap.length) {
          marks.push({ start: ev.start, end: ev.end, label: entry.label });
        }
      }
    }
    const cuts = new Set([0, cpMap.length - 1]);
    for (const m of marks) { cuts.add(m.start); cuts.add(m.end); }
    const points = [...cuts].sort((a, b) => a - b);
    const article = $("article");
    article.replaceChildren();
    for (let k = 0; k + 1 < points.length; k++) {
      const a = points[k], b = points[k + 1];
      const piece = text.slice(cpMap[a], cpMap[b]);
      const active = marks.filter((m) => m.start <= a && m.end >= b);
      if (active.length === 0) { article.append(piece); continue; }
      const span = el("span", { class: `hl d${Math.min(active.length, 3)}`, title: active.map((m) => m.label).join(" ") }, piece);
      const starting = active.filter((m) => m.start === a).map((m) => m.label);
      if (starting.length) span.setAttribute("data-tag", [...new Set(starting)].join(" "));
      span.addEventListener("click", () => {
        const card = document.querySelector(`[data-label="${active[0].label}"]`);
        if (card) { card.scrollIntoView({ block: "center" }); card.classList.add("flash"); setTimeout(() => card.classList.remove("flash"), 1200); }
      });
      article.append(span);
    }
  }

  // -- editors ----------------------------------------------------------------------------------

  function blankOf(spec) {
    if (spec.type === "object") return structuredClone(spec.blank);
    if (spec.type === "alt" || spec.type === "text") return "";
    if (spec.type === "enum") return spec.choices[0];
    if (spec.type === "bool") return false;
    if (spec.type === "list") return [];
    return null;
  }

  function alts(value) {
    if (value && typeof value === "object" && Array.isArray(value.any_of)) return [...value.any_of];
    return [value === null || value === undefined ? "" : String(value)];
  }

  function fromAlts(list, nullable) {
    const kept = list.filter((s) => s.trim() !== "");
    if (kept.length === 0) return nullable ? null : "";
    return kept.length === 1 ? kept[0] : { any_of: kept };
  }

  function evidenceView(ev) {
    return el("span", { class: "ev" }, el("span", { class: "quote", text: ev.quote }),
      el("span", { class: "muted", text: ` (chars ${ev.start}-${ev.end})` }));
  }

  async function fromSelection() {
    if (!pending) { showErrors(["Select the words in the article first, then press the button."]); return null; }
    const r = await api("/api/evidence", { id: cur.id, ...pending });
    if (r.status !== 200) { showErrors(r.data.errors); return null; }
    showErrors([]);
    return r.data.evidence;
  }

  // An editor for one value: `get` reads it, `set` writes it back into the gold.
  function editor(spec, get, set, path) {
    const value = get();
    const box = el("div", { class: "editor", "data-field": path });
    if (spec.type === "text" || spec.type === "int" || spec.type === "date") {
      const input = el("input", { type: spec.type === "int" ? "number" : "text" });
      if (spec.type === "date") input.setAttribute("placeholder", "YYYY-MM-DD");
      input.value = value === null || value === undefined ? "" : String(value);
      input.addEventListener("input", () => {
        const v = input.value;
        if (v === "" && spec.nullable) set(null);
        else set(spec.type === "int" ? Number.parseInt(v, 10) : v);
        touched();
      });
      box.append(input);
    } else if (spec.type === "bool") {
      const input = el("input", { type: "checkbox" });
      input.checked = Boolean(value);
      input.addEventListener("change", () => { set(input.checked); touched(); });
      box.append(input);
    } else if (spec.type === "enum") {
      const select = el("select");
      if (spec.nullable) select.append(el("option", { value: "", text: "(none)" }));
      for (const c of spec.choices) select.append(el("option", { value: c, text: c }));
      select.value = value === null || value === undefined ? "" : String(value);
      select.addEventListener("change", () => { set(select.value === "" ? null : select.value); touched(); });
      box.append(select);
    } else if (spec.type === "alt") {
      const list = alts(value);
      const redraw = () => box.replaceWith(editor(spec, get, set, path));
      list.forEach((text, i) => {
        const input = el("input", { type: "text" });
        input.value = text;
        input.addEventListener("input", () => { list[i] = input.value; set(fromAlts(list, spec.nullable)); touched(); });
        const row = el("div", { class: "alt" }, input);
        if (list.length > 1) row.append(button("×", () => { list.splice(i, 1); set(fromAlts(list, spec.nullable)); touched(); redraw(); }, "small remove-alt"));
        if (i === list.length - 1) {
          const add = button("+ or", () => { list.push(""); set(fromAlts(list, spec.nullable)); redraw(); }, "small add-alt");
          add.setAttribute("title", "add an acceptable alternative (any_of)");
          row.append(add);
        }
        box.append(row);
      });
    } else if (spec.type === "object") {
      if (value === null || value === undefined) {
        box.append(button(`+ ${path.split(".").pop()}`, () => { set(blankOf(spec)); touched(); render(); }, "add-object"));
      } else {
        const fs = el("fieldset");
        for (const f of spec.fields) fs.append(fieldRow(f, value, `${path}.${f.name}`));
        if (spec.nullable) fs.append(button("remove", () => { set(null); touched(); render(); }, "remove-object"));
        box.append(fs);
      }
    } else if (spec.type === "evidence") {
      if (value === null || value === undefined) {
        box.append(button("+ evidence from selection", async () => {
          const ev = await fromSelection();
          if (ev) { set(ev); touched(); render(); }
        }, "add-evidence"));
      } else {
        box.append(evidenceView(value));
        if (spec.nullable) box.append(button("×", () => { set(null); touched(); render(); }, "remove-evidence"));
      }
    } else if (spec.type === "list") {
      const list = Array.isArray(value) ? value : [];
      if (!Array.isArray(value)) set(list);
      list.forEach((entry, i) => {
        const row = el("div", { class: "entry" },
          editor(spec.of, () => list[i], (v) => { list[i] = v; }, `${path}[${i}]`));
        row.append(button("×", () => { list.splice(i, 1); touched(); render(); }, spec.of.type === "evidence" ? "remove-evidence" : "remove-entry"));
        box.append(row);
      });
      if (spec.of.type === "evidence") {
        box.append(button("+ evidence from selection", async () => {
          const ev = await fromSelection();
          if (ev) { list.push(ev); touched(); render(); }
        }, "add-evidence"));
      } else {
        box.append(button("+ add", () => { list.push(blankOf(spec.of)); touched(); render(); }, "add-entry"));
      }
    } else {
      const area = el("textarea");
      area.value = JSON.stringify(value === undefined ? null : value, null, 1);
      area.addEventListener("input", () => {
        try { set(JSON.parse(area.value)); area.classList.remove("invalid"); badJson.delete(path); } catch (e) { area.classList.add("invalid"); badJson.add(path); }
        touched();
      });
      box.append(area);
    }
    return box;
  }

  function fieldRow(spec, holder, path) {
    return el("div", { class: "field" }, el("span", { class: "name", text: spec.name }),
      editor(spec, () => holder[spec.name], (v) => { holder[spec.name] = v; }, path));
  }

  // -- items ------------------------------------------------------------------------------------

  function renderItems() {
    const top = $("top");
    top.replaceChildren();
    const summary = el("textarea", { "data-field": "summary" });
    summary.value = cur.gold.summary || "";
    summary.addEventListener("input", () => { cur.gold.summary = summary.value; touched(); });
    top.append(el("div", { class: "field" }, el("span", { class: "name", text: "summary" }), summary));
    const box = $("items");
    box.replaceChildren();
    for (const list of schema.lists) {
      const entries = cur.gold[list.name] || (cur.gold[list.name] = []);
      box.append(el("h3", { text: `${list.heading} (${entries.length})` }));
      entries.forEach((item, i) => {
        const label = `${list.short}${i + 1}`;
        const card = el("div", { class: "item", "data-item": `${list.name}/${i}`, "data-label": label });
        if (accepted.has(item)) card.classList.add("accepted");
        const head = el("header", {}, el("span", { class: "label", text: label }));
        head.append(button(accepted.has(item) ? "accepted ✓" : "accept", () => {
          if (accepted.has(item)) accepted.delete(item); else accepted.add(item);
          render();
        }, "accept"));
        head.append(button("delete", () => { entries.splice(i, 1); touched(); render(); }, "delete"));
        card.append(head);
        for (const f of list.fields) card.append(fieldRow(f, item, f.name));
        box.append(card);
      });
      box.append(button(`+ ${list.heading.toLowerCase().replace(/s$/, "")}`, () => {
        const item = structuredClone(list.blank);
        accepted.add(item);  // a person's own item needs no second look
        entries.push(item);
        touched();
        render();
      }, `add-item add-${list.name}`));
    }
    const all = items();
    const done = all.filter((e) => accepted.has(e.item)).length;
    $("accepted").textContent = `${done} of ${all.length} items accepted`;
    $("save-reviewed").disabled = done < all.length;
    $("save-draft").hidden = !cur.draft;
  }

  function render() {
    renderArticle();
    renderItems();
  }

  // -- fixtures ---------------------------------------------------------------------------------

  function renderIndex() {
    const nav = $("fixtures");
    nav.replaceChildren();
    if (listing.length < 2) return;
    for (const entry of listing) {
      const b = button(entry.id, () => open(entry.id));
      if (entry.status === "draft") b.classList.add("draft");
      if (cur && entry.id === cur.id) b.classList.add("current");
      nav.append(b);
    }
  }

  async function open(id) {
    if (dirty && !window.confirm("Discard the unsaved edits of this fixture?")) return;
    const r = await api(`/api/fixture?id=${encodeURIComponent(id)}`);
    if (r.status !== 200) { showErrors(r.data.errors); return; }
    cur = r.data;
    cpMap = buildMap(cur.text);
    accepted = new WeakSet();
    pending = null;
    dirty = false;
    badJson.clear();
    if (!cur.draft) for (const e of items()) accepted.add(e.item);
    $("title").textContent = cur.title || cur.id;
    $("meta").textContent = `${cur.file}${cur.published ? ` · published ${cur.published}` : ""}${cur.draft ? " · draft" : ""}`;
    showErrors(cur.errors);
    status("");
    renderIndex();
    render();
  }

  async function save(reviewed) {
    if (badJson.size) { showErrors([`Fix the JSON in ${[...badJson].join(", ")} first.`]); return; }
    const positions = items().filter((e) => accepted.has(e.item)).map((e) => `${e.list.name}/${e.index}`);
    const r = await api("/api/save", { id: cur.id, version: cur.version, gold: cur.gold, reviewed });
    if (r.status !== 200) { showErrors(r.data.errors); status("Not saved."); return; }
    cur.version = r.data.version;
    cur.gold = r.data.gold;
    cur.draft = !reviewed;
    accepted = new WeakSet();
    for (const e of items()) if (positions.includes(`${e.list.name}/${e.index}`)) accepted.add(e.item);
    dirty = false;
    showErrors([]);
    const entry = listing.find((x) => x.id === cur.id);
    if (entry) entry.status = reviewed ? "reviewed" : "draft";
    renderIndex();
    render();
    status(`Saved ${reviewed ? "as reviewed" : "as a draft"}: ${r.data.file}`);
  }

  async function start() {
    $("save-draft").addEventListener("click", () => save(false));
    $("save-reviewed").addEventListener("click", () => save(true));
    const r = await api("/api/fixtures");
    if (r.status !== 200) { showErrors(r.data.errors); return; }
    schema = r.data.schema;
    listing = r.data.fixtures;
    await open(listing[0].id);
    document.body.setAttribute("data-ready", "1");
  }

  start();
})();
