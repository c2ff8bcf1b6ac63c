#!/usr/bin/env python3
"""Consistency checks for a Karvan dataset folder (Python 3.11, standard library only).

Checks (see data/FORMAT-DRAFT.md):
  * headers in the documented column order; every row has a non-empty source;
  * ids unique and well-formed; every referenced id exists; enums valid; numbers in range;
  * links: both endpoints in the same country (except sea); rail links have a gauge;
    opens_year present for under_construction / planned;
  * crossings: endpoints in different countries;
  * gauge-transfer rule: wherever rail links/crossings of different gauges meet at a node
    there is a transfer between those rail layers; nodes with sea links have a sea transfer;
  * demand origins/destinations are zones; corridors reference existing crossings;
    risk regions are countries or provinces used in nodes.csv;
  * connectivity: every demand pair has a path over existing links and crossings
    (layers joined only by transfers; a zone can load/unload on any layer it has), and
    Tashkent -> Karachi has a path through Afghanistan (avoiding Iran) AND one through
    Iran (avoiding Afghanistan);
  * prints the cheapest existing Tashkent -> Karachi routes (operating cost + tariffs +
    fees + transfers) and a rough all-or-nothing assignment of demand.csv by corridor
    (adding time and risk costs), today vs every project built, as a plausibility check
    of the cost parameters. These numbers are informative only, not the Rust model.

Usage: python3 tools/check_dataset.py [data/central-asia-afghanistan]
Exit status 1 if any check fails.
"""
import csv
import heapq
import json
import os
import re
import sys
import tomllib

HEADERS = {
    'countries.csv': 'iso3,name,source',
    'nodes.csv': 'id,name,aliases,country,province,lat,lon,kind,is_zone,source',
    'links.csv': 'id,name,from,to,mode,gauge_mm,length_km,length_source,speed_kmh,capacity_t_per_year,status,opens_year,project,source',
    'crossings.csv': 'id,name,from,to,mode,gauge_mm,length_km,dwell_hours,fee_usd_per_t,capacity_t_per_day,status,opens_year,project,source',
    'transfers.csv': 'node,from,to,usd_per_t,hours,source',
    'commodities.csv': 'id,name,value_usd_per_t,source',
    'tariffs.csv': 'country,mode,commodity,kind,usd_per_tkm,usd_per_t,source',
    'demand.csv': 'origin,destination,commodity,tonnes_per_year,year,source',
    'risk.csv': 'region,index,source',
    'corridors.csv': 'id,name,crossings,source',
}
ID_RE = re.compile(r'^[a-z0-9]+(-[a-z0-9]+)*$')
KINDS = {'city', 'station', 'border_post', 'port', 'dry_port', 'junction'}
STATUS = {'existing', 'under_construction', 'planned', 'proposed'}
GAUGES = {'1520', '1435', '1676'}
LAYERS = {'road', 'rail-1520', 'rail-1435', 'rail-1676', 'sea'}
SRC_OK = re.compile(r'^(https?://|measured: |derived: |estimate: |common: )')

errors = []
warnings = []


def err(msg):
    errors.append(msg)


def read(folder, name):
    path = os.path.join(folder, name)
    with open(path, newline='', encoding='utf-8') as f:
        rd = csv.reader(f)
        header = next(rd)
        rows = [dict(zip(header, r)) for r in rd]
        for i, r in enumerate(rows):
            if len(r) != len(header):
                err(f'{name} row {i + 2}: {len(r)} fields, expected {len(header)}')
    if ','.join(header) != HEADERS[name]:
        err(f'{name}: header {",".join(header)} != {HEADERS[name]}')
    for i, r in enumerate(rows):
        s = r.get('source', '').strip()
        if not s:
            err(f'{name} row {i + 2}: empty source')
        elif not SRC_OK.match(s):
            err(f'{name} row {i + 2}: source does not start with a URL / measured: / derived: / estimate: / common: ({s[:40]})')
    return rows


