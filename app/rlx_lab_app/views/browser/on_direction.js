// Pressing play at the last frame starts again from the first; a pause refreshes the hover
// points (skipped while playing).
if (cb_obj.direction == 1 && cb_obj.value >= cb_obj.end) {
  cb_obj.value = cb_obj.start;
}
if (cb_obj.direction == 0) {
  frame_cb.execute(cb_obj, {frame: cb_obj.value});
}
