//! The API's handlers. Each loads what it needs by scenario *name* (never a path), calls
//! the model, and answers JSON or GeoJSON.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use karvan_data::{embedded, is_name, locate_named, Applied, Scenario};
use karvan_model::{places, Model, RouteChoice};
use karvan_report::Comparison;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::assets;
use crate::error::ApiError;
use crate::state::{AppState, GameJob, ResilienceJob, Run};

type ApiResult<T> = Result<T, ApiError>;

fn applied(state: &AppState, scenario: Option<&str>) -> ApiResult<Applied> {
    if let Some(name) = scenario.filter(|s| *s != "base") {
        if !is_name(name) {
            return Err(ApiError::bad_request(format!(
                "`{name}` is not a scenario name (lowercase letters, digits and `-`)"
            )));
        }
    }
    let located = locate_named(scenario, Some(state.scenario_dir()))
        .map_err(|p| ApiError::not_found(p.to_string().trim_end().to_string()))?;
    Ok(located.applied()?)
}

fn geojson(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/geo+json")], body).into_response()
}

pub async fn index() -> Response {
    assets::file("index.html")
}

pub async fn asset(Path(path): Path<String>) -> Response {
    assets::file(&path)
}

pub async fn not_found() -> ApiError {
    ApiError::not_found("no such page or API endpoint; the API is described at /api/openapi.json")
}

pub async fn health() -> Json<Value> {
    Json(json!({ "status": "ok", "dataset": embedded::DEFAULT }))
}

pub async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        assets::OPENAPI,
    )
        .into_response()
}

