// The small-nets frame callback (POSITIONS is defined before this code by nets_js.py):
// show each optimizer's boundary frame, move the step cursor and the heads, draw the paths.
const data = cb_data || {};
let f = (data.frame !== undefined && data.frame !== null) ? data.frame : cursor.data.frame[0];
f = Math.max(0, Math.floor(Number(f) || 0));
const steps = meta.data.frame_steps || [];
// The player runs through POSITIONS positions, whatever the run's frame count.
const i = Math.max(0, Math.min(Math.round(f * (steps.length - 1) / POSITIONS), steps.length - 1));
const step = steps.length ? Number(steps[i]) : 0;
cursor.data.frame = [f];
cursor.data.x = [step];
cursor.change.emit();
for (let k = 0; k < frames.length; k++) {
  const F = frames[k].data.image;
  if (!F || F.length === 0) continue;
  shown[k].data.image = [F[Math.min(i, F.length - 1)]];
  shown[k].change.emit();
}
label.data.text = [steps.length ? "step " + step : ""];
label.change.emit();
// The current point of every line: the curves' heads and the landscape's heads.
for (const [src, dst] of heads) {
  const D = src.data, n = D.xs ? D.xs.length : 0;
  const out = {x: [], y: []};
  const extra = Object.keys(dst.data).filter((key) => key !== "x" && key !== "y");
  for (const key of extra) out[key] = [];
  for (let j = 0; j < n; j++) {
    const q = Math.min(i, D.xs[j].length - 1);
    if (q < 0) continue;
    out.x.push(D.xs[j][q]);
    out.y.push(D.ys[j][q]);
    for (const key of extra) out[key].push(D[key][j]);
  }
  for (const key of Object.keys(out)) dst.data[key] = out[key];
  dst.change.emit();
}
// The landscape's paths up to the frame (the whole path stays faintly underneath).
for (const [src, dst] of trails) {
  const D = src.data, n = D.xs ? D.xs.length : 0;
  const out = {xs: [], ys: [], color: []};
  for (let j = 0; j < n; j++) {
    // (a plain copy: subarray() of a BokehJS ndarray keeps its full length)
    const cut = (a) => Array.prototype.slice.call(a, 0, i + 1);
    out.xs.push(cut(D.xs[j]));
    out.ys.push(cut(D.ys[j]));
    out.color.push(D.color[j]);
  }
  for (const key of Object.keys(out)) dst.data[key] = out[key];
  dst.change.emit();
}
const lab = (window.rlxNets = window.rlxNets || {draws: 0});
lab.frame = f;
lab.step = step;
lab.draws += 1;
