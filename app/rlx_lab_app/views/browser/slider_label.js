// A hyperparameter slider's label: the value its position sets, exactly as the server stores
// it (state.scales.from_position: `digits` significant digits of the value, or of 1 − β on a
// log1m scale), so β₁ = 0.9045 reads 0.9045, not 0.904. The slider moves through `tick`:
// log10(v) on a log scale, −log10(1 − β) on a log1m scale, the value itself otherwise.
const round = (x) => Number(x.toPrecision(digits));
if (scale === "log") return String(round(10 ** tick));
if (scale === "log1m") {
  const gap = round(10 ** -tick);
  const decimals = digits - 1 - Math.floor(Math.log10(gap));  // the last digit of the gap
  return String(Number((1 - gap).toFixed(Math.min(Math.max(decimals, 0), 20))));
}
return String(round(tick));