pub async fn basemap() -> Response {
    (
        [(header::CONTENT_TYPE, "application/geo+json")],
        assets::BASEMAP,
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct ScenarioQuery {
    scenario: Option<String>,
}

pub async fn places(
    State(state): State<AppState>,
    q: Result<Query<ScenarioQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Value>> {
    let Query(q) = q?;
    let a = applied(&state, q.scenario.as_deref())?;
    let v: Vec<Value> = a
        .dataset
        .nodes
        .iter()
        .map(|n| json!({ "id": n.id, "name": n.name, "country": n.country, "kind": n.kind, "is_zone": n.is_zone }))
        .collect();
    Ok(Json(json!(v)))
}

pub async fn commodities(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let a = applied(&state, None)?;
    let v: Vec<Value> =
        a.dataset.commodities.iter().map(|c| json!({ "id": c.id, "name": c.name, "value_usd_per_t": c.value_usd_per_t, "source": c.source })).collect();
    Ok(Json(json!(v)))
}

pub async fn countries(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let a = applied(&state, None)?;
    let ds = &a.dataset;
    let v: Vec<Value> = ds
        .countries
        .iter()
        .map(|c| {
            let tariffs: Vec<Value> = ds
                .tariffs
                .iter()
                .filter(|t| t.country == c.iso3)
                .map(|t| json!({ "mode": t.mode.as_str(), "commodity": t.commodity, "kind": t.kind.as_str(), "usd_per_tkm": t.usd_per_tkm, "usd_per_t": t.usd_per_t, "source": t.source }))
                .collect();
            json!({ "iso3": c.iso3, "name": c.name, "tariffs": tariffs })
        })
        .collect();
    Ok(Json(json!(v)))
}

pub async fn network(
    State(state): State<AppState>,
    q: Result<Query<ScenarioQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Response> {
    let Query(q) = q?;
    let a = applied(&state, q.scenario.as_deref())?;
    Ok(geojson(karvan_report::geo::network(
        &a.dataset,
        &a.link_open,
        &a.crossing_open,
    )?))
}

#[derive(Deserialize)]
pub struct RouteQuery {
    from: String,
    to: String,
    commodity: Option<String>,
    alternatives: Option<usize>,
    scenario: Option<String>,
}

pub async fn route(
    State(state): State<AppState>,
    q: Result<Query<RouteQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Value>> {
    let Query(q) = q?;
    let model = Model::new(applied(&state, q.scenario.as_deref())?);
    let ds = &model.applied.dataset;
    let from = places::find(ds, &q.from)?;
    let to = places::find(ds, &q.to)?;
    if from == to {
        return Err(ApiError::bad_request(
            "origin and destination are the same place",
        ));
    }
    let k = model.commodity(q.commodity.as_deref().unwrap_or("container"))?;
    let routes = model.routes(from, to, k, q.alternatives.unwrap_or(3).min(10));
    let v: Vec<Value> = routes
        .iter()
        .map(|r| {
            let mut v = serde_json::to_value(r).unwrap_or(Value::Null);
            v["geometry"] = json!(karvan_report::geo::route_line(ds, r));
            v["staircase"] = serde_json::to_value(r.staircase()).unwrap_or(Value::Null);
            v
        })
        .collect();
    Ok(Json(
        json!({ "from": ds.nodes[from].name, "to": ds.nodes[to].name, "routes": v }),
    ))
}

#[derive(Deserialize)]
pub struct SelectLinkQuery {
    id: String,
    scenario: Option<String>,
}

pub async fn select_link(
    State(state): State<AppState>,
    q: Result<Query<SelectLinkQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Value>> {
    let Query(q) = q?;
    let model = Model::new(applied(&state, q.scenario.as_deref())?);
    let ds = &model.applied.dataset;
    if !ds.links.iter().any(|l| l.id == q.id) && !ds.crossings.iter().any(|c| c.id == q.id) {
        return Err(ApiError::not_found(format!(
            "no link or crossing `{}`",
            q.id
        )));
    }
    let choice = RouteChoice::from_settings(&model.applied.assignment);
    let id = q.id.clone();
    let users = tokio::task::spawn_blocking(move || {
        let results = karvan_model::run(&model, choice);
        results
            .select_link(&id)
            .iter()
            .map(|(o, t)| json!({ "origin": o.origin, "destination": o.destination, "commodity": o.commodity, "tonnes_on_element": t, "od_tonnes": o.tonnes }))
            .collect::<Vec<Value>>()
    })
    .await
    .map_err(|_| ApiError::internal("the select-link run failed"))?;
    Ok(Json(json!({ "element": q.id, "users": users })))
}

pub async fn list_scenarios(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let mut v: Vec<Value> = vec![
        json!({ "name": "base", "origin": "dataset", "description": "The embedded dataset as it is in its base year." }),
    ];
    for (name, text) in embedded::SCENARIOS {
        let description = Scenario::parse(text, name)
            .ok()
            .and_then(|s| s.description)
            .unwrap_or_default();
        v.push(json!({ "name": name, "origin": "shipped", "description": description }));
    }
    if let Ok(dir) = std::fs::read_dir(state.scenario_dir()) {
        let mut saved: Vec<String> = dir
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                e.file_name()
                    .to_str()
                    .and_then(|n| n.strip_suffix(".toml"))
                    .map(str::to_string)
            })
            .filter(|n| is_name(n) && embedded::scenario(n).is_none())
            .collect();
        saved.sort();
        for name in saved {
            let text = std::fs::read_to_string(state.scenario_dir().join(format!("{name}.toml")))
                .unwrap_or_default();
            let description = Scenario::parse(&text, &name)
                .ok()
                .and_then(|s| s.description)
                .unwrap_or_default();
            v.push(json!({ "name": name, "origin": "saved", "description": description }));
        }
    }
    Ok(Json(json!(v)))
}

pub async fn get_scenario(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    if name == "base" {
        return Ok(Json(
            json!({ "name": "base", "origin": "dataset", "toml": format!("base = \"{}\"\n", embedded::DEFAULT) }),
        ));
    }
    if !is_name(&name) {
        return Err(ApiError::bad_request(format!(
            "`{name}` is not a scenario name (lowercase letters, digits and `-`)"
        )));
    }
    let path = state.scenario_dir().join(format!("{name}.toml"));
    let (origin, text) = match (std::fs::read_to_string(&path), embedded::scenario(&name)) {
        (Ok(t), _) => ("saved", t),
        (Err(_), Some(t)) => ("shipped", t.to_string()),
        _ => return Err(ApiError::not_found(format!("no scenario `{name}`"))),
    };
    let scenario = Scenario::parse(&text, &name)?;
    Ok(Json(
        json!({ "name": name, "origin": origin, "toml": text, "scenario": scenario }),
    ))
}

/// Saves a scenario after checking that it parses and applies to its base; the file is
/// written to a temporary name and renamed, so a failed save changes nothing.
pub async fn put_scenario(
    State(state): State<AppState>,
    Path(name): Path<String>,
    body: Result<String, axum::extract::rejection::StringRejection>,
) -> ApiResult<Json<Value>> {
    let body = body?;
    if !is_name(&name) {
        return Err(ApiError::bad_request(format!(
            "`{name}` is not a scenario name (lowercase letters, digits and `-`)"
        )));
    }
    if embedded::scenario(&name).is_some() || name == "base" {
        return Err(ApiError::conflict(format!(
            "`{name}` is a shipped scenario; save your changes under another name"
        )));
    }
    let scenario = Scenario::parse(&body, &format!("{name}.toml"))?;
    if !embedded::names().contains(&scenario.base.as_str()) {
        return Err(ApiError::bad_request(format!(
            "base must be an embedded dataset ({}) for scenarios saved here",
            embedded::names().join(", ")
        )));
    }
    let located = karvan_data::Located {
        scenario,
        label: format!("{name}.toml"),
        dir: state.scenario_dir().to_path_buf(),
    };
    located.applied()?;
    karvan_report::write_file(
        &state.scenario_dir().join(format!("{name}.toml")),
        body.as_bytes(),
    )?;
    Ok(Json(json!({ "name": name, "saved": true })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    scenario: String,
}

/// Starts a run in the background; poll `/api/runs/{id}` for its state.
pub async fn start_run(
    State(state): State<AppState>,
    body: Result<Json<RunRequest>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let Json(req) = body?;
    let a = applied(&state, Some(&req.scenario))?;
    let id = state.start(&req.scenario);
    let st = state.clone();
    tokio::task::spawn_blocking(move || {
        let scenario = req.scenario;
        let model = Model::new(a);
        let choice = RouteChoice::from_settings(&model.applied.assignment);
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let results = karvan_model::run(&model, choice);
            let flows = karvan_report::geo::flows(&model.applied.dataset, &results);
            (results, flows)
        }));
        let outcome = match run {
            Ok((results, Ok(flows))) => Run::Done {
                scenario,
                results: Arc::new(results),
                flows: Arc::new(flows),
            },
            Ok((_, Err(e))) => Run::Failed {
                scenario,
                error: e.to_string(),
            },
            Err(_) => Run::Failed {
                scenario,
                error: "the run failed unexpectedly; no result was kept".into(),
            },
        };
        st.set(id, outcome);
    });
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "id": id, "status": "running" })),
    ))
}

