// The server's new address for the page (HistoryModel.search changed): a change of one of the
// push keys (surface, data set, optimizers, tab) is a step of its own in the history, pushed;
// any other change replaces the current entry, so a slider dragged through thirty values is
// still one press of Back.
const next = cb_obj.search;
const here = window.location.search;
if (next === here) return;
const keys = (search) => {
  const query = new URLSearchParams(search);
  return JSON.stringify(cb_obj.push_keys.map((key) => query.get(key)));
};
const url = window.location.pathname + next + window.location.hash;
if (keys(next) === keys(here)) window.history.replaceState(window.history.state, "", url);
else window.history.pushState({rlx: true}, "", url);
