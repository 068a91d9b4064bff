// The player's `direction` callback: playing runs here, in the browser, one frame per display
// refresh (Panel's player would step on a timer and send every frame to the server).
// The frame follows the clock at the player's speed (`step` steps every `interval` ms), the
// frame callback draws it and the player's own range input and label show it; the server hears
// the frame once, when the playing stops (a button, a key or the last frame).
// Pressing play at the last frame starts again from the first; a pause refreshes the hover
// points (skipped while playing).
const view = cb_obj._rlx_view ?? (cb_obj._rlx_view = window.Bokeh?.index?.find_one(cb_obj));
const run = cb_obj._rlx_play ?? (cb_obj._rlx_play = {id: 0, frame: cb_obj.value});
if (run.id) {
  cancelAnimationFrame(run.id);
  run.id = 0;
  if (cb_obj.value != run.frame) cb_obj.value = run.frame;  // the server hears it (on_player.js)
}
if (cb_obj.direction == 0) {
  frame_cb.execute(cb_obj, {frame: cb_obj.value});
} else {
  if (cb_obj.direction == 1 && cb_obj.value >= cb_obj.end) cb_obj.value = cb_obj.start;
  if (cb_obj.direction == -1 && cb_obj.value <= cb_obj.start) cb_obj.value = cb_obj.end;
  if (view) {  // this runs after Panel's player started its timer (and before it fired): stop it
    if (view.timer && view.timer !== -1) clearInterval(view.timer);
    view.timer = -1;  // a timer it holds: play starts no other while this plays
  }
  run.frame = run.from = cb_obj.value;
  run.since = performance.now();
  const show = (f) => {
    if (!view) return;
    if (view.sliderEl) view.sliderEl.value = String(f);
    const label = view.titleEl && view.titleEl.querySelector(".pn-player-value");
    if (label) label.textContent = String(f);
  };
  const tick = (now) => {
    const speed = cb_obj.step / Math.max(1, cb_obj.interval);  // steps per ms
    const moved = Math.floor((now - run.since) * speed);
    const f = Math.max(cb_obj.start, Math.min(cb_obj.end, run.from + cb_obj.direction * moved));
    if (f != run.frame) {
      run.frame = f;
      frame_cb.execute(cb_obj, {frame: f, playing: true});
      show(f);
    }
    const last = cb_obj.direction == 1 ? f >= cb_obj.end : f <= cb_obj.start;
    if (last && view) view.pause_animation();  // direction 0: this callback stops the loop
    else if (last) cb_obj.direction = 0;
    else run.id = requestAnimationFrame(tick);
  };
  run.id = requestAnimationFrame(tick);
}
