// The surfaces race's frame callback: rebuild the drawn sources (paths, heads, marks, hover
// points, ghosts, linked markers, arrows) up to the frame, in place, then change.emit().
const data = cb_data || {};
let f = (data.frame !== undefined && data.frame !== null) ? data.frame : cursor.data.x[0];
f = Math.max(0, Math.floor(Number(f) || 0));
// The first n entries, as a view: BokehJS's ndarrays subclass the typed arrays with another
// constructor, so their own subarray() keeps the full length; a plain view of the buffer.
const cut = (a, n) => {
  if (!ArrayBuffer.isView(a)) return a.slice(0, n);
  const T = a instanceof Float64Array ? Float64Array : a instanceof Int32Array ? Int32Array
          : Float32Array;
  return new T(a.buffer, a.byteOffset, Math.min(n, a.length));
};
const lab = (window.rlxLab = window.rlxLab || {frames: 0, updates: 0});
cursor.data.x = [f];
cursor.change.emit();
const S = style.data;

// Hover points of every path, step-major (all paths' step 0, then step 1, ...): built once per
// data update, so a frame is a prefix of typed arrays, viewed without copying.
let H = cursor._rlx_points;
const hover = !data.playing;  // hover points wait for a pause: playback stays light
if (hover && (data.update || !H)) {
  let paths = 0, length = 0;
  for (let j = 0; j < S.slot.length; j++) {
    const F = fulls[S.slot[j]].data;
    if (F.hx && F.hx.length) { paths += F.hx.length; length = Math.max(length, F.hx[0].length); }
  }
  const size = paths * length;
  H = {x: new Float32Array(size), y: new Float32Array(size), step: new Int32Array(size),
       loss: new Float32Array(size), angle: new Float32Array(size), name: new Array(size),
       color: new Array(size), paths: paths};
  let p = 0;
  for (let j = 0; j < S.slot.length; j++) {
    const F = fulls[S.slot[j]].data;
    const n = F.hx ? F.hx.length : 0;
    for (let i = 0; i < n; i++, p++) {
      for (let s = 0; s < length; s++) {
        const q = s * paths + p, ok = s <= F.last[i] && s < F.hx[i].length;
        H.x[q] = ok ? F.hx[i][s] : NaN; H.y[q] = ok ? F.hy[i][s] : NaN;
        H.step[q] = s; H.loss[q] = ok ? F.loss[i][s] : NaN;
        H.angle[q] = ok ? F.angle[i][s] : NaN;
        H.name[q] = S.name[j]; H.color[q] = S.color[j];
      }
    }
  }
  cursor._rlx_points = H;
}
let Q = null;
if (hover) {
  const count = Math.min((f + 1) * H.paths, H.x.length);
  Q = {x: H.x.subarray(0, count), y: H.y.subarray(0, count),
       step: H.step.subarray(0, count), loss: H.loss.subarray(0, count),
       angle: H.angle.subarray(0, count), name: H.name.slice(0, count),
       color: H.color.slice(0, count)};
}

const P = {xs: [], ys: [], color: [], name: []};
const G = {xs: [], ys: [], color: []};
const D = {x: [], y: [], step: [], loss: [], color: [], marker: [], name: []};
const X = {x: [], y: [], color: [], at: [], name: []};
const N = {x: [], loss: [], step_plot: [], color: []};
const A = {x0: [], y0: [], x1: [], y1: [], color: []};  // −g at the heads
const M = {x0: [], y0: [], x1: [], y1: [], color: []};  // the steps from them
const arrow = (T, x, y, dx, dy, color) => {
  const ex = x + dx, ey = y + dy;
  if (Number.isFinite(ex) && Number.isFinite(ey)) {
    T.x0.push(x); T.y0.push(y); T.x1.push(ex); T.y1.push(ey); T.color.push(color);
  }
};
for (let j = 0; j < S.slot.length; j++) {
  const k = S.slot[j], color = S.color[j], name = S.name[j];
  const F = fulls[k].data;
  const n = F.xs ? F.xs.length : 0;
  for (let i = 0; i < n; i++) {
    const m = Math.min(f, F.last[i]), end = F.cut[i][m] + 1;
    P.xs.push(cut(F.xs[i], end)); P.ys.push(cut(F.ys[i], end));
    P.color.push(color); P.name.push(name);
    D.x.push(F.hx[i][m]); D.y.push(F.hy[i][m]); D.step.push(m); D.loss.push(F.loss[i][m]);
    D.color.push(color); D.marker.push(S.marker[j]); D.name.push(name);
    if (F.gx) {
      arrow(A, F.hx[i][m], F.hy[i][m], F.gx[i][m], F.gy[i][m], color);
      arrow(M, F.hx[i][m], F.hy[i][m], F.sx[i][m], F.sy[i][m], color);
    }
    if (F.div[i] >= 0 && f >= F.div[i]) {
      X.x.push(F.cross_x[i]); X.y.push(F.cross_y[i]);
      X.color.push(color); X.at.push(F.div[i]); X.name.push(name);
    }
  }
  if (n > 0) {
    const m = Math.min(f, F.loss[0].length - 1);
    N.x.push(m); N.loss.push(F.plot_loss[0][m]); N.step_plot.push(F.plot_step[0][m]);
    N.color.push(color);
  }
  const Gd = gfulls[k] ? gfulls[k].data : {};  // null until the optimizer's first ghost
  const g = (S.ghost[j] && Gd.xs) ? Gd.xs.length : 0;
  for (let i = 0; i < g; i++) {
    const end = Gd.cut[i][Math.min(f, Gd.last[i])] + 1;
    G.xs.push(cut(Gd.xs[i], end)); G.ys.push(cut(Gd.ys[i], end)); G.color.push(color);
  }
}
for (const [source, columns] of [[paths, P], [gpaths, G], [heads, D], [crosses, X], [pts, Q],
                                 [nows, N], [grads, A], [moves, M]]) {
  if (columns === null) continue;
  for (const key of Object.keys(columns)) source.data[key] = columns[key];
  source.change.emit();
}
lab.frame = f;
lab.frames += 1;
lab.frameAt = performance.now();
if (data.update) {
  lab.updates += 1;
  lab.updateAt = performance.now();
}
