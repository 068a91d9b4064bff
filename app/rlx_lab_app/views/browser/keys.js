// Keyboard control of the visible player (installed once per page, on document ready): it
// sets the player model's value and direction, as its own buttons do.
// Space plays or pauses wherever the focus is, except in a text field (it would type a space);
// ← → Home End move the playhead only when no control has the focus: on a slider, a button or
// a list they belong to that control.
if (!window._rlxKeys) {
  window._rlxKeys = true;
  const KEYS = new Set([" ", "ArrowRight", "ArrowLeft", "Home", "End"]);
  const NOT_TEXT = new Set(["button", "checkbox", "radio", "range", "submit", "reset", "color"]);
  const typing = (el) => {
    const tag = el && el.tagName;
    return tag === "TEXTAREA" || tag === "SELECT" || Boolean(el && el.isContentEditable) ||
      (tag === "INPUT" && !NOT_TEXT.has((el.type || "text").toLowerCase()));
  };
  const control = (el) => {  // anything focusable other than the page itself
    if (!el || el === document.body || el === document.documentElement) return false;
    const tag = el.tagName;
    return tag === "INPUT" || tag === "BUTTON" || tag === "A" || el.tabIndex >= 0 ||
      Boolean(el.getAttribute && el.getAttribute("role"));
  };
  const shown = (model) => {
    const view = window.Bokeh && Bokeh.index && Bokeh.index.find_one(model);
    return Boolean(view && view.el && view.el.isConnected && view.el.offsetParent !== null);
  };
  const player = () => {
    const players = [];
    for (const doc of window.Bokeh ? Bokeh.documents : []) {
      for (const model of doc.all_models) {
        const css = model.css_classes || [];
        if (css.includes("frame-player") || css.includes("nets-player")) players.push(model);
      }
    }
    // the player of the tab on screen (the only one, before the other tab is opened)
    return players.length > 1 ? (players.find(shown) || players[0]) : players[0];
  };
  let spaceTaken = false;  // a focused button must not also be pressed by that space
  document.addEventListener("keydown", (event) => {
    if (!KEYS.has(event.key) || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.composedPath()[0];
    if (typing(target)) return;
    if (event.key !== " " && control(target)) return;
    const p = player();
    if (!p) return;
    const to = (value) => { p.value = Math.max(p.start, Math.min(p.end, value)); };
    if (event.key === " ") {
      if (!event.repeat) p.direction = p.direction === 0 ? 1 : 0;
      spaceTaken = true;
    } else if (event.key === "ArrowRight") to(p.value + p.step);
    else if (event.key === "ArrowLeft") to(p.value - p.step);
    else if (event.key === "Home") to(p.start);
    else to(p.end);
    event.preventDefault();
    event.stopPropagation();
  }, true);
  document.addEventListener("keyup", (event) => {
    if (event.key === " " && spaceTaken) {
      spaceTaken = false;
      event.preventDefault();  // a button is pressed on keyup: not this time
      event.stopPropagation();
    }
  }, true);
}
