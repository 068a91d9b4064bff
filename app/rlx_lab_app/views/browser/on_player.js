// The player's `value` callback: draw that frame. A value set while playing (the range input
// dragged, a key) moves the playing on from there (on_direction.js plays in the browser).
const run = cb_obj._rlx_play;
if (run && run.id && cb_obj.value != run.frame) {
  run.frame = run.from = cb_obj.value;
  run.since = performance.now();
}
frame_cb.execute(cb_obj, {frame: cb_obj.value, playing: cb_obj.direction != 0});
if (cb_obj.direction == 0) {  // a value set from outside: Panel's player keeps its old label
  cb_obj._rlx_view = cb_obj._rlx_view ?? window.Bokeh?.index?.find_one(cb_obj);
  cb_obj._rlx_view?.update_title_and_value?.();
}
