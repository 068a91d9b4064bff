// Scrub tables (views/surfaces/scrub_link.py), installed once per page on document ready.
// A pointer press on a hyperparameter slider marked `scrub` (or the focus entering one) asks
// the server for that slider's table — `ask.data` is assigned, so it syncs — and arms the
// slider (`table._rlx_armed`): only an armed slider's value changes swap paths from the table
// (scrub.js), so a value the server sets (a reset, a link) never does. A press or the focus
// anywhere else disarms it.
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
  const grab = (event) => {
    const css = slider(event);
    if (css === null) {
      table._rlx_armed = null;
      return;
    }
    // a press always asks (the table may have gone stale since); the focus only once
    if (event.type === "focusin" && table._rlx_armed === css) return;
    table._rlx_armed = css;
    asked += 1;
    ask.data = {css: [css], n: [asked]};
  };
  document.addEventListener("pointerdown", grab, true);
  document.addEventListener("focusin", grab, true);
}
