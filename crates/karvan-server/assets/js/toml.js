// Scenarios written as TOML, as `karvan run` reads them. Strings use JSON's escapes, which
// are all valid TOML escapes.

export const DEFAULT_BASE = 'central-asia-afghanistan';

const tomlString = (v) => JSON.stringify(String(v)).replace(/\x7f/g, '\\u007f');
const tomlKey = (k) => (/^[A-Za-z0-9_-]+$/.test(k) ? k : tomlString(k));

function tomlNumber(n) {
  if (!Number.isFinite(n)) throw new Error(`${n} is not a number TOML can hold.`);
  return String(n);
}

/** A float written so TOML reads it as a float (3 → 3.0). */
const tomlFloat = (n) => (Number.isInteger(n) ? n.toFixed(1) : tomlNumber(n));

function tomlValue(v) {
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return tomlNumber(v);
  return tomlString(v);
}

export function editorToToml(ed) {
  const lines = ['# Written by the Karvan web page.'];
  lines.push(`name = ${tomlString(ed.name)}`);
  if (ed.description) lines.push(`description = ${tomlString(ed.description)}`);
  lines.push(`base = ${tomlString(ed.base || DEFAULT_BASE)}`);
  if (ed.year != null) lines.push(`year = ${ed.year}`);
  if (ed.closures.size) lines.push(`closures = [${[...ed.closures].map(tomlString).join(', ')}]`);

  const projects = Object.entries(ed.projects);
  if (projects.length) {
    lines.push('', '[projects]');
    for (const [id, v] of projects) lines.push(`${tomlKey(id)} = ${tomlValue(v)}`);
  }
  for (const [country, percent] of Object.entries(ed.tariffs)) {
    lines.push('', '[[tariff]]', `country = ${tomlString(country)}`, 'kind = "transit"', `percent = ${tomlFloat(percent)}`);
  }
  for (const t of ed.extra.tariffs) {
    lines.push('', '[[tariff]]');
    for (const key of ['country', 'mode', 'commodity', 'kind']) {
      if (t[key] != null) lines.push(`${key} = ${tomlString(t[key])}`);
    }
    for (const key of ['percent', 'usd_per_tkm', 'usd_per_t']) {
      if (t[key] != null) lines.push(`${key} = ${tomlFloat(t[key])}`);
    }
  }
  const byCommodity = Object.entries(ed.extra.byCommodity);
  if (ed.growth || byCommodity.length) {
    lines.push('', '[demand]', `growth_percent_per_year = ${tomlFloat(ed.growth)}`);
    if (byCommodity.length) {
      lines.push('', '[demand.by_commodity]');
      for (const [k, v] of byCommodity) lines.push(`${tomlKey(k)} = ${tomlFloat(v)}`);
    }
  }
  const parameters = Object.entries(ed.extra.parameters);
  if (parameters.length) {
    lines.push('', '[parameters]');
    for (const [k, v] of parameters) lines.push(`${tomlKey(k)} = ${tomlFloat(v)}`);
  }
  const assignment = Object.entries(ed.extra.assignment);
  if (assignment.length) {
    lines.push('', '[assignment]');
    for (const [k, v] of assignment) lines.push(`${tomlKey(k)} = ${k === 'gap' || k === 'dispersion' ? tomlFloat(v) : tomlValue(v)}`);
  }
  // The game's settings have no fields in the editor, but saving must not drop them.
  const game = Object.entries(ed.extra.game);
  if (game.length) {
    lines.push('', '[game]');
    for (const [k, v] of game) lines.push(`${tomlKey(k)} = ${Array.isArray(v) ? `[${v.map(tomlString).join(', ')}]` : tomlFloat(v)}`);
  }
  // Closures during the year (for `karvan risk`) are kept as they were.
  for (const d of ed.extra.disruptions) {
    lines.push('', '[[disruption]]', `close = [${d.close.map(tomlString).join(', ')}]`,
      `start_day = ${tomlFloat(d.start_day)}`, `days = ${tomlFloat(d.days)}`);
    if (d.capacity_share != null) lines.push(`capacity_share = ${tomlFloat(d.capacity_share)}`);
  }
  return `${lines.join('\n')}\n`;
}
