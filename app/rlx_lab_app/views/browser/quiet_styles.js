// On document ready: a stylesheet is rewritten only when its text changes.
// BokehJS sets every renderer's position stylesheet on each paint, mostly to the same text; a
// <style> whose text is set is parsed again and the elements under it restyled, which the next
// axis-label measurement (getComputedStyle) waits for: two or three style recalculations per
// frame while playing, a quarter of the browser's time.
const dom = window.Bokeh?.require?.("core/dom");
const sheet = dom?.InlineStyleSheet?.prototype;
if (sheet && !sheet._rlxQuiet) {
  const update = sheet._update;
  sheet._update = function (css) {
    if (this.el.textContent !== css) update.call(this, css);
  };
  sheet._rlxQuiet = true;
}
