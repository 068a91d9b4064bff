// On document ready: the address says the page's state (a replace: opening a link adds no
// entry), and Back and Forward send the address they arrive at to the server (model.popped,
// then model.pops counts the press, so the same address twice is still a change), which
// restores the page to it. The model is the page's HistoryModel, found by its name.
let model = null;
for (const doc of window.Bokeh ? Bokeh.documents : []) {
  model = model || doc.get_model_by_name("rlx-history");
}
if (model) {
  if (model.search && model.search !== window.location.search) {
    const url = window.location.pathname + model.search + window.location.hash;
    window.history.replaceState(window.history.state, "", url);
  }
  window.addEventListener("popstate", () => {
    model.popped = window.location.search;
    model.pops = model.pops + 1;
  });
}
