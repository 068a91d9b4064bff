// Slider labels for a β slider: the slider moves through −log10(1 − β) and shows β.
return (1 - 10 ** (-tick)).toPrecision(Math.max(3, Math.ceil(tick) + 1));