fn parse_id(id: &str) -> ApiResult<u64> {
    id.parse()
        .map_err(|_| ApiError::bad_request(format!("`{id}` is not a run id")))
}

pub async fn get_run(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let n = parse_id(&id)?;
    match state.get(n) {
        None => Err(ApiError::not_found(format!("no run {id}"))),
        Some(Run::Running { scenario }) => Ok(Json(
            json!({ "id": n, "status": "running", "scenario": scenario }),
        )),
        Some(Run::Failed { scenario, error }) => Ok(Json(
            json!({ "id": n, "status": "failed", "scenario": scenario, "error": error }),
        )),
        Some(Run::Done {
            scenario, results, ..
        }) => Ok(Json(
            json!({ "id": n, "status": "done", "scenario": scenario, "results": *results }),
        )),
    }
}

pub async fn run_flows(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let n = parse_id(&id)?;
    match state.get(n) {
        Some(Run::Done { flows, .. }) => Ok(geojson(flows.as_ref().clone())),
        Some(_) => Err(ApiError::conflict(format!(
            "run {id} has no results (still running, or failed)"
        ))),
        None => Err(ApiError::not_found(format!("no run {id}"))),
    }
}

#[derive(Deserialize)]
pub struct CompareQuery {
    a: String,
    b: String,
}

