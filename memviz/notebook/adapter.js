// memviz in a notebook: anywidget's render() hosts the app's own stepper.js (sent by Python
// as text, read from the package at run time, never a copy). stepper.js is written for
// Streamlit's components-v2 call ({data, parentElement, setStateValue}); this file makes that
// call, feeds it the payload of the chosen layer, and turns its report of the view into the
// traitlets t and unit (and moves the stepper when Python sets them).

async function stepperModule(model) {
  // the same way anywidget loads this file: an ES module from text, through a blob URL
  const url = URL.createObjectURL(new Blob([model.get("_stepper_js")], { type: "text/javascript" }));
  try {
    return await import(/* webpackIgnore: true */ url);
  } finally {
    URL.revokeObjectURL(url);
  }
}

function layerPicker(model, el, show) {
  // one stepper, a choice of layer: a layer with the same T and H keeps the step and unit
  const payloads = model.get("payloads");
  const bar = document.createElement("label");
  bar.className = "mv-layer";
  bar.style.cssText = "font-family:sans-serif;font-size:14px";
  if (payloads.length < 2) return bar;
  bar.textContent = `${model.get("layer_label")} `;
  const pick = document.createElement("select");
  payloads.forEach((_, k) => { pick.appendChild(new Option(String(k), String(k))); });
  pick.value = String(model.get("layer"));
  pick.onchange = () => { model.set("layer", Number(pick.value)); model.save_changes(); };
  model.on("change:layer", () => { pick.value = String(model.get("layer")); show(); });
  bar.appendChild(pick);
  el.appendChild(bar);
  return bar;
}

function follow(model, root) {
  // Python set t or unit: move the stepper as a student would (its own controls' events)
  const box = () => root.querySelector(".mv");
  model.on("change:t", () => {
    const b = box(), t = model.get("t");
    if (!b || b.dataset.t === String(t)) return; // the stepper's own report coming back
    const range = b.querySelector("input[type=range]");
    range.value = String(t);
    range.dispatchEvent(new Event("input"));
  });
  model.on("change:unit", () => {
    const b = box(), unit = model.get("unit");
    if (!b || b.dataset.unit === String(unit)) return;
    const input = b.querySelector("input[type=number]");
    input.value = String(unit);
    input.dispatchEvent(new Event("change"));
  });
}

async function render({ model, el }) {
  const mount = (await stepperModule(model)).default;
  const root = document.createElement("div");
  let cleanup = null;
  const setStateValue = (name, view) => {
    if (name !== "view") return;
    model.set("t", view.t);
    model.set("unit", view.unit);
    model.save_changes();
  };
  const truth = document.createElement("div");
  truth.className = "mv-truth";
  truth.style.cssText = "color:#555;font-size:0.85em;margin:2px 0 4px;font-family:sans-serif";
  const show = () => {
    const layer = model.get("layer");
    truth.textContent = model.get("truths")[layer] || "";
    cleanup = mount({ data: model.get("payloads")[layer], parentElement: root, setStateValue });
  };
  layerPicker(model, el, show);
  el.appendChild(truth);
  el.appendChild(root);
  show();
  follow(model, root);
  return () => { if (cleanup) cleanup(); };
}

export default { render };
