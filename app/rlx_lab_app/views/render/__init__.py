"""The app's one renderer of still pictures and GIFs (Pillow), for both worlds.

Every PNG and GIF the app writes — the race GIF, the optimizer gallery, the small nets'
boundary GIF — is drawn from these parts, so they share one look and one set of colours
(:mod:`rlx_lab_app.state.palette`). The modules import no Panel or Bokeh: a notebook or a
script draws the same pictures.

- :mod:`.plane`: where a point of a data window lands in a picture (north up).
- :mod:`.raster`: grids of numbers → images: the heat map with its contour lines, colour codes.
- :mod:`.marks`: paths, dots, crosses, rings, stars, arrows and frames drawn on an image.
- :mod:`.layout`: the bundled font, captioned panels in a grid, a legend line.
- :mod:`.files`: frames → a looping GIF, an image → a PNG.

Pillow stays (rather than Matplotlib or Cairo): it is already a dependency, draws a 60-frame
GIF in well under a second, and writes GIFs with one shared palette, so nothing flickers.
"""
