// On document ready: the player's range input shows the frame it holds.
// Panel's player sets its range input's value before its maximum on first render, so a frame
// above 100 would show at 100: set them again, in order, in the browser (a round trip through
// the server could land after the user's first key or click and undo it).
const fix = (tries) => {
  let pending = false;
  for (const doc of window.Bokeh ? Bokeh.documents : []) {
    for (const model of doc.all_models) {
      if (!(model.css_classes || []).includes("frame-player")) continue;
      const view = Bokeh.index.find_one(model);
      const el = view && view.sliderEl;
      if (!el) { pending = true; continue; }
      el.min = String(model.start); el.max = String(model.end); el.value = String(model.value);
    }
  }
  if (pending && tries > 0) setTimeout(() => fix(tries - 1), 100);  // a view still to come
};
fix(50);
