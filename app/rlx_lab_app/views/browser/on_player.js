// The player's `value` callback.
frame_cb.execute(cb_obj, {frame: cb_obj.value, playing: cb_obj.direction != 0});
if (cb_obj.direction == 0) {  // a value set from outside: Panel's player keeps its old label
  cb_obj._rlx_view = cb_obj._rlx_view ?? window.Bokeh?.index?.find_one(cb_obj);
  cb_obj._rlx_view?.update_title_and_value?.();
}
