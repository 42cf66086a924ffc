// memviz stepper: the recorded trace arrives once; stepping, Play and the live equations
// happen here in the browser. The chosen step and unit go back to Python (debounced) so the
// URL follows; the display never waits for a rerun. Every word drawn here comes from Python
// (data.labels, in the session's language), and so does every data colour it paints (data.scales,
// data.colors, data.mark: memviz.plotting's table): none is written in this file.

const REPORT_MS = 300;
// text painted on the canvases, in CSS px: the page's small print, and a projector's (lecturer
// mode), which must read from the back row like the rest of the stepper (stepper.css .big)
const TICK_PX = 11;
const PROJECTOR_PX = 18;

function tickPx(S) {
  return S.data.lecturer ? PROJECTOR_PX : TICK_PX;
}

function decode(b64, T, H) {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let k = 0; k < bin.length; k++) bytes[k] = bin.charCodeAt(k);
  return new Float32Array(bytes.buffer); // row-major (T, H)
}

function hexToRgb(c) {
  if (c.startsWith("rgb")) return c.match(/\d+/g).map(Number);
  const n = parseInt(c.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function colormap(stops) {
  const rgb = stops.map(hexToRgb);
  const lut = new Uint8ClampedArray(256 * 3);
  for (let k = 0; k < 256; k++) {
    const u = (k / 255) * (rgb.length - 1);
    const a = Math.min(Math.floor(u), rgb.length - 2);
    const w = u - a;
    for (let c = 0; c < 3; c++) lut[3 * k + c] = rgb[a][c] * (1 - w) + rgb[a + 1][c] * w;
  }
  return lut;
}

function fmt(v, paren) {
  if (!Number.isFinite(v)) return v < 0 ? "−∞" : v > 0 ? "∞" : "–"; // a masked score is −∞
  const s = v.toFixed(3);
  return paren && v < 0 ? `(${s})` : s;
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
}

function el(tag, cls, parent, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

function build(root) {
  const S = { t: null, unit: null, playing: false, frames: 0, id: null, timer: null };
  const box = el("div", "mv", root);
  box.tabIndex = 0;
  S.box = box;
  const bar = el("div", "bar", box);
  S.first = el("button", "", bar, "|◀");
  S.prev = el("button", "", bar, "◀");
  S.play = el("button", "play", bar);
  S.next = el("button", "", bar, "▶");
  S.last = el("button", "", bar, "▶|");
  S.range = el("input", "", bar);
  S.range.type = "range";
  S.range.dataset.testid = "stepper-range";
  S.stepLabel = el("span", "step", bar);
  S.unitLabel = el("label", "", bar);
  S.unitInput = el("input", "", bar);
  S.unitInput.type = "number";
  S.speedLabel = el("label", "", bar);
  S.speed = el("select", "", bar);
  for (const fps of [2, 5, 10, 20, 30]) el("option", "", S.speed).value = String(fps);
  S.speed.value = "10";
  const grid = el("div", "grid", box);
  const left = el("div", "", grid);
  S.heatTitle = el("div", "panel-title", left);
  S.heatBox = el("div", "", left);
  S.axis = el("canvas", "", left);
  // the axis title on its own line under the ticks: painted on their row it ran into the last
  S.axisTitle = el("div", "axis-title", left);
  S.hint = el("div", "hint", left);
  const right = el("div", "", grid);
  S.eqTitle = el("div", "panel-title", right);
  S.eqBox = el("div", "", right);
  S.lineTitle = el("div", "panel-title", right);
  S.lines = el("canvas", "", right);
  S.legend = el("div", "legend", right);
  wire(S);
  return S;
}

function wire(S) {
  S.first.onclick = () => { stop(S); go(S, 1); };
  S.prev.onclick = () => { stop(S); go(S, S.t - 1); };
  S.next.onclick = () => { stop(S); go(S, S.t + 1); };
  S.last.onclick = () => { stop(S); go(S, S.T); };
  S.play.onclick = () => (S.playing ? stop(S) : start(S));
  S.range.oninput = () => { stop(S); go(S, Number(S.range.value)); };
  S.unitInput.onchange = () => { go(S, S.t, Number(S.unitInput.value) - S.base); };
  S.box.addEventListener("keydown", (e) => {
    if (e.target === S.unitInput || e.target === S.speed) return;
    const moves = { ArrowRight: S.t + 1, ArrowLeft: S.t - 1, Home: 1, End: S.T,
                    ArrowUp: S.t + 1, ArrowDown: S.t - 1 };
    if (e.key === " ") { e.preventDefault(); return S.playing ? stop(S) : start(S); }
    if (!(e.key in moves)) return;
    e.preventDefault(); // the range input would move too: one move per key
    stop(S);
    go(S, moves[e.key]);
  });
  new ResizeObserver(() => { if (S.id !== null) layout(S); }).observe(S.box);
}

function start(S) {
  if (S.t >= S.T) go(S, 1);
  S.playing = true;
  S.play.textContent = `❚❚ ${S.L.pause}`;
  let last = performance.now();
  const tick = (now) => {
    if (!S.playing) return;
    const every = 1000 / Number(S.speed.value);
    if (now - last >= every - 2) {
      last = now - last > 2 * every ? now : last + every; // keep the average rate, no burst
      go(S, S.t + 1);
      if (S.t >= S.T) return stop(S);
    }
    S.raf = requestAnimationFrame(tick);
  };
  S.raf = requestAnimationFrame(tick);
}

function stop(S) {
  if (!S.playing) return;
  S.playing = false;
  cancelAnimationFrame(S.raf);
  S.play.textContent = `▶ ${S.L.play}`;
  report(S);
}

function report(S) {
  clearTimeout(S.timer);
  if (S.playing) return; // one report when Play stops, not one rerun per frame
  S.timer = setTimeout(() => {
    if (S.reported === `${S.t},${S.unit}`) return;
    S.reported = `${S.t},${S.unit}`;
    S.setStateValue("view", { t: S.t, unit: S.unit });
  }, REPORT_MS);
}

function go(S, t, unit) {
  const nt = Math.min(Math.max(t, 1), S.T);
  const nu = unit === undefined ? S.unit : Math.min(Math.max(unit, 0), S.H - 1);
  const unitChanged = nu !== S.unit;
  S.t = nt;
  S.unit = nu;
  if (unitChanged) drawLinesCache(S);
  render(S);
  report(S);
}

function applyLabels(S) {
  // The words of the controls, from data.labels (a language switch sends a new id).
  const L = S.L;
  S.first.title = L.first;
  S.prev.title = L.prev;
  S.next.title = L.next;
  S.last.title = L.last;
  S.play.textContent = `${S.playing ? "❚❚" : "▶"} ${S.playing ? L.pause : L.play}`;
  S.range.setAttribute("aria-label", L.range);
  S.unitLabel.textContent = L.unit;
  S.unitInput.setAttribute("aria-label", L.unit);
  S.speedLabel.textContent = L.speed;
  S.speed.setAttribute("aria-label", L.speed_aria);
  for (const o of S.speed.options) o.textContent = fill(L.fps, { fps: o.value });
  S.hint.textContent = L.hint;
  S.axisTitle.textContent = L.axis;
}

function load(S, data) {
  const fresh = S.t === null || S.T !== data.T || S.H !== data.H;
  S.data = data;
  S.L = data.labels;
  S.base = data.unit_base || 0; // the number shown for unit 0 (hops are counted from 1)
  applyLabels(S);
  S.T = data.T;
  S.H = data.H;
  S.values = {};
  for (const [k, b64] of Object.entries(data.arrays)) S.values[k] = decode(b64, S.T, S.H);
  S.initial = {}; // the state before step 1 where it is not zero (a decoder's s_0 = h_S)
  for (const [k, b64] of Object.entries(data.initial || {})) S.initial[k] = decode(b64, 1, S.H);
  S.luts = {};
  for (const [k, sc] of Object.entries(data.scales)) S.luts[k] = colormap(sc.colors);
  if (fresh) { // a new sequence: start where Python says; a new checkpoint: stay put
    S.t = data.t;
    S.unit = data.unit;
  }
  S.t = Math.min(Math.max(S.t, 1), S.T);
  S.unit = Math.min(Math.max(S.unit, 0), S.H - 1);
  S.box.classList.toggle("big", !!data.lecturer);
  // the step's colour (memviz.plotting.STEP_MARK) for the canvases and stepper.css
  S.box.style.setProperty("--mv-mark", data.mark);
  S.range.min = 1;
  S.range.max = S.T;
  S.unitInput.min = S.base;
  S.unitInput.max = S.H - 1 + S.base;
  S.heatTitle.textContent = data.heat_title;
  S.lineTitle.textContent = S.L.lines_title;
  buildFields(S);
  buildEquations(S);
  layout(S);
}

function buildFields(S) {
  S.heatBox.replaceChildren();
  S.canvases = {};
  for (const name of S.data.fields) {
    const f = el("div", "field", S.heatBox);
    const lab = el("div", "lab", f);
    const l = el("span", "", lab);
    el("b", "", l, name);
    l.appendChild(document.createTextNode(`  (${S.data.meaning[name] || name})`));
    const sc = S.data.scales[S.data.scale_of[name]];
    el("span", "scale", lab, `${sc.title}: ${fmt(sc.lo)} … ${fmt(sc.hi)}`);
    const c = el("canvas", "heat", f);
    c.dataset.field = name;
    c.onpointerdown = (e) => {
      stop(S);
      const r = c.getBoundingClientRect();
      const t = 1 + Math.floor(((e.clientX - r.left) / r.width) * S.T);
      const j = Math.floor(((e.clientY - r.top) / r.height) * S.H);
      go(S, t, j);
    };
    S.canvases[name] = c;
  }
  S.legend.replaceChildren();
  for (const name of S.data.fields) {
    const s = el("span", "", S.legend);
    el("i", "", s).style.background = S.data.colors[name];
    s.appendChild(document.createTextNode(name));
  }
}

function buildEquations(S) {
  S.eqBox.replaceChildren();
  S.slots = [];
  for (const [name, lines] of Object.entries(S.data.equations)) {
    const d = el("div", "eq", S.eqBox);
    d.dataset.field = name;
    el("div", "name", d, S.data.meaning[name] || name);
    for (const html of lines) el("div", "line", d).innerHTML = html;
  }
  for (const s of S.eqBox.querySelectorAll(".v")) {
    S.slots.push({ el: s, k: s.dataset.k, lag: Number(s.dataset.lag), p: s.dataset.p === "1" });
  }
}

function value(S, k, t, lag) {
  const row = t - 1 - lag; // 1-based step; before step 1 the initial state, else 0
  if (row >= 0) return S.values[k][row * S.H + S.unit];
  return k in S.initial ? S.initial[k][S.unit] : 0;
}

function layout(S) {
  const big = S.data.lecturer ? 1.4 : 1;
  const w = Math.max(200, S.heatBox.clientWidth || 600);
  const rowH = Math.round(big * Math.min(140, Math.max(48, 2.2 * S.H)));
  S.px = window.devicePixelRatio || 1;
  S.caches = {};
  for (const name of S.data.fields) {
    const c = S.canvases[name];
    c.width = Math.round(w * S.px);
    c.height = Math.round(rowH * S.px);
    c.style.height = `${rowH}px`;
    S.caches[name] = heatImage(S, name);
  }
  const axisH = Math.round(tickPx(S) * 1.6);
  S.axis.width = Math.round(w * S.px);
  S.axis.height = Math.round(axisH * S.px);
  S.axis.style.height = `${axisH}px`;
  drawAxis(S);
  const lw = Math.max(200, S.lines.parentElement.clientWidth || 400);
  S.lines.width = Math.round(lw * S.px);
  S.lines.height = Math.round(220 * big * S.px);
  S.lines.style.height = `${Math.round(220 * big)}px`;
  drawLinesCache(S);
  render(S);
}

function heatImage(S, name) {
  // One pixel per (step, unit), drawn once per trace and scaled up on every frame.
  const sc = S.data.scales[S.data.scale_of[name]];
  const lut = S.luts[S.data.scale_of[name]];
  const img = new ImageData(S.T, S.H);
  const v = S.values[name];
  for (let t = 0; t < S.T; t++) {
    for (let j = 0; j < S.H; j++) {
      const u = Math.min(Math.max((v[t * S.H + j] - sc.lo) / (sc.hi - sc.lo), 0), 1);
      const k = Math.round(u * 255) * 3;
      const p = (j * S.T + t) * 4;
      img.data[p] = lut[k];
      img.data[p + 1] = lut[k + 1];
      img.data[p + 2] = lut[k + 2];
      img.data[p + 3] = 255;
    }
  }
  const off = document.createElement("canvas");
  off.width = S.T;
  off.height = S.H;
  off.getContext("2d").putImageData(img, 0, 0);
  return off;
}

function drawAxis(S) {
  const c = S.axis;
  const ctx = c.getContext("2d");
  ctx.clearRect(0, 0, c.width, c.height);
  ctx.fillStyle = "#444";
  ctx.font = `${Math.round(tickPx(S) * S.px)}px sans-serif`;
  ctx.textBaseline = "top";
  ctx.textAlign = "center";
  const stepW = c.width / S.T;
  const every = Math.max(1, Math.ceil(S.T / 10 / 5) * 5 || 1);
  for (let t = 1; t <= S.T; t += t === 1 && every > 1 ? every - 1 : every) {
    const half = ctx.measureText(String(t)).width / 2; // the last one whole, not cut at the edge
    const x = Math.min(Math.max((t - 0.5) * stepW, half), c.width - half);
    ctx.fillText(String(t), x, 2 * S.px);
  }
  S.box.dataset.tickPx = String(tickPx(S)); // what a browser check reads (canvas text is no DOM)
}

function drawLinesCache(S) {
  const c = S.lines;
  const off = document.createElement("canvas");
  off.width = c.width;
  off.height = c.height;
  const ctx = off.getContext("2d");
  const pad = (tickPx(S) + 17) * S.px; // room for the value labels at the left
  let lo = -1, hi = 1;
  for (const name of S.data.fields) {
    for (let t = 1; t <= S.T; t++) {
      const v = value(S, name, t, 0);
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  S.lineGeom = { pad, lo, hi, w: c.width - 2 * pad, h: c.height - 2 * pad };
  const X = (t) => pad + ((t - 0.5) / S.T) * S.lineGeom.w;
  const Y = (v) => pad + (1 - (v - lo) / (hi - lo)) * S.lineGeom.h;
  ctx.strokeStyle = "#ddd";
  ctx.lineWidth = S.px;
  for (const v of [lo, 0, hi]) {
    ctx.beginPath(); ctx.moveTo(pad, Y(v)); ctx.lineTo(c.width - pad, Y(v)); ctx.stroke();
  }
  ctx.fillStyle = "#444";
  ctx.font = `${Math.round(tickPx(S) * S.px)}px sans-serif`;
  ctx.textBaseline = "middle";
  for (const v of [lo, 0, hi]) ctx.fillText(v.toFixed(1), 2, Y(v));
  ctx.lineWidth = (S.data.lecturer ? 4 : 2) * S.px;
  for (const name of S.data.fields) {
    ctx.strokeStyle = S.data.colors[name];
    ctx.beginPath();
    for (let t = 1; t <= S.T; t++) {
      const v = value(S, name, t, 0);
      if (t === 1) ctx.moveTo(X(t), Y(v)); else ctx.lineTo(X(t), Y(v));
    }
    ctx.stroke();
  }
  S.linesCache = off;
}

function render(S) {
  const t = S.t, j = S.unit;
  for (const name of S.data.fields) {
    const c = S.canvases[name];
    const ctx = c.getContext("2d");
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(S.caches[name], 0, 0, c.width, c.height);
    const cw = c.width / S.T, ch = c.height / S.H;
    ctx.strokeStyle = S.data.mark;
    ctx.lineWidth = Math.max(2 * S.px, Math.min(cw, 4 * S.px));
    ctx.strokeRect((t - 1) * cw, 0, cw, c.height);
    ctx.setLineDash([4 * S.px, 3 * S.px]);
    ctx.lineWidth = S.px;
    ctx.strokeRect(0, j * ch, c.width, ch);
    ctx.setLineDash([]);
  }
  const lc = S.lines.getContext("2d");
  lc.clearRect(0, 0, S.lines.width, S.lines.height);
  lc.drawImage(S.linesCache, 0, 0);
  const g = S.lineGeom;
  const x = g.pad + ((t - 0.5) / S.T) * g.w;
  lc.strokeStyle = S.data.mark;
  lc.lineWidth = 2 * S.px;
  lc.beginPath(); lc.moveTo(x, g.pad / 2); lc.lineTo(x, g.pad + g.h); lc.stroke();
  for (const s of S.slots) s.el.textContent = fmt(value(S, s.k, t, s.lag), s.p);
  S.range.value = String(t);
  if (document.activeElement !== S.unitInput) S.unitInput.value = String(j + S.base);
  S.stepLabel.textContent = fill(S.L.step_of, { t, T: S.T });
  S.eqTitle.textContent = fill(S.L.eq_title, { t, j: j + S.base });
  S.lineTitle.textContent = fill(S.L.unit_over_time, { j: j + S.base });
  S.frames += 1;
  S.box.dataset.t = String(t);
  S.box.dataset.unit = String(j);
  S.box.dataset.frames = String(S.frames);
}

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  let S = parentElement.__memvizStepper;
  if (!S) {
    S = build(parentElement);
    parentElement.__memvizStepper = S;
  }
  S.setStateValue = setStateValue;
  if (data && data.id !== S.id) {
    S.id = data.id;
    load(S, data);
  }
  return () => { S.playing = false; cancelAnimationFrame(S.raf); };
}
