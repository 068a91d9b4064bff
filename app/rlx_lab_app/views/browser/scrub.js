// A scrubbable slider's `value` callback (views/surfaces/scrub_link.py): while the slider is
// armed (grabbed or focused, scrub_grab.js) and its table is here, show its optimizer's row
// nearest the slider's value — no server round trip. The row's full columns replace the
// optimizer's full source in place (mutated: nothing is sent back), its
// loss and step-size curves replace its curves in the linked plots, and the frame is redrawn
// (paths, heads, ✕ marks, linked markers, arrows). Hover points wait for the release, as they
// wait for a pause in playback (rebuilding them doubled a drag step's repaint). On release
// the server computes the exact value and sends it, which replaces the scrubbed row.
const T = table.data;
if (table._rlx_armed !== css || !T.css || T.css.length === 0 || T.css[0] !== css) return;
const k = T.slot[0];
const F = fulls[k].data;
if (!F.xs || F.xs.length === 0 || ("gx" in F) !== ("gx" in T)) return;  // not drawn as the table
const N = T.starts[0], R = Math.floor(T.position.length / N), v = Number(cb_obj.value);
let row = 0, gap = Infinity;
for (let r = 0; r < R; r++) {
  const d = Math.abs(T.position[r * N] - v);
  if (d < gap) { gap = d; row = r; }
}
const seen = fulls[k]._rlx_scrub;
if (seen && seen.data === F && seen.table === T && seen.row === row) return;  // drawn already
fulls[k]._rlx_scrub = {data: F, table: T, row: row};
const a = row * N, b = a + N;
for (const key of Object.keys(F)) {
  if (key in T) F[key] = Array.prototype.slice.call(T[key], a, b);
}
const S = style.data, C = curves.data;
let title = null;
for (let j = 0; j < S.slot.length; j++) if (S.slot[j] === k) title = S.name[j];
const at = C.name ? Array.from(C.name).indexOf(title) : -1;
if (at >= 0) {
  const loss = Array.from(C.loss), step = Array.from(C.step);
  loss[at] = T.plot_loss[a];
  step[at] = T.plot_step[a];
  C.loss = loss;
  C.step = step;
  curves.change.emit();
}
frame_cb.execute(cb_obj, {update: true, playing: true});
const lab = (window.rlxLab = window.rlxLab || {frames: 0, updates: 0});
lab.scrubs = (lab.scrubs || 0) + 1;
lab.scrubRow = row;
lab.scrubAt = performance.now();