def num(name, row, col, lo=None, hi=None, required=True, integer=False):
    v = row.get(col, '')
    if v == '':
        if required:
            err(f'{name}: {col} missing in {row.get("id") or row}')
        return None
    try:
        x = int(v) if integer else float(v)
    except ValueError:
        err(f'{name}: {col}={v!r} not a number ({row.get("id", "")})')
        return None
    if (lo is not None and x < lo) or (hi is not None and x > hi):
        err(f'{name}: {col}={v} out of range [{lo},{hi}] ({row.get("id", "")})')
    return x


def layer(mode, gauge):
    return f'rail-{gauge}' if mode == 'rail' else mode


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'central-asia-afghanistan')
    T = {n: read(folder, n) for n in HEADERS}
    with open(os.path.join(folder, 'dataset.toml'), 'rb') as f:
        meta = tomllib.load(f)
    for k in ('name', 'version', 'title', 'currency_year', 'base_year', 'licence', 'attribution'):
        if k not in meta:
            err(f'dataset.toml: {k} missing')
    params = meta.get('parameters', {})
    for k, v in params.items():
        if not isinstance(v, dict) or 'value' not in v or not str(v.get('source', '')).strip():
            err(f'dataset.toml: parameter {k} needs value and source')

    countries = {r['iso3'] for r in T['countries.csv']}
    nodes = {}
    for r in T['nodes.csv']:
        if not ID_RE.match(r['id']):
            err(f'nodes.csv: bad id {r["id"]!r}')
        if r['id'] in nodes:
            err(f'nodes.csv: duplicate id {r["id"]}')
        nodes[r['id']] = r
        if r['country'] not in countries:
            err(f'nodes.csv: {r["id"]} country {r["country"]} not in countries.csv')
        num('nodes.csv', r, 'lat', -90, 90)
        num('nodes.csv', r, 'lon', -180, 180)
        if r['kind'] not in KINDS:
            err(f'nodes.csv: {r["id"]} kind {r["kind"]}')
        if r['is_zone'] not in ('true', 'false'):
            err(f'nodes.csv: {r["id"]} is_zone {r["is_zone"]}')
    zones = {i for i, r in nodes.items() if r['is_zone'] == 'true'}

    edge_ids = set()
    links = T['links.csv']
    crossings = T['crossings.csv']
    node_layers = {i: set() for i in nodes}
    rail_gauges = {i: set() for i in nodes}
    for name, rows, is_link in (('links.csv', links, True), ('crossings.csv', crossings, False)):
        for r in rows:
            i = r['id']
            if not ID_RE.match(i):
                err(f'{name}: bad id {i!r}')
            if i in edge_ids:
                err(f'{name}: duplicate id {i} (ids of links and crossings must be unique)')
            edge_ids.add(i)
            a, b = r['from'], r['to']
            if a not in nodes or b not in nodes:
                err(f'{name}: {i} references unknown node {a if a not in nodes else b}')
                continue
            if a == b:
                err(f'{name}: {i} from == to')
            mode = r['mode']
            if mode not in ({'rail', 'road', 'sea'} if is_link else {'rail', 'road'}):
                err(f'{name}: {i} mode {mode}')
            if mode == 'rail' and r['gauge_mm'] not in GAUGES:
                err(f'{name}: {i} rail without valid gauge ({r["gauge_mm"]})')
            if mode != 'rail' and r['gauge_mm']:
                err(f'{name}: {i} gauge on a {mode} edge')
            if r['status'] not in STATUS:
                err(f'{name}: {i} status {r["status"]}')
            if r['status'] in ('under_construction', 'planned'):
                num(name, r, 'opens_year', 2025, 2060, integer=True)
            elif r['opens_year']:
                num(name, r, 'opens_year', 2025, 2060, integer=True)
            if r['project'] and not ID_RE.match(r['project']):
                err(f'{name}: {i} bad project id {r["project"]}')
            ca, cb = nodes[a]['country'], nodes[b]['country']
            if is_link:
                num(name, r, 'length_km', 0.001)
                if not r['length_source'].strip():
                    err(f'{name}: {i} empty length_source')
                elif not SRC_OK.match(r['length_source']):
                    err(f'{name}: {i} length_source not URL/measured/derived/estimate')
                num(name, r, 'speed_kmh', 1, 200, required=False)
                num(name, r, 'capacity_t_per_year', 1, required=False)
                if mode != 'sea' and ca != cb:
                    err(f'links.csv: {i} joins {a} ({ca}) and {b} ({cb}): different countries')
            else:
                num(name, r, 'length_km', 0, required=False)
                num(name, r, 'dwell_hours', 0, 1000)
                num(name, r, 'fee_usd_per_t', 0, 1000)
                num(name, r, 'capacity_t_per_day', 1, required=False)
                if ca == cb:
                    err(f'crossings.csv: {i} endpoints {a}, {b} both in {ca}')
            lay = layer(mode, r['gauge_mm'])
            for n in (a, b):
                node_layers[n].add(lay)
                if mode == 'rail':
                    rail_gauges[n].add(r['gauge_mm'])

    transfers = {}
    for r in T['transfers.csv']:
        n = r['node']
        if n not in nodes:
            err(f'transfers.csv: unknown node {n}')
            continue
        if r['from'] not in LAYERS or r['to'] not in LAYERS or r['from'] == r['to']:
            err(f'transfers.csv: {n} bad layers {r["from"]}->{r["to"]}')
            continue
        key = (n, frozenset((r['from'], r['to'])))
        if key in transfers:
            err(f'transfers.csv: duplicate transfer {n} {r["from"]}<->{r["to"]}')
        transfers[key] = r
        num('transfers.csv', r, 'usd_per_t', 0)
        num('transfers.csv', r, 'hours', 0)
        for lay in (r['from'], r['to']):
            if lay not in node_layers[n] and not (nodes[n]['kind'] == 'port' and nodes[n]['is_zone'] == 'true'):
                warnings.append(f'transfers.csv: {n} has no {lay} link/crossing (transfer {r["from"]}<->{r["to"]} unused)')
    # gauge-transfer rule
    for n, gs in rail_gauges.items():
        gs = sorted(gs)
        for x in range(len(gs)):
            for y in range(x + 1, len(gs)):
                if (n, frozenset((f'rail-{gs[x]}', f'rail-{gs[y]}'))) not in transfers:
                    err(f'gauge rule: {n} has rail {gs[x]} and {gs[y]} but no transfer between them')
    no_switch = []
    for n, lays in node_layers.items():
        if 'sea' in lays and not any(k[0] == n and 'sea' in k[1] for k in transfers):
            err(f'port rule: {n} has sea links but no sea transfer')
        if 'road' in lays and any(l.startswith('rail') for l in lays) and \
                not any(k[0] == n and 'road' in k[1] for k in transfers):
            no_switch.append(n)
        if not lays:
            warnings.append(f'{n}: node without links or crossings')
    if no_switch:
        print(f'info: road and rail meet without a road<->rail transfer (no switching) at {len(no_switch)} nodes: '
              + ', '.join(sorted(no_switch)))

    commodities = {}
    for r in T['commodities.csv']:
        if r['id'] in commodities:
            err(f'commodities.csv: duplicate {r["id"]}')
        commodities[r['id']] = r
        num('commodities.csv', r, 'value_usd_per_t', 1)
    for c in ('container', 'bulk', 'fuel', 'grain', 'food'):
        if c not in commodities:
            err(f'commodities.csv: {c} missing')
    tariffs = {}
    for r in T['tariffs.csv']:
        if r['country'] not in countries:
            err(f'tariffs.csv: unknown country {r["country"]}')
        if r['mode'] not in ('rail', 'road'):
            err(f'tariffs.csv: mode {r["mode"]}')
        if r['commodity'] != '*' and r['commodity'] not in commodities:
            err(f'tariffs.csv: unknown commodity {r["commodity"]}')
        if r['kind'] not in ('transit', 'domestic'):
            err(f'tariffs.csv: kind {r["kind"]}')
        key = (r['country'], r['mode'], r['commodity'], r['kind'])
        if key in tariffs:
            err(f'tariffs.csv: duplicate {key}')
        tariffs[key] = (num('tariffs.csv', r, 'usd_per_tkm', 0, 1, required=False) or 0.0,
                        num('tariffs.csv', r, 'usd_per_t', 0, 1000, required=False) or 0.0)
    seen = set()
    for r in T['demand.csv']:
        for k in ('origin', 'destination'):
            if r[k] not in nodes:
                err(f'demand.csv: unknown node {r[k]}')
            elif r[k] not in zones:
                err(f'demand.csv: {r[k]} is not a zone')
        if r['commodity'] not in commodities:
            err(f'demand.csv: unknown commodity {r["commodity"]}')
        num('demand.csv', r, 'tonnes_per_year', 1)
        num('demand.csv', r, 'year', 2000, 2100, integer=True)
        key = (r['origin'], r['destination'], r['commodity'])
        if key in seen:
            err(f'demand.csv: duplicate {key}')
        seen.add(key)
        if r['origin'] == r['destination']:
            err(f'demand.csv: origin == destination {key}')
    provinces = {r['province'] for r in nodes.values() if r['province']}
    for r in T['risk.csv']:
        if r['region'] not in countries and r['region'] not in provinces:
            err(f'risk.csv: region {r["region"]} is neither a country nor a province in nodes.csv')
        num('risk.csv', r, 'index', 0, 1)
    cross_ids = {r['id'] for r in crossings}
    cor_ids = set()
    for r in T['corridors.csv']:
        if r['id'] in cor_ids:
            err(f'corridors.csv: duplicate {r["id"]}')
        cor_ids.add(r['id'])
        for c in r['crossings'].split(';'):
            if c not in cross_ids:
                err(f'corridors.csv: {r["id"]} unknown crossing {c}')
    # geometry
    gpath = os.path.join(folder, 'geometry.geojson')
    link_ids = {r['id'] for r in links}
    with open(gpath, encoding='utf-8') as f:
        fc = json.load(f)
    for ft in fc.get('features', []):
        lid = ft.get('properties', {}).get('link')
        coords = ft.get('geometry', {}).get('coordinates', [])
        if lid not in link_ids:
            err(f'geometry.geojson: unknown link {lid}')
        if ft.get('geometry', {}).get('type') != 'LineString' or len(coords) < 2 or len(coords) > 200:
            err(f'geometry.geojson: {lid} not a LineString of 2..200 points')
        for x, y in coords:
            if round(x, 4) != x or round(y, 4) != y:
                err(f'geometry.geojson: {lid} coordinates not rounded to 4 decimals')
                break

    # ------------------------------------------------------------ connectivity
    def build_graph(avoid=frozenset(), statuses=('existing',)):
        adj = {}

        def add(u, v, w, info):
            adj.setdefault(u, []).append((v, w, info))
            adj.setdefault(v, []).append((u, w, info))
        for r in links:
            if r['status'] not in statuses:
                continue
            a, b = r['from'], r['to']
            if nodes[a]['country'] in avoid or nodes[b]['country'] in avoid:
                continue
            lay = layer(r['mode'], r['gauge_mm'])
            add((a, lay), (b, lay), float(r['length_km']), ('link', r))
        for r in crossings:
            if r['status'] not in statuses:
                continue
            a, b = r['from'], r['to']
            if nodes[a]['country'] in avoid or nodes[b]['country'] in avoid:
                continue
            lay = layer(r['mode'], r['gauge_mm'])
            add((a, lay), (b, lay), float(r['length_km'] or 0), ('crossing', r))
        for (n, pair), r in transfers.items():
            x, y = sorted(pair)
            add((n, x), (n, y), 0.0, ('transfer', r))
        return adj

    def dijkstra(adj, s, t, weight):
        """s, t: zone node ids; a shipment may start and end on any layer present at the
        zone (but cannot switch layers there without a transfer)."""
        s_lay = [(s, lay) for lay in node_layers[s]]
        t_lay = {(t, lay) for lay in node_layers[t]}
        dist = {x: 0.0 for x in s_lay}
        prev = {}
        pq = [(0.0, x) for x in s_lay]
        t = None
        while pq:
            d, u = heapq.heappop(pq)
            if u in t_lay:
                t = u
                break
            if d > dist[u]:
                continue
            for v, w, info in adj.get(u, ()):
                nd = d + weight(u, v, w, info)
                if nd < dist.get(v, float('inf')):
                    dist[v] = nd
                    prev[v] = (u, info)
                    heapq.heappush(pq, (nd, v))
        if t is None:
            return None, None
        path = []
        x = t
        while x in prev:
            u, info = prev[x]
            path.append((u, x, info))
            x = u
        return dist[t], path[::-1]

    km = lambda u, v, w, info: w
    full = build_graph()
    missing = 0
    for r in T['demand.csv']:
        o, d = r['origin'], r['destination']
        if o not in zones or d not in zones:
            continue
        dist, _ = dijkstra(full, o, d, km)
        if dist is None:
            missing += 1
            err(f'connectivity: no existing path {o} -> {d}')

    op = {k: v['value'] for k, v in params.items()}

    risk_of = {r['region']: float(r['index']) for r in T['risk.csv']}

    def node_risk(n):
        p = nodes[n]['province']
        return risk_of.get(p, risk_of.get(nodes[n]['country'], 0.0))

    def cost_fn(oc, dc, com, full_cost=False):
        value = float(commodities[com]['value_usd_per_t'])
        vot = value * op.get('time_value_share_per_year', 0.2) / 8760
        ins = value * op.get('insurance_rate_per_1000km', 0.01) / 1000
        speed = {'road': op.get('default_speed_road', 42), 'rail': op.get('default_speed_rail', 25),
                 'sea': op.get('default_speed_sea', 28)}

        def tariff(country, mode):
            kind = 'domestic' if country in (oc, dc) else 'transit'
            return tariffs.get((country, mode, com, kind)) or tariffs.get((country, mode, '*', kind)) or (0.0, 0.0)

        def w(u, v, length, info):
            typ, r = info
            extra = 0.0
            if typ == 'link':
                m = r['mode']
                if full_cost:
                    sp = float(r['speed_kmh']) if r['speed_kmh'] else speed[m]
                    extra = vot * length / sp + ins * length * (node_risk(r['from']) + node_risk(r['to'])) / 2
                if m == 'sea':
                    return length * op.get('operating_cost_sea', 0.003) + extra
                oper = op.get('operating_cost_road', 0.05) if m == 'road' else op.get(f'operating_cost_rail_{r["gauge_mm"]}', 0.02)
                return length * (oper + tariff(nodes[r['from']]['country'], m)[0]) + extra
            if typ == 'crossing':
                entered = nodes[v[0]]['country']
                if full_cost:
                    extra = vot * float(r['dwell_hours'])
                return float(r['fee_usd_per_t']) + tariff(entered, r['mode'])[1] + float(r['length_km'] or 0) * 0.05 + extra
            if typ == 'transfer':
                return float(r['usd_per_t']) + (vot * float(r['hours']) if full_cost else 0.0)
            return 0.0
        return w

    def describe(path):
        out = []
        for u, v, (typ, r) in path:
            if typ == 'crossing':
                out.append(f'=[{r["id"]}]=> {v[0]}')
            elif typ == 'transfer':
                out.append(f'<{u[1]}->{v[1]}>')
            elif typ == 'link':
                out.append(f'-{v[1]}-> {v[0]}')
        return u0 + ' ' + ' '.join(out)
    u0 = 'tashkent'

    def total_km(path):
        return sum(float(r['length_km'] or 0) for u, v, (typ, r) in path if typ in ('link', 'crossing'))

    print('--- Tashkent -> Karachi (container), existing network only')
    for label, avoid, must in (('through Afghanistan', frozenset({'IRN'}), 'AFG'),
                               ('through Iran', frozenset({'AFG'}), 'IRN')):
        adj = build_graph(avoid)
        c, path = dijkstra(adj, 'tashkent', 'karachi', cost_fn('UZB', 'PAK', 'container'))
        if path is None:
            err(f'connectivity: no Tashkent -> Karachi path {label}')
            continue
        used = {nodes[x[0]]['country'] for u, v, _ in path for x in (u, v)}
        if must not in used:
            err(f'connectivity: Tashkent -> Karachi {label} does not pass {must}')
        L = total_km(path)
        print(f'  {label}: {L:.0f} km, ~${c:.0f}/t (operating + tariffs + fees + transfers; {c / L:.3f} USD/t-km)')
        print('   ', describe(path))

    adj = build_graph(frozenset({'IRN'}), tuple(STATUS))
    c, path = dijkstra(adj, 'tashkent', 'karachi', cost_fn('UZB', 'PAK', 'container'))
    if path:
        print(f'  with every planned/proposed project built (avoiding Iran): {total_km(path):.0f} km, ~${c:.0f}/t')
        print('   ', describe(path))

    # rough all-or-nothing assignment (operating + tariffs + fees + transfers + time + risk)
    def assign(statuses):
        adj = build_graph(frozenset(), statuses)
        by_cor = {}
        for r in T['demand.csv']:
            o, d, com = r['origin'], r['destination'], r['commodity']
            c, path = dijkstra(adj, o, d, cost_fn(nodes[o]['country'], nodes[d]['country'], com, True))
            if path is None:
                by_cor['(unroutable)'] = by_cor.get('(unroutable)', 0) + float(r['tonnes_per_year'])
                continue
            used = {info[1]['id'] for _, _, info in path if info[0] == 'crossing'}
            name = '(no crossing)' if not used else '(no corridor)'
            for cr in T['corridors.csv']:
                if set(cr['crossings'].split(';')) <= used:
                    name = cr['name']
                    break
            by_cor[name] = by_cor.get(name, 0) + float(r['tonnes_per_year'])
        return by_cor
    a = assign(('existing',))
    b = assign(tuple(STATUS))
    print('--- rough all-or-nothing assignment, kt/yr by corridor: today -> every project built')
    for k in sorted(set(a) | set(b), key=lambda k: -max(a.get(k, 0), b.get(k, 0))):
        print(f'  {a.get(k, 0) / 1e3:8.0f} -> {b.get(k, 0) / 1e3:8.0f}  {k}')

    print(f'--- summary: {len(nodes)} nodes ({len(zones)} zones), {len(links)} links, {len(crossings)} crossings, '
          f'{len(transfers)} transfers, {len(commodities)} commodities, {len(tariffs)} tariffs, '
          f'{len(T["demand.csv"])} demand rows, {len(T["risk.csv"])} risk rows, {len(T["corridors.csv"])} corridors, '
          f'{len(fc.get("features", []))} geometries')
    for w in warnings:
        print('warning:', w)
    for e in errors:
        print('ERROR:', e)
    print(f'{len(errors)} errors, {len(warnings)} warnings')
    sys.exit(1 if errors else 0)


if __name__ == '__main__':
    main()