pub async fn compare(
    State(state): State<AppState>,
    q: Result<Query<CompareQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Value>> {
    let Query(q) = q?;
    let (ma, mb) = (
        Model::new(applied(&state, Some(&q.a))?),
        Model::new(applied(&state, Some(&q.b))?),
    );
    tokio::task::spawn_blocking(move || {
        let ra = karvan_model::run(&ma, RouteChoice::from_settings(&ma.applied.assignment));
        let rb = karvan_model::run(&mb, RouteChoice::from_settings(&mb.applied.assignment));
        let cmp = Comparison::new(&ma.applied.dataset, &ra, &mb.applied.dataset, &rb);
        let changes: Value = serde_json::from_str(&cmp.geojson(&mb.applied.dataset)?).unwrap_or(Value::Null);
        Ok(Json(json!({ "comparison": cmp, "flow_changes": changes, "assignment_a": ra.assignment, "assignment_b": rb.assignment })))
    })
    .await
    .map_err(|_| ApiError::internal("the comparison failed"))?
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GameRequest {
    scenario: String,
    /// ISO3 codes; default: the seven transit countries.
    players: Option<Vec<String>>,
    max_multiplier: Option<f64>,
    outside_markup: Option<f64>,
    dispersion: Option<f64>,
    shipper_weight: Option<f64>,
    carrying_cost_usd_per_tkm: Option<f64>,
}

/// Starts the tariff game in the background; poll `/api/games/{id}` for progress.
pub async fn start_game(
    State(state): State<AppState>,
    body: Result<Json<GameRequest>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let Json(req) = body?;
    let a = applied(&state, Some(&req.scenario))?;
    // Defaults, then the scenario's `[game]` table, then the request.
    let mut settings = karvan_policy::MarketSettings::default();
    let g = &a.game;
    if let Some(p) = &g.players {
        settings.players = p.clone();
    }
    if let Some(m) = g.max_multiplier {
        settings.bounds = (0.0, m);
    }
    settings.outside_markup = g.outside_markup.unwrap_or(settings.outside_markup);
    settings.dispersion = g.dispersion.unwrap_or(settings.dispersion);
    settings.shipper_weight = g.shipper_weight.unwrap_or(settings.shipper_weight);
    settings.carrying_cost_usd_per_tkm = g
        .carrying_cost_usd_per_tkm
        .unwrap_or(settings.carrying_cost_usd_per_tkm);
    if let Some(p) = req.players {
        if p.is_empty() || p.len() > 8 {
            return Err(ApiError::bad_request("give between 1 and 8 players"));
        }
        settings.players = p.iter().map(|x| x.trim().to_uppercase()).collect();
    }
    for p in &settings.players {
        if !a.dataset.countries.iter().any(|c| &c.iso3 == p) {
            return Err(ApiError::bad_request(format!("unknown player `{p}`")));
        }
    }
    let check = |v: Option<f64>, name: &str| -> ApiResult<Option<f64>> {
        match v {
            Some(x) if !x.is_finite() || x < 0.0 => Err(ApiError::bad_request(format!(
                "{name} must be a number ≥ 0"
            ))),
            other => Ok(other),
        }
    };
    if let Some(m) = check(req.max_multiplier, "max_multiplier")? {
        settings.bounds = (0.0, m);
    }
    if let Some(x) = check(req.outside_markup, "outside_markup")? {
        settings.outside_markup = x;
    }
    if let Some(x) = check(req.dispersion, "dispersion")? {
        settings.dispersion = x;
    }
    if let Some(x) = check(req.shipper_weight, "shipper_weight")? {
        settings.shipper_weight = x;
    }
    if let Some(x) = check(req.carrying_cost_usd_per_tkm, "carrying_cost_usd_per_tkm")? {
        settings.carrying_cost_usd_per_tkm = x;
    }
    let id = state.start_game(1 << settings.players.len());
    let st = state.clone();
    tokio::task::spawn_blocking(move || {
        let model = Model::new(a);
        let progress = st.clone();
        let job = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            karvan_policy::analyse(&model, settings, &|| progress.game_progress(id))
        })) {
            Ok(Ok(g)) => GameJob::Done(Arc::new(g)),
            Ok(Err(e)) => GameJob::Failed(e),
            Err(_) => GameJob::Failed("the game failed unexpectedly; no result was kept".into()),
        };
        st.set_game(id, job);
    });
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "id": id, "status": "running" })),
    ))
}

pub async fn get_game(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let n = parse_id(&id)?;
    match state.game(n) {
        None => Err(ApiError::not_found(format!("no game {id}"))),
        Some(GameJob::Running { done, total }) => Ok(Json(
            json!({ "id": n, "status": "running", "coalitions_done": done, "coalitions": total }),
        )),
        Some(GameJob::Failed(e)) => Ok(Json(json!({ "id": n, "status": "failed", "error": e }))),
        Some(GameJob::Done(g)) => Ok(Json(json!({
            "id": n, "status": "done", "analysis": *g,
            "model": karvan_report::game::model_statement(&g),
        }))),
    }
}

#[derive(Deserialize)]
pub struct RiskQuery {
    scenario: Option<String>,
    /// Comma-separated link or crossing ids, or country pairs such as `AFG-PAK`; absent:
    /// the scenario's `[[disruption]]` entries.
    close: Option<String>,
    start: Option<f64>,
    days: Option<f64>,
    /// Share of capacity left (a partial closure); absent: closed.
    capacity_share: Option<f64>,
}

