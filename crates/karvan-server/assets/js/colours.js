// The map's and the charts' colours.

// Rail is coloured by gauge because a gauge break is where cargo is transhipped.
export const COLOURS = {
  rail: { 1520: '#6a1b9a', 1435: '#00897b', 1676: '#ef6c00', other: '#455a64' },
  road: '#8d7b68',
  sea: '#3d8fd1',
  closed: '#d32f2f',
  critical: '#b71c1c',
  more: '#1a9850',
  less: '#d73027',
  portRing: '#1565c0',
};
// Route colours stay clear of the network's (purple, teal and orange rail, brown road).
export const ROUTE_COLOURS = ['#e91e63', '#1e88e5', '#43a047', '#212121', '#00bcd4',
  '#ffb300', '#795548', '#3949ab', '#c0ca33', '#546e7a'];
export const COMMODITY_COLOURS = ['#1f77b4', '#8c564b', '#d62728', '#e6a700', '#2ca02c',
  '#9467bd', '#17becf', '#7f7f7f'];
// Risk index 0 (safe) … 1 (worst): green, amber, red.
/** A place's risk index from which the map marks it as high risk (a triangle). */
export const HIGH_RISK = 0.6;
const RISK_STOPS = [[0, [46, 125, 50]], [0.3, [249, 168, 37]], [0.6, [198, 40, 40]], [1, [120, 20, 20]]];

export function riskColour(risk) {
  const r = Math.max(0, Math.min(1, Number(risk) || 0));
  for (let i = 1; i < RISK_STOPS.length; i++) {
    const [x1, c1] = RISK_STOPS[i];
    if (r <= x1) {
      const [x0, c0] = RISK_STOPS[i - 1];
      const t = (r - x0) / (x1 - x0);
      const c = c0.map((v, k) => Math.round(v + t * (c1[k] - v)));
      return `rgb(${c.join(',')})`;
    }
  }
  return 'rgb(120,20,20)';
}

