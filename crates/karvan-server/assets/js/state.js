// What the page knows: the data loaded from the API and what each view is doing.

export const state = {
  map: null,
  legend: null,
  popup: null,
  mapScenario: 'base',
  places: [],
  placeById: new Map(),
  commodities: [],
  countries: [],
  scenarios: [],
  network: null,          // the GeoJSON of the map scenario
  crossings: [],          // [{id, name, mode}] for the closure list
  projects: new Map(),    // project id -> {links, status}
  layers: { links: null, points: null },
  crossingLayers: new Map(), // crossing id -> circle marker, restyled when closures change
  overlays: { flows: null, changes: null, routes: null, critical: null },
  overlayInfo: {},        // what the legend says about each overlay
  overlayShown: 'none',   // the overlay on the map
  routeLines: [],
  editor: null,           // the scenario being edited, see blankEditor()
  lastRun: null,
  running: false,
  playing: false,         // a game is being solved
  countryPairs: [],       // [{key: 'AFG-PAK', label, crossings: [ids]}] of the map's network
  risk: { closures: new Map() }, // what the Resilience tab closes: key -> {key, label, ids}
  analysing: false,       // a resilience analysis is running
};

export const placeName = (id) => (state.placeById.get(id) || {}).name || id;
export const countryName = (iso3) => (state.countries.find((c) => c.iso3 === iso3) || {}).name || iso3;
