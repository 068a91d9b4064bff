// On document ready: a glyph renderer's element is positioned once, not on every paint.
// BokehJS gives every renderer an element of the page, sized to what it draws, and rewrites
// that element's stylesheet on each paint; a glyph draws on the canvas and its element stays
// empty, but a path that grows each frame changed its stylesheet each frame, and the next
// plot's axis measurement then waited for the page to be restyled: a fifth of the browser's
// time while playing. Annotations (which may hold HTML) keep BokehJS's own positioning.
const glyphs = window.Bokeh?.require?.("models/renderers/glyph_renderer");
const view = glyphs?.GlyphRendererView?.prototype;
if (view && !view._rlxPlaced) {
  const place = view.update_position;
  view.update_position = function () {
    if (this._rlx_placed) return;
    place.call(this);
    this._rlx_placed = this.bbox != null && this.bbox.is_valid;
  };
  view._rlxPlaced = true;
}