/// Closures during the year against the base: where cargo goes, extra cost, lost trade.
pub async fn risk(
    State(state): State<AppState>,
    q: Result<Query<RiskQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Value>> {
    use karvan_policy::resilience::{parse_elements, Element, Evaluator};
    let Query(q) = q?;
    let a = applied(&state, q.scenario.as_deref())?;
    let (start, days) = (q.start.unwrap_or(0.0), q.days.unwrap_or(365.0));
    if !(start.is_finite() && days.is_finite() && start >= 0.0 && days >= 0.0) {
        return Err(ApiError::bad_request("start and days must be numbers ≥ 0"));
    }
    let mut closures: Vec<(Element, f64, f64)> = Vec::new();
    let mut partial = std::collections::HashMap::new();
    match q.close.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(close) => {
            let spec: Vec<String> = close
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            for e in parse_elements(&a, &spec).map_err(ApiError::bad_request)? {
                closures.push((e, start, days));
                if let Some(s) = q.capacity_share {
                    partial.insert(e, s);
                }
            }
        }
        None => {
            for d in &a.disruptions {
                for e in parse_elements(&a, &d.close).map_err(ApiError::bad_request)? {
                    closures.push((e, d.start_day, d.days));
                    if let Some(s) = d.capacity_share {
                        partial.insert(e, s);
                    }
                }
            }
        }
    }
    tokio::task::spawn_blocking(move || {
        let ev = Evaluator::new(&a, RouteChoice::from_settings(&a.assignment)).with_partial(partial).map_err(ApiError::bad_request)?;
        let base = ev.state(&Default::default());
        let all_year = ev.state(&closures.iter().map(|c| c.0).collect());
        let year = ev.year(&closures);
        let names: Vec<String> = closures
            .iter()
            .map(|c| match c.0 {
                Element::Link(i) => a.dataset.links[i].name.clone(),
                Element::Crossing(i) => a.dataset.crossings[i].name.clone(),
            })
            .collect();
        Ok(Json(json!({ "closed": names, "start": start, "days": days, "base": base, "closed_all_year": all_year, "year": year })))
    })
    .await
    .map_err(|_| ApiError::internal("the closure analysis failed"))?
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResilienceRequest {
    scenario: String,
    /// Monte Carlo years (at most 5,000; default 1,000).
    samples: Option<usize>,
    seed: Option<u64>,
}

/// Starts the resilience analysis in the background; poll `/api/resilience/{id}`.
pub async fn start_resilience(
    State(state): State<AppState>,
    body: Result<Json<ResilienceRequest>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let Json(req) = body?;
    let a = applied(&state, Some(&req.scenario))?;
    let samples = req.samples.unwrap_or(1000);
    if samples > 5000 {
        return Err(ApiError::bad_request("at most 5,000 Monte Carlo years"));
    }
    let seed = req.seed.unwrap_or(1);
    let total = karvan_policy::resilience::open_elements(&a).len() + samples;
    let id = state.start_resilience(total);
    let st = state.clone();
    tokio::task::spawn_blocking(move || {
        let chance = a.dataset.manifest.parameter("closure_chance_per_year");
        let days = a.dataset.manifest.parameter("closure_days");
        let choice = RouteChoice::from_settings(&a.assignment);
        let progress = st.clone();
        let job = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            karvan_policy::resilience::analyse(&a, choice, samples, seed, chance, days, &|| {
                progress.resilience_progress(id)
            })
        })) {
            Ok(r) => ResilienceJob::Done(Arc::new(r)),
            Err(_) => {
                ResilienceJob::Failed("the analysis failed unexpectedly; no result was kept".into())
            }
        };
        st.set_resilience(id, job);
    });
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "id": id, "status": "running" })),
    ))
}

pub async fn get_resilience(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let n = parse_id(&id)?;
    match state.resilience(n) {
        None => Err(ApiError::not_found(format!("no resilience analysis {id}"))),
        Some(ResilienceJob::Running { done, total }) => Ok(Json(
            json!({ "id": n, "status": "running", "done": done, "total": total }),
        )),
        Some(ResilienceJob::Failed(e)) => {
            Ok(Json(json!({ "id": n, "status": "failed", "error": e })))
        }
        Some(ResilienceJob::Done(r)) => {
            Ok(Json(json!({ "id": n, "status": "done", "analysis": *r })))
        }
    }
}
