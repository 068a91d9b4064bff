// On document ready: the plots paint once per display frame, in the frame of their change.
// BokehJS throttles a plot's paints with a 16.7 ms timer, which beats against the display's
// frames: playing at 60 frames/s, a third to a half of the frames went unpainted. Here one
// painter runs at the end of each animation frame while plots change: the player's frame
// callback (an earlier animation-frame callback) changes the sources, the plots' async updates
// settle between callbacks, and the painter paints every plot that asked. A hidden page gets
// no animation frames: a timer paints there instead.
const plots = window.Bokeh?.require?.("models/plots/plot");
const view = plots?.PlotView?.prototype;
if (view && !view._rlxPerFrame) {
  const painter = {views: new Set(), frame: 0, timer: 0, done: null, settle: null};
  const paint = () => {
    cancelAnimationFrame(painter.frame);
    clearTimeout(painter.timer);
    painter.frame = painter.timer = 0;
    const views = [...painter.views];
    const settle = painter.settle;
    painter.views.clear();
    painter.done = painter.settle = null;
    for (const v of views) if (!v.is_destroyed) v.repaint();
    settle?.();
    if (views.length) request();  // stay in the frames while plots change: paint after them
  };
  const request = () => {
    if (painter.frame) return;
    painter.frame = requestAnimationFrame(paint);
    painter.timer = setTimeout(paint, 100);
  };
  view.schedule_paint = function () {
    if (this.is_paused) return;
    painter.views.add(this);
    painter.done = painter.done ?? new Promise((resolve) => { painter.settle = resolve; });
    request();
    this._await_ready(painter.done);
  };
  view._rlxPerFrame = true;
}
