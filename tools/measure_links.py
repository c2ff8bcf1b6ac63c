#!/usr/bin/env python3
"""Measure link lengths and geometry for a Karvan dataset on the OSM-derived graphs.

Python 3.11, standard library only.

For every link in <dataset>/links.csv this script
  * snaps both endpoints (nodes.csv) to the nearest node of the matching network:
    rail links -> world_railways graph; road links -> road nodes (ids < 560282) of
    world_highways_and_marnet; sea links -> sea-lane nodes (ids >= 560282, the searoute
    maritime network) of the same graph;
  * runs Dijkstra between the snapped nodes (optionally through VIA waypoints below);
  * sanity-checks the result: snap distance (> 15 km road/rail, > 150 km sea), path length
    (> 2.5 x great-circle) and, when the Natural Earth country polygons are available, the
    length of the path that runs outside the link's own country (> max(15 km, 10 %)); in
    the last case it retries with the search restricted to that country.

What is rewritten:
  * links whose length_source starts with "measured:" or is this script's own fallback
    ("estimate: ... (graph measurement rejected: ...)") get a new length_km / length_source: the measured
    path length when the checks pass, else great-circle x 1.3 (road/rail) or x 1.2 (sea);
  * links with any other length_source (a URL, "derived: ...", a reasoned "estimate: ...")
    keep their length; for existing / under-construction links their measured geometry is
    still stored when the checks pass and the measured length is within 0.6-1.6x of the
    sourced length;
  * planned and proposed links are not in OSM and are never measured.
  * geometry.geojson is rewritten: one LineString per link with accepted geometry,
    simplified (Douglas-Peucker) to <= 200 points, coordinates rounded to 4 decimals.

Usage:
  python3 tools/measure_links.py [--dataset data/central-asia-afghanistan]
        [--graphs DIR (the OSM-derived graph CSVs; or set KARVAN_OSM_GRAPHS)]
        [--countries FILE (Natural Earth country polygons)] [--dry-run] [--report FILE]

Only a bounding box (lat 15-61, lon 35-95) of each graph is loaded, so a run takes well
under a minute on one core. Road and rail graphs: (c) OpenStreetMap contributors, ODbL 1.0
(via the scgraph_data package); sea lanes: searoute maritime network (Apache-2.0).
"""
import argparse
import csv
import gzip
import heapq
import io
import json
import math
import os
import sys

SEA0 = 560282            # first sea-lane node id in world_highways_and_marnet
BBOX = (15.0, 61.0, 35.0, 95.0)   # lat_min, lat_max, lon_min, lon_max
SNAP_MAX_KM = {'rail': 15.0, 'road': 15.0, 'sea': 150.0}
RATIO_MAX = 2.5
# gaps between graph components closed before routing (see Graph._bridge)
BRIDGE_KM = {'rail': 6.0, 'road': 1.5}
DETOUR = {'rail': 1.3, 'road': 1.3, 'sea': 1.2}
MAX_POINTS = 200

# marks this script's own fallback estimates, which are re-measured on every run
FALLBACK_TAG = 'graph measurement rejected'

# Waypoints (lat, lon) forcing a measured path along the real corridor where the plain
# shortest path on the simplified graph would take another road or line.
VIA = {}   # e.g. 'mazar-i-sharif-pul-e-khumri-road': [(36.265, 68.015)]
# Links whose measurement is known to be wrong on the simplified graph: always fall back
# to the great-circle estimate (reason is written into length_source).
FORCE_ESTIMATE = {}


def gc_km(a, b):
    la1, lo1, la2, lo2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


# ---------------------------------------------------------------- graphs
# Countries the Natural Earth basemap names without an ISO 3166 code.
NAME_TO_ISO = {'Georgia': 'GEO', 'Turkey': 'TUR'}

