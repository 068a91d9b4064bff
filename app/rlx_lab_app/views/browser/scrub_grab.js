// Scrub tables (views/surfaces/scrub_link.py), installed once per page on document ready.
// A pointer press on a hyperparameter slider marked `scrub` (or the focus entering one, or a
// key pressed on it) arms the slider (`table._rlx_armed`) and asks the server for its table —
// `ask.data` is assigned, so it syncs; the server computes a table once and keeps it while the
// race matches it. Only an armed slider's value changes swap paths from the table (scrub.js),
// so a value the server sets (a reset, a link, a release's rounding) never does. A press or
// the focus anywhere else, or the slider's release, disarms it. (Panel's jscallback cannot
// watch `value_throttled`, so the release is heard on the model's own property signal; the
// disarming waits a task, so that the release's own value change — a key press sets both at
// once, and CustomJS runs a microtask later — still swaps.)
if (!table._rlx_grab) {
  table._rlx_grab = true;
  let asked = 0;
  const slider = (event) => {
    for (const el of event.composedPath()) {
      const list = el.classList;
      if (list && list.contains("scrub")) {
        for (const name of list) if (name.startsWith("hp-")) return name;
      }
    }
    return null;
  };
  const release = (css) => {
    for (const model of table.document ? table.document.all_models : []) {
      if (!(model.css_classes || []).includes(css) || !("value_throttled" in model)) continue;
      if (model._rlx_release) return;
      model._rlx_release = true;
      model.properties.value_throttled.change.connect(() => setTimeout(() => {
        if (table._rlx_armed === css) table._rlx_armed = null;
      }, 0));
      return;
    }
  };
  const grab = (event) => {
    const css = slider(event);
    if (css === null) {
      table._rlx_armed = null;
      return;
    }
    // a press always asks (the table may have gone stale since); focus and keys when arming
    if (event.type !== "pointerdown" && table._rlx_armed === css) return;
    table._rlx_armed = css;
    release(css);
    asked += 1;
    ask.data = {css: [css], n: [asked]};
  };
  document.addEventListener("pointerdown", grab, true);
  document.addEventListener("focusin", grab, true);
  document.addEventListener("keydown", (event) => { if (slider(event)) grab(event); }, true);
}
