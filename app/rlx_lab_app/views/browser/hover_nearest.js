// HoverTool filter: only the hit point nearest the cursor gets a tooltip. After a tap every
// optimizer's first steps lie under the cursor, and one tooltip each stacked taller than the
// window. Ties (points drawn on top of each other) go to the first in the source.
const {vars} = cb_data;
const glyph = vars.glyph_view;
const distance = (i) => (glyph.sx[i] - vars.sx) ** 2 + (glyph.sy[i] - vars.sy) ** 2;
const mine = distance(vars.index);
for (const i of vars.indices) {
  const other = distance(i);
  if (other < mine || (other === mine && i < vars.index)) return false;
}
return true;
