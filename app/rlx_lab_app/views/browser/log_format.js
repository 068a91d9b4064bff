// Slider labels for a log10 slider: the slider moves through log10(v) and shows v.
return (10 ** tick).toPrecision(3);