class Graph:
    def __init__(self, base, bridge_km=0.0, keep=lambda i: True):
        self.nodes = {}
        self.adj = {}
        with gzip.open(base + '.nodes.csv.gz', 'rt') as f:
            r = csv.reader(f)
            next(r)
            for i, la, lo in r:
                la = float(la)
                lo = float(lo)
                if BBOX[0] <= la <= BBOX[1] and BBOX[2] <= lo <= BBOX[3]:
                    self.nodes[int(i)] = (la, lo)
        with gzip.open(base + '.edges.csv.gz', 'rt') as f:
            r = csv.reader(f)
            next(r)
            for u, v, km in r:
                u = int(u)
                v = int(v)
                if u in self.nodes and v in self.nodes and keep(u) == keep(v):
                    km = float(km)
                    self.adj.setdefault(u, []).append((v, km))
                    self.adj.setdefault(v, []).append((u, km))
        # 1-degree grid index of connected nodes
        self.grid = {}
        for i in self.adj:
            la, lo = self.nodes[i]
            self.grid.setdefault((int(math.floor(la)), int(math.floor(lo))), []).append(i)
        self.bridges = self._bridge(bridge_km, keep) if bridge_km > 0 else 0

    def _bridge(self, max_km, keep):
        """The simplified graphs fall apart into pieces separated by small gaps (often
        ~0.1 km where two OSM ways were simplified separately). Join every pair of
        connected components whose nearest nodes are <= max_km apart by one edge of that
        great-circle length."""
        comp = {}
        c = 0
        for s in self.adj:
            if s in comp:
                continue
            c += 1
            comp[s] = c
            st = [s]
            while st:
                u = st.pop()
                for v, _ in self.adj[u]:
                    if v not in comp:
                        comp[v] = c
                        st.append(v)
        cell = 0.1
        grid = {}
        for i in self.adj:
            if keep(i):
                la, lo = self.nodes[i]
                grid.setdefault((int(la // cell), int(lo // cell)), []).append(i)
        best = {}
        for (gx, gy), members in grid.items():
            near = []
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    near += grid.get((gx + dx, gy + dy), ())
            for i in members:
                ci = comp[i]
                for j in near:
                    cj = comp[j]
                    if cj <= ci:
                        continue
                    d = gc_km(self.nodes[i], self.nodes[j])
                    if d <= max_km and d < best.get((ci, cj), (float('inf'),))[0]:
                        best[(ci, cj)] = (d, i, j)
        for d, i, j in best.values():
            self.adj[i].append((j, d))
            self.adj[j].append((i, d))
        return len(best)

    def candidates(self, p, filt, max_km, k=6):
        """Up to k graph nodes within max_km of p (nearest first), as (km, id)."""
        out = []
        cla, clo = int(math.floor(p[0])), int(math.floor(p[1]))
        r = int(max_km // 80) + 1
        for dla in range(-r, r + 1):
            for dlo in range(-r - 1, r + 2):
                for i in self.grid.get((cla + dla, clo + dlo), ()):
                    if filt(i):
                        d = gc_km(p, self.nodes[i])
                        if d <= max_km:
                            out.append((d, i))
        out.sort()
        return out[:k]

    def nearest(self, p, filt, max_deg=3):
        best = (float('inf'), None)
        cla, clo = int(math.floor(p[0])), int(math.floor(p[1]))
        for r in range(0, max_deg + 1):
            for dla in range(-r, r + 1):
                for dlo in range(-r, r + 1):
                    if max(abs(dla), abs(dlo)) != r:
                        continue
                    for i in self.grid.get((cla + dla, clo + dlo), ()):
                        if filt(i):
                            d = gc_km(p, self.nodes[i])
                            if d < best[0]:
                                best = (d, i)
            # a node found within ring r is certainly nearer than anything beyond ring r+1
            if best[1] is not None and best[0] < r * 85:
                break
        return best

    def route(self, sources, targets, allowed=None):
        """Multi-source Dijkstra. sources/targets: lists of (snap_km, node). Minimises
        snap_a + path + snap_b; returns (path_km, path) without the snap legs."""
        dist = {}
        prev = {}
        pq = []
        for d0, s in sources:
            if d0 < dist.get(s, float('inf')):
                dist[s] = d0
                heapq.heappush(pq, (d0, s))
        start = {s: d0 for d0, s in sources}
        tgt = {}
        for d1, t in targets:
            tgt[t] = min(d1, tgt.get(t, float('inf')))
        best = (float('inf'), None)
        while pq:
            d, u = heapq.heappop(pq)
            if d > dist.get(u, float('inf')):
                continue
            if d >= best[0]:
                break
            if u in tgt and d + tgt[u] < best[0]:
                best = (d + tgt[u], u)
            for v, w in self.adj.get(u, ()):
                if allowed is not None and not allowed(v):
                    continue
                nd = d + w
                if nd < dist.get(v, float('inf')):
                    dist[v] = nd
                    prev[v] = u
                    heapq.heappush(pq, (nd, v))
        if best[1] is None:
            return None, None
        path = [best[1]]
        while path[-1] in prev:
            path.append(prev[path[-1]])
        path = path[::-1]
        return dist[best[1]] - start[path[0]], path


# ---------------------------------------------------------------- countries
class Countries:
    """Point-in-polygon on the Natural Earth polygons (used only as a sanity check)."""

    def __init__(self, path):
        self.polys = []
        self.cache = {}
        fc = json.load(open(path))
        for f in fc['features']:
            p = f['properties']
            iso = p.get('iso_a3') or p.get('name')
            # The basemap gives Georgia and Turkey no ISO code, only their names.
            iso = NAME_TO_ISO.get(iso, iso)
            g = f['geometry']
            parts = g['coordinates'] if g['type'] == 'MultiPolygon' else [g['coordinates']]
            for poly in parts:
                rings = [[(c[0], c[1]) for c in ring] for ring in poly]
                xs = [c[0] for c in rings[0]]
                ys = [c[1] for c in rings[0]]
                self.polys.append((iso, (min(xs), max(xs), min(ys), max(ys)), rings))

    @staticmethod
    def _inring(x, y, ring):
        ins = False
        j = len(ring) - 1
        for i in range(len(ring)):
            xi, yi = ring[i]
            xj, yj = ring[j]
            if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
                ins = not ins
            j = i
        return ins

    def of(self, lat, lon):
        key = (round(lat, 3), round(lon, 3))
        if key in self.cache:
            return self.cache[key]
        res = None
        for iso, (x0, x1, y0, y1), rings in self.polys:
            if x0 <= lon <= x1 and y0 <= lat <= y1 and self._inring(lon, lat, rings[0]) \
                    and not any(self._inring(lon, lat, r) for r in rings[1:]):
                res = iso
                break
        self.cache[key] = res
        return res


# ---------------------------------------------------------------- geometry helpers
def simplify(pts, max_points=MAX_POINTS):
    """Douglas-Peucker on (lon, lat) with a growing tolerance until <= max_points."""
    def dp(points, tol):
        if len(points) < 3:
            return points
        keep = [False] * len(points)
        keep[0] = keep[-1] = True
        stack = [(0, len(points) - 1)]
        while stack:
            a, b = stack.pop()
            (x1, y1), (x2, y2) = points[a], points[b]
            dx, dy = x2 - x1, y2 - y1
            n2 = dx * dx + dy * dy
            best, bi = -1.0, None
            for i in range(a + 1, b):
                x, y = points[i]
                if n2 == 0:
                    d = math.hypot(x - x1, y - y1)
                else:
                    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / n2))
                    d = math.hypot(x - (x1 + t * dx), y - (y1 + t * dy))
                if d > best:
                    best, bi = d, i
            if bi is not None and best > tol:
                keep[bi] = True
                stack.append((a, bi))
                stack.append((bi, b))
        return [p for p, k in zip(points, keep) if k]

    dedup = []
    for p in pts:
        q = (round(p[0], 4), round(p[1], 4))
        if not dedup or dedup[-1] != q:
            dedup.append(q)
    tol = 0.0005
    out = dp(dedup, tol)
    while len(out) > max_points:
        tol *= 2
        out = dp(dedup, tol)
    if len(out) == 1:
        out = out * 2
    return [[round(x, 4), round(y, 4)] for x, y in out]


def fmt_km(x):
    return f'{x:.1f}' if x < 100 else f'{x:.0f}'


# ---------------------------------------------------------------- main
def measure(link, nodes, graphs, countries):
    mode = link['mode']
    a = nodes[link['from']]
    b = nodes[link['to']]
    pa = (float(a['lat']), float(a['lon']))
    pb = (float(b['lat']), float(b['lon']))
    if mode == 'rail':
        g = graphs['rail']
        filt = lambda i: True
    elif mode == 'road':
        g = graphs['road']
        filt = lambda i: i < SEA0
    else:
        g = graphs['road']
        filt = lambda i: i >= SEA0
    pts = [pa] + VIA.get(link['id'], []) + [pb]
    lim = SNAP_MAX_KM[mode]
    near = [g.nearest(p, filt, max_deg=3 if mode == 'sea' else 1) for p in pts]
    # candidates: nodes about as near as the nearest one (so that a dead-end stub of an
    # unrelated road a few hundred metres closer does not win), all within the snap limit
    cands = [[c for c in g.candidates(p, filt, lim) if c[0] <= max(n[0] + 5.0, 1.5 * n[0])]
             for p, n in zip(pts, near)]
    res = {'gc': gc_km(pa, pb), 'snap': max(n[0] for n in near), 'ok': False, 'why': ''}
    if any(not c for c in cands):
        res['why'] = (f"snap {res['snap']:.1f} km > {lim:.0f} km" if all(n[1] is not None for n in near)
                      else 'no graph node near an endpoint')
        return res

    def route(allowed=None):
        total, path, snaps = 0.0, [], []
        for k in range(len(cands) - 1):
            src = cands[k] if not path else [(0.0, path[-1])]
            d, p = g.route(src, cands[k + 1], allowed)
            if p is None:
                return None, None, None
            if not path:
                snaps.append(gc_km(pts[0], g.nodes[p[0]]))
            total += d
            path += p if not path else p[1:]
        snaps.append(gc_km(pts[-1], g.nodes[path[-1]]))
        return total, path, snaps

    total, path, snaps = route()
    if path is None:
        res['why'] = 'no path in graph'
        return res
    res['snap'] = max(snaps)
    ctry = (a['country'] if a['country'] == b['country'] else None) if mode != 'sea' else None
    out_km = 0.0

    def outside(path):
        o = 0.0
        if countries is None or ctry is None:
            return 0.0
        cs = [countries.of(*g.nodes[i]) for i in path]
        for k in range(1, len(path)):
            if cs[k - 1] != ctry and cs[k] != ctry:
                o += gc_km(g.nodes[path[k - 1]], g.nodes[path[k]])
        return o

    out_km = outside(path)
    restricted = False
    if out_km > max(15.0, 0.1 * total):
        def allowed(v, _c=countries, _n=pts):
            p = g.nodes[v]
            return _c.of(*p) == ctry or any(gc_km(p, q) < 25 for q in _n)
        t2, p2, s2 = route(allowed)
        if p2 is not None:
            total, path, snaps, restricted = t2, p2, s2, True
            out_km = outside(path)
            res['snap'] = max(snaps)
    if mode == 'sea':
        total += snaps[0] + snaps[-1]      # approach legs port <-> sea lane
    res.update(length=total, out=out_km, restricted=restricted)
    geom = [(pa[1], pa[0])] if mode == 'sea' else []
    geom += [(g.nodes[i][1], g.nodes[i][0]) for i in path]
    if mode == 'sea':
        geom.append((pb[1], pb[0]))
    res['geom'] = geom
    if res['gc'] > 0 and total > RATIO_MAX * res['gc'] and total > 5:
        res['why'] = f"path {total:.0f} km > {RATIO_MAX} x great-circle {res['gc']:.0f} km"
        return res
    if out_km > max(15.0, 0.1 * total):
        res['why'] = f'{out_km:.0f} km of the path outside {ctry}'
        return res
    if total < 0.9 * res['gc']:
        res['why'] = (f"path {total:.1f} km shorter than the great-circle {res['gc']:.1f} km "
                      "(both ends snap to nearly the same part of the graph)")
        return res
    res['ok'] = True
    return res


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--dataset', default=os.path.join(here, '..', 'data', 'central-asia-afghanistan'))
    ap.add_argument('--graphs', default=os.environ.get('KARVAN_OSM_GRAPHS', '../shared/data/osm-graphs'))
    ap.add_argument('--countries', default='../shared/data/basemap/countries.geojson')
    ap.add_argument('--dry-run', action='store_true', help='report only, write nothing')
    ap.add_argument('--report', help='write the per-link report (TSV) to this file')
    args = ap.parse_args()

    with open(os.path.join(args.dataset, 'nodes.csv'), newline='', encoding='utf-8') as f:
        nodes = {r['id']: r for r in csv.DictReader(f)}
    links_path = os.path.join(args.dataset, 'links.csv')
    with open(links_path, newline='', encoding='utf-8') as f:
        rd = csv.DictReader(f)
        fields = rd.fieldnames
        links = list(rd)

    print('loading graphs ...', file=sys.stderr)
    graphs = {'rail': Graph(os.path.join(args.graphs, 'world_railways'), bridge_km=BRIDGE_KM['rail']),
              'road': Graph(os.path.join(args.graphs, 'world_highways_and_marnet'), bridge_km=BRIDGE_KM['road'],
                            keep=lambda i: i < SEA0)}
    print(f"bridged {graphs['rail'].bridges} rail and {graphs['road'].bridges} road gaps", file=sys.stderr)
    countries = Countries(args.countries) if os.path.exists(args.countries) else None
    if countries is None:
        print('countries file not found: out-of-country check skipped', file=sys.stderr)

    features = []
    report = ['id\tmode\tstatus\tgc_km\tsnap_km\tmeasured_km\tout_km\tdecision\tlength_km\tlength_source']
    for l in links:
        src = l['length_source']
        remeasure = src.startswith('measured:') or FALLBACK_TAG in src
        if l['status'] in ('planned', 'proposed'):
            report.append(f"{l['id']}\t{l['mode']}\t{l['status']}\t\t\t\t\tnot in OSM (kept)\t{l['length_km']}\t{src[:60]}")
            continue
        res = measure(l, nodes, graphs, countries)
        if l['id'] in FORCE_ESTIMATE:
            res['ok'] = False
            res['why'] = FORCE_ESTIMATE[l['id']]
        keep_geom = False
        if remeasure:
            if res['ok']:
                l['length_km'] = fmt_km(res['length'])
                kind = {'rail': 'OSM rail graph', 'road': 'OSM road graph', 'sea': 'searoute sea graph'}[l['mode']]
                extra = ' (incl. port approach legs)' if l['mode'] == 'sea' else ''
                extra += ' (search restricted to the link country)' if res.get('restricted') else ''
                l['length_source'] = f'measured: {kind}{extra}'
                keep_geom = True
                decision = 'measured'
            else:
                f = DETOUR[l['mode']]
                l['length_km'] = fmt_km(res['gc'] * f)
                l['length_source'] = (f"estimate: great-circle {res['gc']:.0f} km × {f} detour factor "
                                      f"({FALLBACK_TAG}: {res['why']})")
                decision = 'fallback: ' + res['why']
        else:
            sourced = float(l['length_km'])
            if res['ok'] and 0.6 <= res['length'] / sourced <= 1.6:
                keep_geom = True
                decision = f"sourced kept; geometry stored (measured/sourced {res['length'] / sourced:.2f})"
            elif res['ok']:
                decision = f"sourced kept; geometry dropped (measured/sourced {res['length'] / sourced:.2f})"
            else:
                decision = 'sourced kept; no geometry: ' + res['why']
        if keep_geom:
            features.append({'type': 'Feature', 'properties': {'link': l['id']},
                             'geometry': {'type': 'LineString', 'coordinates': simplify(res['geom'])}})
        report.append(f"{l['id']}\t{l['mode']}\t{l['status']}\t{res['gc']:.0f}\t{res['snap']:.1f}\t"
                      f"{res.get('length', float('nan')):.0f}\t{res.get('out', 0):.0f}\t{decision}\t{l['length_km']}\t{l['length_source'][:60]}")

    text = '\n'.join(report) + '\n'
    if args.report:
        open(args.report, 'w', encoding='utf-8').write(text)
    else:
        sys.stdout.write(text)
    if args.dry_run:
        return
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields, lineterminator='\n')
    w.writeheader()
    w.writerows(links)
    open(links_path, 'w', encoding='utf-8', newline='').write(buf.getvalue())
    fc = {'type': 'FeatureCollection', 'features': features}
    with open(os.path.join(args.dataset, 'geometry.geojson'), 'w', encoding='utf-8') as f:
        f.write('{"type": "FeatureCollection", "features": [\n')
        f.write(',\n'.join(json.dumps(ft, ensure_ascii=False, separators=(',', ':')) for ft in fc['features']))
        f.write('\n]}\n')
    print(f'{len(features)} geometries written', file=sys.stderr)


if __name__ == '__main__':
    main()
