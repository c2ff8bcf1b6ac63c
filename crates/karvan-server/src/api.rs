//! The API's handlers. Each loads what it needs by scenario *name* (never a path), calls
//! the model, and answers JSON or GeoJSON. Work that takes CPU time runs off the async
//! workers ([`AppState::compute`]) or, for long analyses, in the background job pool.

use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection, StringRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use karvan_data::{embedded, is_name, locate_named, Applied, Dataset, Located, Scenario};
use karvan_model::{places, Model, RouteChoice, RunResults};
use karvan_policy::appraisal::{self, Appraisal, Scheme, Settings};
use karvan_report::Comparison;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::assets;
use crate::error::ApiError;
use crate::state::{AppState, AppliedCache, JobView, Kind, Missing, Outcome, Status};

type ApiResult<T> = Result<T, ApiError>;
type QueryResult<T> = Result<Query<T>, QueryRejection>;
type PathResult = Result<Path<String>, PathRejection>;

fn name_error(name: &str) -> ApiError {
    ApiError::bad_request(format!(
        "`{name}` is not a scenario name (lowercase letters, digits and `-`, at most 64)"
    ))
}

/// Where scenarios are read from, and the ones already applied.
#[derive(Clone)]
struct Scenarios {
    dir: PathBuf,
    cache: Arc<AppliedCache>,
}

impl Scenarios {
    fn of(state: &AppState) -> Scenarios {
        Scenarios {
            dir: state.scenario_dir().to_path_buf(),
            cache: state.applied_cache(),
        }
    }

    /// A scenario applied to its dataset. One whose base is an embedded dataset is
    /// applied once and reused while its saved file (if any), and the saved files of the
    /// scenarios it extends, stay byte for byte the same.
    fn applied(&self, scenario: Option<&str>) -> ApiResult<Applied> {
        let name = checked_name(scenario)?;
        let key = name.unwrap_or("base");
        let source = || name.and_then(|n| self.saved_chain(n));
        let before = source();
        if let Some(a) = self.cache.get(key, &before) {
            return Ok(a.as_ref().clone());
        }
        let located = self.located(name)?;
        let embedded_base = embedded::names().contains(&located.scenario.base.as_str());
        let a = located.applied()?;
        // Kept only when the file did not change while it was read.
        if embedded_base && source() == before {
            self.cache.put(key, before, Arc::new(a.clone()));
        }
        Ok(a)
    }
}

/// A scenario's name as given, `None` for the base; a 400 when it is not a name.
fn checked_name(scenario: Option<&str>) -> ApiResult<Option<&str>> {
    match scenario.filter(|s| *s != "base") {
        Some(name) if !is_name(name) => Err(name_error(name)),
        name => Ok(name),
    }
}

impl Scenarios {
    /// A scenario found by name (a saved file or a shipped scenario), or 404.
    fn located(&self, scenario: Option<&str>) -> ApiResult<Located> {
        let name = checked_name(scenario)?;
        locate_named(name, Some(&self.dir))
            .map_err(|p| ApiError::not_found(p.to_string().trim_end().to_string()))
    }

    /// The bytes of the saved scenario `name` followed by those of the saved scenarios it
    /// extends (a shipped parent has no file and cannot change); `None` when `name` has no
    /// saved file.
    fn saved_chain(&self, name: &str) -> Option<Vec<u8>> {
        let mut bytes = std::fs::read(saved_path(&self.dir, name)).ok()?;
        let mut next = Scenario::parse(&String::from_utf8_lossy(&bytes), name)
            .ok()
            .and_then(|s| s.extends);
        for _ in 0..8 {
            let Some(parent) = next.take().filter(|p| is_name(p)) else {
                break;
            };
            let Ok(more) = std::fs::read(saved_path(&self.dir, &parent)) else {
                break;
            };
            next = Scenario::parse(&String::from_utf8_lossy(&more), &parent)
                .ok()
                .and_then(|s| s.extends);
            bytes.extend_from_slice(b"\n--extends--\n");
            bytes.extend_from_slice(&more);
        }
        Some(bytes)
    }
}

/// Loads a scenario off the async workers.
async fn applied_async(state: &AppState, scenario: Option<String>) -> ApiResult<Applied> {
    let sc = Scenarios::of(state);
    state
        .compute("scenario", move || sc.applied(scenario.as_deref()))
        .await
}

/// `value` if it lies in `limit`, else a 400 naming the field and the range.
fn limited(field: &str, value: f64, limit: &karvan_data::limits::Limit) -> ApiResult<f64> {
    if limit.accepts(value) {
        Ok(value)
    } else {
        Err(ApiError::out_of_range(field, &limit.range()))
    }
}

fn geojson(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/geo+json")], body).into_response()
}

pub async fn index() -> Response {
    assets::file("index.html")
}

pub async fn asset(path: PathResult) -> Response {
    let Ok(Path(path)) = path else {
        return ApiError::not_found("no such asset").into_response();
    };
    let res = assets::file(&path);
    if res.status() == StatusCode::NOT_FOUND {
        return ApiError::not_found(format!("no asset `{path}`")).into_response();
    }
    res
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
    q: QueryResult<ScenarioQuery>,
) -> ApiResult<Json<Value>> {
    let Query(q) = q?;
    let a = applied_async(&state, q.scenario).await?;
    let v: Vec<Value> = a
        .dataset
        .nodes
        .iter()
        .map(|n| json!({ "id": n.id, "name": n.name, "country": n.country, "kind": n.kind, "is_zone": n.is_zone }))
        .collect();
    Ok(Json(json!(v)))
}

pub async fn commodities(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let a = applied_async(&state, None).await?;
    let v: Vec<Value> =
        a.dataset.commodities.iter().map(|c| json!({ "id": c.id, "name": c.name, "value_usd_per_t": c.value_usd_per_t, "source": c.source })).collect();
    Ok(Json(json!(v)))
}

pub async fn countries(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let a = applied_async(&state, None).await?;
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
    q: QueryResult<ScenarioQuery>,
) -> ApiResult<Response> {
    let Query(q) = q?;
    let sc = Scenarios::of(&state);
    let body = state
        .compute("network", move || {
            let a = sc.applied(q.scenario.as_deref())?;
            Ok(karvan_report::geo::network(
                &a.dataset,
                &a.link_open,
                &a.crossing_open,
            )?)
        })
        .await?;
    Ok(geojson(body))
}

#[derive(Deserialize)]
pub struct RouteQuery {
    from: String,
    to: String,
    commodity: Option<String>,
    alternatives: Option<f64>,
    scenario: Option<String>,
}

pub async fn route(
    State(state): State<AppState>,
    q: QueryResult<RouteQuery>,
) -> ApiResult<Json<Value>> {
    let Query(q) = q?;
    let alternatives = match q.alternatives {
        Some(n) if n.fract() != 0.0 => {
            return Err(ApiError::out_of_range(
                "alternatives",
                "between 0 and 10 (a whole number)",
            ))
        }
        Some(n) => limited("alternatives", n, &karvan_data::limits::ALTERNATIVES)? as usize,
        None => 3,
    };
    let sc = Scenarios::of(&state);
    state
        .compute("route search", move || {
            let model = Model::new(sc.applied(q.scenario.as_deref())?);
            let ds = &model.applied.dataset;
            let (from_match, to_match) = (places::resolve(ds, &q.from)?, places::resolve(ds, &q.to)?);
            // Which place was taken when a name matched only approximately, or when other
            // places have similar names: the page shows these notes.
            let notes: Vec<String> = [(&from_match, &q.from), (&to_match, &q.to)]
                .iter()
                .filter_map(|(m, query)| m.note(ds, query))
                .collect();
            let (from, to) = (from_match.index, to_match.index);
            if from == to {
                return Err(ApiError::bad_request(
                    "origin and destination are the same place",
                ));
            }
            let k = model.commodity(q.commodity.as_deref().unwrap_or("container"))?;
            let routes = model.routes(from, to, k, alternatives);
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
                json!({ "from": ds.nodes[from].name, "to": ds.nodes[to].name, "notes": notes, "routes": v }),
            ))
        })
        .await
}

/// A scenario's model and its run with the scenario's route choice, every figure checked
/// finite.
fn scenario_run(sc: &Scenarios, scenario: Option<&str>) -> ApiResult<(Model, RunResults)> {
    let model = Model::new(sc.applied(scenario)?);
    let choice = RouteChoice::from_settings(&model.applied.assignment);
    let results = karvan_model::run_checked(&model, choice)?;
    Ok((model, results))
}

#[derive(Deserialize)]
pub struct SelectLinkQuery {
    id: String,
    scenario: Option<String>,
}

pub async fn select_link(
    State(state): State<AppState>,
    q: QueryResult<SelectLinkQuery>,
) -> ApiResult<Json<Value>> {
    let Query(q) = q?;
    let sc = Scenarios::of(&state);
    state
        .compute("select-link run", move || {
            let applied = sc.applied(q.scenario.as_deref())?;
            let ds = &applied.dataset;
            if !ds.links.iter().any(|l| l.id == q.id) && !ds.crossings.iter().any(|c| c.id == q.id) {
                return Err(ApiError::not_found(format!(
                    "no link or crossing `{}`",
                    q.id
                )));
            }
            let (_, results) = scenario_run(&sc, q.scenario.as_deref())?;
            let users: Vec<Value> = results
                .select_link(&q.id)
                .iter()
                .map(|(o, t)| json!({ "origin": o.origin, "destination": o.destination, "commodity": o.commodity, "tonnes_on_element": t, "od_tonnes": o.tonnes }))
                .collect();
            Ok(Json(json!({ "element": q.id, "users": users })))
        })
        .await
}

#[derive(Deserialize)]
pub struct FitQuery {
    scenario: Option<String>,
}

/// The run of a scenario against the dataset's observations: every observation with its
/// prediction and errors, the summaries, and the scatter chart as SVG.
pub async fn fit(
    State(state): State<AppState>,
    q: QueryResult<FitQuery>,
) -> ApiResult<Json<Value>> {
    let Query(q) = q?;
    let sc = Scenarios::of(&state);
    state
        .compute("fit", move || {
            let (model, results) = scenario_run(&sc, q.scenario.as_deref())?;
            let Some(fit) = karvan_policy::fit::fit_if_observed(&model.applied.dataset, &results)
            else {
                return Err(ApiError::not_found(
                    "the dataset has no observations to compare the run with",
                ));
            };
            let svg = karvan_report::fit::scatter_svg(&fit)?;
            let mut v =
                serde_json::to_value(&fit).map_err(|e| ApiError::internal(e.to_string()))?;
            if let Some(rows) = v["rows"].as_array_mut() {
                for (row, r) in rows.iter_mut().zip(&fit.rows) {
                    row["error"] = json!(r.error());
                    row["relative_error"] = json!(r.relative_error());
                    row["geh"] = json!(r.geh());
                    row["inside"] = json!(r.inside());
                }
            }
            v["svg"] = json!(svg);
            Ok(Json(v))
        })
        .await
}

#[derive(Deserialize)]
pub struct ReportQuery {
    scenario: Option<String>,
}

/// The self-contained HTML report of a scenario's run (what `karvan report` writes), with
/// the fit to the observations, as a file to download.
pub async fn report(
    State(state): State<AppState>,
    q: QueryResult<ReportQuery>,
) -> ApiResult<Response> {
    let Query(q) = q?;
    let sc = Scenarios::of(&state);
    let name = q.scenario.clone().unwrap_or_else(|| "base".into());
    state
        .compute("report", move || {
            let (model, results) = scenario_run(&sc, q.scenario.as_deref())?;
            let ds = &model.applied.dataset;
            let fit = karvan_policy::fit::fit_if_observed(ds, &results);
            let html = karvan_report::html::report(&karvan_report::html::ReportInput {
                dataset: ds,
                results: &results,
                compare: None,
                game: None,
                resilience: None,
                fit: fit.as_ref(),
                appraisal: None,
                power: None,
            });
            let disposition = format!("attachment; filename=\"karvan-report-{name}.html\"");
            Ok((
                [
                    (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                html,
            )
                .into_response())
        })
        .await
}

/// Where the previous version of saved scenario `name` is kept.
const HISTORY: &str = ".history";

fn saved_path(dir: &FsPath, name: &str) -> PathBuf {
    dir.join(format!("{name}.toml"))
}

fn history_path(dir: &FsPath, name: &str) -> PathBuf {
    dir.join(HISTORY).join(format!("{name}.toml"))
}

fn io_error(what: &str, e: std::io::Error) -> ApiError {
    ApiError::internal(format!("{what}: {e}"))
}

fn is_shipped(name: &str) -> bool {
    name == "base" || embedded::scenario(name).is_some()
}

/// A name a saved scenario may have: valid and not a shipped scenario's.
fn check_saveable(name: &str) -> ApiResult<()> {
    if !is_name(name) {
        return Err(name_error(name));
    }
    if is_shipped(name) {
        return Err(ApiError::conflict(format!(
            "`{name}` is a shipped scenario; save your changes under another name"
        ))
        .with_code("shipped"));
    }
    Ok(())
}

fn exists_error(name: &str) -> ApiError {
    ApiError::conflict(format!(
        "a saved scenario `{name}` exists already; send ?overwrite=true to replace it (its previous version is kept for undo)"
    ))
    .with_code("exists")
}

pub async fn list_scenarios(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let dir = state.scenario_dir().to_path_buf();
    state
        .compute("scenario list", move || {
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
            if let Ok(entries) = std::fs::read_dir(&dir) {
                let mut saved: Vec<String> = entries
                    .filter_map(|e| e.ok())
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                    .filter_map(|e| {
                        e.file_name()
                            .to_str()
                            .and_then(|n| n.strip_suffix(".toml"))
                            .map(str::to_string)
                    })
                    .filter(|n| is_name(n) && !is_shipped(n))
                    .collect();
                saved.sort();
                for name in saved {
                    let text = std::fs::read_to_string(saved_path(&dir, &name)).unwrap_or_default();
                    let description = Scenario::parse(&text, &name)
                        .ok()
                        .and_then(|s| s.description)
                        .unwrap_or_default();
                    let undo = history_path(&dir, &name).is_file();
                    v.push(json!({ "name": name, "origin": "saved", "description": description, "undo": undo }));
                }
            }
            Ok(Json(json!(v)))
        })
        .await
}

pub async fn get_scenario(
    State(state): State<AppState>,
    name: PathResult,
) -> ApiResult<Json<Value>> {
    let Path(name) = name?;
    if name == "base" {
        return Ok(Json(
            json!({ "name": "base", "origin": "dataset", "toml": format!("base = \"{}\"\n", embedded::DEFAULT) }),
        ));
    }
    if !is_name(&name) {
        return Err(name_error(&name));
    }
    let dir = state.scenario_dir().to_path_buf();
    state
        .compute("scenario", move || {
            let path = saved_path(&dir, &name);
            let (origin, text) = match (std::fs::read_to_string(&path), embedded::scenario(&name)) {
                (Ok(t), _) => ("saved", t),
                (Err(_), Some(t)) => ("shipped", t.to_string()),
                _ => return Err(ApiError::not_found(format!("no scenario `{name}`"))),
            };
            let scenario = Scenario::parse(&text, &name)?;
            let undo = origin == "saved" && history_path(&dir, &name).is_file();
            Ok(Json(
                json!({ "name": name, "origin": origin, "toml": text, "scenario": scenario, "undo": undo }),
            ))
        })
        .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PutQuery {
    /// Replace a saved scenario of the same name (its previous version is kept).
    #[serde(default)]
    overwrite: bool,
}

/// Saves a scenario after checking that it parses and applies to its base. An existing
/// scenario of the same name is replaced only when asked (`?overwrite=true`), and then
/// its previous version is kept in `.history/` for undo. Files are written to a
/// temporary name and renamed, so a failed save changes nothing.
pub async fn put_scenario(
    State(state): State<AppState>,
    name: PathResult,
    q: QueryResult<PutQuery>,
    body: Result<String, StringRejection>,
) -> ApiResult<Json<Value>> {
    let Path(name) = name?;
    let Query(q) = q?;
    let body = body?;
    check_saveable(&name)?;
    let dir = state.scenario_dir().to_path_buf();
    let _lock = state.lock_scenarios().await;
    state
        .compute("save", move || {
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
                dir: dir.clone(),
            };
            located.applied()?;
            let path = saved_path(&dir, &name);
            let overwritten = match std::fs::read(&path) {
                Ok(previous) if q.overwrite => {
                    karvan_report::write_file(&history_path(&dir, &name), &previous)?;
                    true
                }
                Ok(_) => return Err(exists_error(&name)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
                Err(e) => return Err(io_error(&format!("reading {name}.toml"), e)),
            };
            karvan_report::write_file(&path, body.as_bytes())?;
            Ok(Json(
                json!({ "name": name, "saved": true, "overwritten": overwritten }),
            ))
        })
        .await
}

/// Deletes a saved scenario by moving it to `.history/`, from where `undo` restores it.
pub async fn delete_scenario(
    State(state): State<AppState>,
    name: PathResult,
) -> ApiResult<Json<Value>> {
    let Path(name) = name?;
    check_saveable(&name)?;
    let dir = state.scenario_dir().to_path_buf();
    let _lock = state.lock_scenarios().await;
    state
        .compute("delete", move || {
            let path = saved_path(&dir, &name);
            if !path.is_file() {
                return Err(ApiError::not_found(format!("no saved scenario `{name}`")));
            }
            let history = history_path(&dir, &name);
            std::fs::create_dir_all(dir.join(HISTORY))
                .map_err(|e| io_error("creating the history folder", e))?;
            std::fs::rename(&path, &history)
                .map_err(|e| io_error(&format!("moving {name}.toml to the history"), e))?;
            Ok(Json(json!({ "deleted": name, "undo": true })))
        })
        .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenameRequest {
    to: String,
}

/// Renames a saved scenario; its own `name = ...`, if it has one, follows.
pub async fn rename_scenario(
    State(state): State<AppState>,
    name: PathResult,
    body: Result<Json<RenameRequest>, JsonRejection>,
) -> ApiResult<Json<Value>> {
    let Path(name) = name?;
    let Json(req) = body?;
    check_saveable(&name)?;
    let to = req.to;
    check_saveable(&to)?;
    if to == name {
        return Err(ApiError::bad_request(format!(
            "`to` is the scenario's current name `{name}`"
        )));
    }
    let dir = state.scenario_dir().to_path_buf();
    let _lock = state.lock_scenarios().await;
    state
        .compute("rename", move || {
            let from = saved_path(&dir, &name);
            let text = match std::fs::read_to_string(&from) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(ApiError::not_found(format!("no saved scenario `{name}`")))
                }
                Err(e) => return Err(io_error(&format!("reading {name}.toml"), e)),
            };
            let target = saved_path(&dir, &to);
            if target.exists() {
                return Err(exists_error(&to));
            }
            let had_name = Scenario::parse(&text, &name)?.name.is_some();
            let text = if had_name {
                let renamed = rename_field(&text, &to).filter(|t| {
                    Scenario::parse(t, &to).is_ok_and(|s| s.name.as_deref() == Some(to.as_str()))
                });
                renamed.ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "the `name = ...` line of {name}.toml is not a plain string on one line; edit it and rename again"
                    ))
                })?
            } else {
                text
            };
            karvan_report::write_file(&target, text.as_bytes())?;
            std::fs::remove_file(&from)
                .map_err(|e| io_error(&format!("removing {name}.toml after the rename"), e))?;
            Ok(Json(json!({ "name": to })))
        })
        .await
}

/// `text` with the value of its top-level `name` key replaced by `new` (a scenario name,
/// which needs no escaping); every other byte as it was. `None` when the key is not
/// there as a one-line string.
fn rename_field(text: &str, new: &str) -> Option<String> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            return None;
        }
        let value = trimmed
            .strip_prefix("name")
            .map(str::trim_start)
            .and_then(|r| r.strip_prefix('='))
            .map(str::trim_start);
        if let Some(value) = value {
            let start = offset + (line.len() - value.len());
            let len = string_len(value)?;
            return Some(format!(
                "{}\"{new}\"{}",
                &text[..start],
                &text[start + len..]
            ));
        }
        offset += line.len();
    }
    None
}

/// Length in bytes of the one-line TOML string (basic or literal) that `s` starts with.
fn string_len(s: &str) -> Option<usize> {
    if s.starts_with("\"\"\"") || s.starts_with("'''") {
        return None;
    }
    let quote = s.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let mut escaped = false;
    for (i, c) in s.char_indices().skip(1) {
        match c {
            '\n' | '\r' => return None,
            '\\' if quote == '"' && !escaped => escaped = true,
            c if c == quote && !escaped => return Some(i + 1),
            _ => escaped = false,
        }
    }
    None
}

/// Puts back the previous version of a saved scenario (or a deleted one). The version it
/// replaces becomes the one kept, so a second undo redoes.
pub async fn undo_scenario(
    State(state): State<AppState>,
    name: PathResult,
) -> ApiResult<Json<Value>> {
    let Path(name) = name?;
    check_saveable(&name)?;
    let dir = state.scenario_dir().to_path_buf();
    let _lock = state.lock_scenarios().await;
    state
        .compute("undo", move || {
            let history = history_path(&dir, &name);
            if !history.is_file() {
                return Err(ApiError::not_found(format!(
                    "scenario `{name}` has no earlier version to go back to"
                ))
                .with_code("no_history"));
            }
            let current = saved_path(&dir, &name);
            if current.is_file() {
                let swap = dir.join(HISTORY).join(format!(".{name}.swap"));
                std::fs::rename(&current, &swap)
                    .map_err(|e| io_error(&format!("keeping {name}.toml"), e))?;
                if let Err(e) = std::fs::rename(&history, &current) {
                    // Put the current version back where it was.
                    let _ = std::fs::rename(&swap, &current);
                    return Err(io_error(&format!("restoring {name}.toml"), e));
                }
                std::fs::rename(&swap, &history)
                    .map_err(|e| io_error(&format!("keeping {name}.toml"), e))?;
            } else {
                std::fs::rename(&history, &current)
                    .map_err(|e| io_error(&format!("restoring {name}.toml"), e))?;
            }
            Ok(Json(json!({ "name": name, "restored": true })))
        })
        .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    scenario: String,
}

fn accepted(id: u64, status: &Status) -> (StatusCode, Json<Value>) {
    (
        StatusCode::ACCEPTED,
        Json(json!({ "id": id, "status": status.word() })),
    )
}

/// Starts a run in the background; poll `/api/runs/{id}` for its state.
pub async fn start_run(
    State(state): State<AppState>,
    body: Result<Json<RunRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let Json(req) = body?;
    let a = applied_async(&state, Some(req.scenario.clone())).await?;
    let (id, status) = state.submit(Kind::Run, &req.scenario, 1, move |ctx| {
        let model = Model::new(a);
        let choice = RouteChoice::from_settings(&model.applied.assignment);
        let results = karvan_model::run_checked(&model, choice).map_err(|e| e.to_string())?;
        ctx.step();
        ctx.check();
        let flows = karvan_report::geo::flows(&model.applied.dataset, &results)
            .map_err(|e| e.to_string())?;
        Ok(Outcome::Run {
            results: Arc::new(results),
            flows: Arc::new(flows),
        })
    })?;
    Ok(accepted(id, &status))
}

fn parse_id(id: &str, kind: Kind) -> ApiResult<u64> {
    id.parse()
        .map_err(|_| ApiError::bad_request(format!("`{id}` is not a {} id", kind.noun())))
}

/// A job by id, or 404: unknown, or expired (saying how long results are kept).
fn job(state: &AppState, kind: Kind, id: &str) -> ApiResult<(u64, JobView)> {
    let n = parse_id(id, kind)?;
    match state.job(kind, n) {
        Ok(v) => Ok((n, v)),
        Err(Missing::Unknown) => Err(ApiError::not_found(format!("no {} {id}", kind.noun()))),
        Err(Missing::Expired) => Err(expired(state, kind, id)),
    }
}

fn expired(state: &AppState, kind: Kind, id: &str) -> ApiError {
    let l = state.limits();
    ApiError::not_found(format!(
        "{} {id} has expired: finished results are kept for {} minutes, and only the {} most recent; start it again",
        kind.noun(),
        l.keep_for.as_secs() / 60,
        l.keep_finished
    ))
    .with_code("expired")
}

/// The fields every job answer has; `error` when it failed.
fn job_json(id: u64, v: &JobView) -> Value {
    let mut out = json!({ "id": id, "status": v.status.word(), "scenario": v.scenario });
    if let Status::Failed(e) = &v.status {
        out["error"] = json!(e);
    }
    out
}

pub async fn get_run(State(state): State<AppState>, id: PathResult) -> ApiResult<Json<Value>> {
    let Path(id) = id?;
    let (n, v) = job(&state, Kind::Run, &id)?;
    let mut out = job_json(n, &v);
    if let Status::Done(Outcome::Run { results, .. }) = &v.status {
        out["results"] = serde_json::to_value(results.as_ref())
            .map_err(|e| ApiError::internal(e.to_string()))?;
    }
    Ok(Json(out))
}

pub async fn run_flows(State(state): State<AppState>, id: PathResult) -> ApiResult<Response> {
    let Path(id) = id?;
    let (_, v) = job(&state, Kind::Run, &id)?;
    match v.status {
        Status::Done(Outcome::Run { flows, .. }) => Ok(geojson(flows.as_ref().clone())),
        other => Err(ApiError::conflict(format!(
            "run {id} has no results (it is {})",
            other.word()
        ))),
    }
}

/// Cancels a job: one that waits is dropped, one that runs stops at its next step.
async fn cancel(state: &AppState, kind: Kind, id: PathResult) -> ApiResult<Json<Value>> {
    let Path(id) = id?;
    let n = parse_id(&id, kind)?;
    match state.cancel(kind, n) {
        Ok(Some(status)) => Ok(Json(json!({ "id": n, "status": status.word() }))),
        Ok(None) => Err(
            ApiError::conflict(format!("{} {id} has already finished", kind.noun()))
                .with_code("finished"),
        ),
        Err(Missing::Unknown) => Err(ApiError::not_found(format!("no {} {id}", kind.noun()))),
        Err(Missing::Expired) => Err(expired(state, kind, &id)),
    }
}

pub async fn cancel_run(State(state): State<AppState>, id: PathResult) -> ApiResult<Json<Value>> {
    cancel(&state, Kind::Run, id).await
}

pub async fn cancel_game(State(state): State<AppState>, id: PathResult) -> ApiResult<Json<Value>> {
    cancel(&state, Kind::Game, id).await
}

pub async fn cancel_resilience(
    State(state): State<AppState>,
    id: PathResult,
) -> ApiResult<Json<Value>> {
    cancel(&state, Kind::Resilience, id).await
}

#[derive(Deserialize)]
pub struct CompareQuery {
    a: String,
    b: String,
}

pub async fn compare(
    State(state): State<AppState>,
    q: QueryResult<CompareQuery>,
) -> ApiResult<Json<Value>> {
    let Query(q) = q?;
    let sc = Scenarios::of(&state);
    state
        .compute("comparison", move || {
            let (ma, ra) = scenario_run(&sc, Some(&q.a))?;
            let (mb, rb) = scenario_run(&sc, Some(&q.b))?;
            let cmp = Comparison::new(&ma.applied.dataset, &ra, &mb.applied.dataset, &rb);
            let changes: Value = serde_json::from_str(&cmp.geojson(&mb.applied.dataset)?).unwrap_or(Value::Null);
            Ok(Json(json!({ "comparison": cmp, "flow_changes": changes, "assignment_a": ra.assignment, "assignment_b": rb.assignment })))
        })
        .await
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
    body: Result<Json<GameRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let Json(req) = body?;
    use karvan_data::limits::{
        CARRYING_COST, MAX_MULTIPLIER, OUTSIDE_MARKUP, PRICE_DISPERSION, SHIPPER_WEIGHT,
    };
    let check = |v: Option<f64>, name: &str, limit| -> ApiResult<Option<f64>> {
        v.map(|x| limited(name, x, limit)).transpose()
    };
    let max_multiplier = check(req.max_multiplier, "max_multiplier", &MAX_MULTIPLIER)?;
    let outside_markup = check(req.outside_markup, "outside_markup", &OUTSIDE_MARKUP)?;
    let dispersion = check(req.dispersion, "dispersion", &PRICE_DISPERSION)?;
    let shipper_weight = check(req.shipper_weight, "shipper_weight", &SHIPPER_WEIGHT)?;
    let carrying = check(
        req.carrying_cost_usd_per_tkm,
        "carrying_cost_usd_per_tkm",
        &CARRYING_COST,
    )?;
    let a = applied_async(&state, Some(req.scenario.clone())).await?;
    // Defaults, then the scenario's `[game]` table, then the request.
    let mut settings = karvan_policy::MarketSettings::default();
    let g = &a.game;
    if let Some(p) = &g.players {
        settings.players = p.clone();
    }
    if let Some(m) = max_multiplier.or(g.max_multiplier) {
        settings.bounds = (0.0, m);
    }
    settings.outside_markup = outside_markup
        .or(g.outside_markup)
        .unwrap_or(settings.outside_markup);
    settings.dispersion = dispersion.or(g.dispersion).unwrap_or(settings.dispersion);
    settings.shipper_weight = shipper_weight
        .or(g.shipper_weight)
        .unwrap_or(settings.shipper_weight);
    settings.carrying_cost_usd_per_tkm = carrying
        .or(g.carrying_cost_usd_per_tkm)
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
    let total = 1usize << settings.players.len().min(16);
    let (id, status) = state.submit(Kind::Game, &req.scenario, total, move |ctx| {
        let model = Model::new(a);
        // Cancellation takes effect before each stage and each coalition.
        karvan_policy::analyse_until(&model, settings, &|_| {}, &|| ctx.step(), &|| {
            ctx.cancelled()
        })
        .map(|g| Outcome::Game(Arc::new(g)))
    })?;
    Ok(accepted(id, &status))
}

pub async fn get_game(State(state): State<AppState>, id: PathResult) -> ApiResult<Json<Value>> {
    let Path(id) = id?;
    let (n, v) = job(&state, Kind::Game, &id)?;
    let mut out = job_json(n, &v);
    match &v.status {
        Status::Done(Outcome::Game(g)) => {
            out["analysis"] =
                serde_json::to_value(g.as_ref()).map_err(|e| ApiError::internal(e.to_string()))?;
            out["model"] = json!(karvan_report::game::model_statement(g));
        }
        Status::Queued | Status::Running | Status::Cancelling | Status::Cancelled => {
            out["coalitions_done"] = json!(v.done);
            out["coalitions"] = json!(v.total);
        }
        _ => {}
    }
    Ok(Json(out))
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
    q: QueryResult<RiskQuery>,
) -> ApiResult<Json<Value>> {
    use karvan_policy::resilience::{parse_elements, Element, Evaluator};
    let Query(q) = q?;
    // Day of the year as on the command line: 1 is 1 January, 285 is 12 October.
    let start = limited(
        "start",
        q.start.unwrap_or(1.0),
        &karvan_data::limits::START_DAY,
    )?;
    let days = limited(
        "days",
        q.days.unwrap_or(365.0),
        &karvan_data::limits::CLOSURE_DAYS,
    )?;
    let share = q
        .capacity_share
        .map(|s| limited("capacity_share", s, &karvan_data::limits::CAPACITY_SHARE))
        .transpose()?;
    let sc = Scenarios::of(&state);
    state
        .compute("closure analysis", move || {
            let a = sc.applied(q.scenario.as_deref())?;
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
                        closures.push((e, start - 1.0, days));
                        if let Some(s) = share {
                            partial.insert(e, s);
                        }
                    }
                }
                None => {
                    for d in &a.disruptions {
                        for e in parse_elements(&a, &d.close).map_err(ApiError::bad_request)? {
                            closures.push((e, d.start_day - 1.0, d.days));
                            if let Some(s) = d.capacity_share {
                                partial.insert(e, s);
                            }
                        }
                    }
                }
            }
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
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResilienceRequest {
    scenario: String,
    /// Monte Carlo years (0 to 5,000; default 1,000).
    samples: Option<u64>,
    seed: Option<u64>,
}

/// Starts the resilience analysis in the background; poll `/api/resilience/{id}`.
pub async fn start_resilience(
    State(state): State<AppState>,
    body: Result<Json<ResilienceRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let Json(req) = body?;
    let samples = req.samples.unwrap_or(1000);
    if samples > 5000 {
        return Err(ApiError::out_of_range(
            "samples",
            "between 0 and 5000 (a whole number)",
        ));
    }
    let samples = samples as usize;
    let seed = req.seed.unwrap_or(1);
    let a = applied_async(&state, Some(req.scenario.clone())).await?;
    let total = karvan_policy::resilience::open_elements(&a).len() + samples;
    let (id, status) = state.submit(Kind::Resilience, &req.scenario, total, move |ctx| {
        let chance = a.dataset.manifest.parameter("closure_chance_per_year");
        let days = a.dataset.manifest.parameter("closure_days");
        let choice = RouteChoice::from_settings(&a.assignment);
        // Cancellation takes effect before each element and sampled year.
        karvan_policy::resilience::analyse_until(
            &a,
            choice,
            samples,
            seed,
            chance,
            days,
            &|| ctx.step(),
            &|| ctx.cancelled(),
        )
        .map(|r| Outcome::Resilience(Arc::new(r)))
        .ok_or_else(|| "cancelled".to_string())
    })?;
    Ok(accepted(id, &status))
}

pub async fn get_resilience(
    State(state): State<AppState>,
    id: PathResult,
) -> ApiResult<Json<Value>> {
    let Path(id) = id?;
    let (n, v) = job(&state, Kind::Resilience, &id)?;
    let mut out = job_json(n, &v);
    match &v.status {
        Status::Done(Outcome::Resilience(r)) => {
            out["analysis"] =
                serde_json::to_value(r.as_ref()).map_err(|e| ApiError::internal(e.to_string()))?;
        }
        Status::Queued | Status::Running | Status::Cancelling | Status::Cancelled => {
            out["done"] = json!(v.done);
            out["total"] = json!(v.total);
        }
        _ => {}
    }
    Ok(Json(out))
}

/* Project appraisal */

/// Scenario an appraisal is built on when the request names none: the calibrated base
/// year, as `karvan appraise` takes it.
const APPRAISAL_SCENARIO: &str = "today";

/// Monte Carlo draws an appraisal may ask for.
const MAX_DRAWS: f64 = 5000.0;

/// Years the model may be solved in, in one appraisal: every one is solved for every set
/// of schemes and every sensitivity variant.
const MAX_SOLVED_YEARS: usize = 10;

/// Model runs one appraisal may make (about 0.15 s of a core each on the default
/// dataset): six schemes in three years, or four in ten.
const MAX_RUNS: usize = 1000;

/// Longest scheme id (it names cases, charts and files).
const MAX_SCHEME_ID: usize = 64;

/// Fields of an appraisal that may be `null`: a ratio without costs, a year that never
/// comes, a proposal nobody blocks, a case without a cost-sharing analysis, a scheme
/// opening when its projects do.
const APPRAISAL_OPTIONAL: &[&str] = &[
    "bcr",
    "first_positive_year",
    "payback_year",
    "sharing",
    "proportional_blocked_by",
    "shapley_blocked_by",
    "opens",
];

/// The dataset an appraisal is made on and the scenario it starts from.
struct AppraisalBase {
    /// The scenario's base dataset (the appraisal applies the scenario itself, once for
    /// every set of schemes and year).
    dataset: Dataset,
    /// The scenario with every scenario it extends under it.
    scenario: Scenario,
    label: String,
    choice: RouteChoice,
}

impl AppraisalBase {
    /// Loads a scenario by name, checking that it applies to its dataset.
    fn load(sc: &Scenarios, name: &str) -> ApiResult<AppraisalBase> {
        let applied = sc.applied(Some(name))?;
        let located = sc.located(Some(name))?;
        Ok(AppraisalBase {
            dataset: located.base()?,
            scenario: located.with_parents()?,
            label: located.label,
            choice: RouteChoice::from_settings(&applied.assignment),
        })
    }

    /// The appraisal's defaults on this scenario, with `schemes`.
    fn settings(&self, schemes: Vec<Scheme>) -> Settings {
        Settings::defaults(
            &self.dataset,
            schemes,
            self.scenario.demand.growth_percent_per_year,
            self.choice,
        )
    }
}

/// The schemes the dataset offers by default and every project it has costs for, with
/// the appraisal's defaults, so that a client can offer them.
pub async fn projects(
    State(state): State<AppState>,
    q: QueryResult<ScenarioQuery>,
) -> ApiResult<Json<Value>> {
    let Query(q) = q?;
    let name = q.scenario.unwrap_or_else(|| APPRAISAL_SCENARIO.into());
    let sc = Scenarios::of(&state);
    state
        .compute("project list", move || {
            let base = AppraisalBase::load(&sc, &name)?;
            let ds = &base.dataset;
            let defaults = base.settings(appraisal::default_schemes(ds));
            let mut costs: Vec<_> = ds.project_costs.iter().collect();
            costs.sort_by(|a, b| a.project.cmp(&b.project));
            let projects: Vec<Value> = costs
                .iter()
                .map(|c| {
                    json!({
                        "project": c.project,
                        "capex_low_usd": c.capex_low_usd,
                        "capex_usd": c.capex_usd,
                        "capex_high_usd": c.capex_high_usd,
                        "opens_year": c.opens_year,
                        "build_years": c.build_years,
                        "opex_usd_per_year": c.opex_usd_per_year,
                        "service_life_years": c.service_life_years,
                        "source": c.source,
                    })
                })
                .collect();
            Ok(Json(json!({
                "scenario": name,
                "schemes": defaults.schemes,
                "projects": projects,
                "max_schemes": appraisal::MAX_SCHEMES,
                "defaults": {
                    "years": defaults.solved_years,
                    "from": defaults.start,
                    "to": defaults.horizon,
                    "rate_percent": defaults.discount_rate * 100.0,
                    "growth_percent": defaults.growth_percent,
                    "draws": defaults.draws,
                    "seed": defaults.seed,
                },
            })))
        })
        .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemeRequest {
    id: String,
    projects: Vec<String>,
    /// Opening year; default: the latest `opens_year` of its projects.
    opens: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppraisalRequest {
    /// Default: `today`, the calibrated base year.
    scenario: Option<String>,
    /// Default: the dataset's default schemes.
    schemes: Option<Vec<SchemeRequest>>,
    /// Cases, each a list of scheme ids; default: every combination of the schemes.
    cases: Option<Vec<Vec<String>>>,
    /// Years the model is solved in (default 2030, 2040, 2055).
    years: Option<Vec<f64>>,
    from: Option<f64>,
    to: Option<f64>,
    rate_percent: Option<f64>,
    /// The financiers' discount rate; default: `rate_percent`.
    financial_rate_percent: Option<f64>,
    /// Default: the scenario's demand growth, else 3.
    growth_percent: Option<f64>,
    draws: Option<f64>,
    seed: Option<u64>,
}

/// A whole number from `min` to `max`, else a 400 naming the field.
fn whole(field: &str, value: f64, min: f64, max: f64) -> ApiResult<f64> {
    if value.is_finite() && value.fract() == 0.0 && value >= min && value <= max {
        Ok(value)
    } else {
        Err(ApiError::out_of_range(
            field,
            &format!(
                "{} (a whole number)",
                karvan_data::schema::range_text(min, max)
            ),
        ))
    }
}

/// A calendar year the appraisal accepts (1990 to 2100).
fn year(field: &str, value: f64) -> ApiResult<i32> {
    let y = &karvan_data::limits::YEAR;
    whole(field, value, y.min, y.max).map(|v| v as i32)
}

/// The numbers of an appraisal request, checked before anything is loaded.
struct AppraisalNumbers {
    years: Option<Vec<i32>>,
    from: Option<i32>,
    to: Option<i32>,
    rate: Option<f64>,
    financial_rate: Option<f64>,
    growth: Option<f64>,
    draws: Option<usize>,
    opens: Vec<Option<i32>>,
}

fn appraisal_numbers(req: &AppraisalRequest) -> ApiResult<AppraisalNumbers> {
    use karvan_data::limits::{DISCOUNT_PERCENT, GROWTH_PERCENT};
    let from = req.from.map(|v| year("from", v)).transpose()?;
    let to = req.to.map(|v| year("to", v)).transpose()?;
    let years = match &req.years {
        None => None,
        Some(ys) => {
            let mut out = ys
                .iter()
                .map(|&v| year("years", v))
                .collect::<ApiResult<Vec<i32>>>()?;
            out.sort_unstable();
            out.dedup();
            if out.is_empty() || out.len() > MAX_SOLVED_YEARS {
                return Err(ApiError::bad_request(format!(
                    "`years`: give between 1 and {MAX_SOLVED_YEARS} years to solve the model in (got {})",
                    out.len()
                )));
            }
            Some(out)
        }
    };
    let rate = req
        .rate_percent
        .map(|v| limited("rate_percent", v, &DISCOUNT_PERCENT))
        .transpose()?;
    let financial_rate = req
        .financial_rate_percent
        .map(|v| limited("financial_rate_percent", v, &DISCOUNT_PERCENT))
        .transpose()?;
    let growth = req
        .growth_percent
        .map(|v| limited("growth_percent", v, &GROWTH_PERCENT))
        .transpose()?;
    let draws = req
        .draws
        .map(|v| whole("draws", v, 1.0, MAX_DRAWS).map(|d| d as usize))
        .transpose()?;
    let opens = req
        .schemes
        .iter()
        .flatten()
        .map(|s| s.opens.map(|v| year("opens", v)).transpose())
        .collect::<ApiResult<_>>()?;
    Ok(AppraisalNumbers {
        years,
        from,
        to,
        rate,
        financial_rate,
        growth,
        draws,
        opens,
    })
}

/// The appraised years run forwards and hold every solved year (given or default).
fn check_years(s: &Settings) -> ApiResult<()> {
    let (first, last) = (s.start, s.horizon);
    if last < first {
        return Err(
            ApiError::bad_request(format!("`to` ({last}) is before `from` ({first})"))
                .with_code("out_of_range"),
        );
    }
    match s.solved_years.iter().find(|y| **y < first || **y > last) {
        Some(y) => Err(ApiError::out_of_range(
            "years",
            &format!("between {first} and {last}, the appraised years `from` to `to` (got {y})"),
        )),
        None => Ok(()),
    }
}

/// The schemes of a request, each project known to the dataset and costed.
fn requested_schemes(
    ds: &Dataset,
    given: &[SchemeRequest],
    opens: &[Option<i32>],
) -> ApiResult<Vec<Scheme>> {
    if given.is_empty() {
        return Err(ApiError::bad_request(
            "`schemes` is empty: give at least one scheme, or leave it out for the defaults",
        ));
    }
    if given.len() > appraisal::MAX_SCHEMES {
        return Err(ApiError::bad_request(format!(
            "at most {} schemes can be appraised together (got {}): every set of them is solved",
            appraisal::MAX_SCHEMES,
            given.len()
        )));
    }
    let known = ds.project_ids();
    let costed = appraisal::costed_projects(ds);
    let mut out: Vec<Scheme> = Vec::with_capacity(given.len());
    let mut used: Vec<&str> = Vec::new();
    for (s, opens) in given.iter().zip(opens) {
        let id = s.id.trim();
        if id.is_empty()
            || id.chars().count() > MAX_SCHEME_ID
            || id.contains('+')
            || id.chars().any(char::is_control)
        {
            return Err(ApiError::bad_request(format!(
                "scheme id `{}`: give 1 to {MAX_SCHEME_ID} characters without `+` (cases join ids with it)",
                s.id
            )));
        }
        if out.iter().any(|o| o.id == id) {
            return Err(ApiError::bad_request(format!(
                "scheme id `{id}` is given twice"
            )));
        }
        if s.projects.is_empty() {
            return Err(ApiError::bad_request(format!(
                "scheme `{id}` has no projects"
            )));
        }
        for p in &s.projects {
            if !known.contains(p.as_str()) {
                return Err(ApiError::bad_request(format!(
                    "scheme `{id}`: unknown project `{p}`; projects with costs: {}",
                    costed.join(", ")
                )));
            }
            if !costed.contains(&p.as_str()) {
                return Err(ApiError::bad_request(format!(
                    "scheme `{id}`: project `{p}` has no row in project_costs.csv, so it cannot be appraised; projects with costs: {}",
                    costed.join(", ")
                )));
            }
            if used.contains(&p.as_str()) {
                return Err(ApiError::bad_request(format!(
                    "project `{p}` is in more than one scheme (or twice in `{id}`): its cost would be counted twice"
                )));
            }
            used.push(p);
        }
        out.push(Scheme {
            id: id.to_string(),
            projects: s.projects.clone(),
            opens: *opens,
        });
    }
    Ok(out)
}

/// The cases of a request as bit masks over the schemes, each once.
fn requested_cases(given: &[Vec<String>], schemes: &[Scheme]) -> ApiResult<Vec<usize>> {
    if given.is_empty() {
        return Err(ApiError::bad_request(
            "`cases` is empty: give at least one case, or leave it out for every combination",
        ));
    }
    let ids = || {
        schemes
            .iter()
            .map(|s| s.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = Vec::new();
    for case in given {
        if case.is_empty() {
            return Err(ApiError::bad_request(format!(
                "a case names no scheme; schemes: {}",
                ids()
            )));
        }
        let mut mask = 0usize;
        for id in case {
            let i = schemes
                .iter()
                .position(|s| s.id == id.trim())
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "case {}: no scheme `{id}`; schemes: {}",
                        case.join("+"),
                        ids()
                    ))
                })?;
            mask |= 1 << i;
        }
        if !out.contains(&mask) {
            out.push(mask);
        }
    }
    Ok(out)
}

/// The path of the first value that is not finite (serialized as `null`) outside the
/// fields that may be absent.
fn first_null(v: &Value, optional: &[&str]) -> Option<String> {
    match v {
        Value::Null => Some(String::new()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| first_null(x, optional).map(|p| join_path(&i.to_string(), &p))),
        Value::Object(m) => m.iter().find_map(|(k, x)| {
            if x.is_null() && optional.contains(&k.as_str()) {
                None
            } else {
                first_null(x, optional).map(|p| join_path(k, &p))
            }
        }),
        _ => None,
    }
}

fn join_path(head: &str, rest: &str) -> String {
    if rest.is_empty() {
        head.to_string()
    } else {
        format!("{head}.{rest}")
    }
}

/// The appraisal as JSON, each case with its Monte Carlo draws (`npv_draws`, USD, in
/// draw order); an error when any figure is not finite.
fn appraisal_json(a: &Appraisal) -> Result<Value, String> {
    let mut v = serde_json::to_value(a).map_err(|e| e.to_string())?;
    if let Some(cases) = v["cases"].as_array_mut() {
        for (out, c) in cases.iter_mut().zip(&a.cases) {
            out["npv_draws"] = json!(c.monte_carlo.values);
        }
    }
    match first_null(&v, APPRAISAL_OPTIONAL) {
        None => Ok(v),
        Some(at) => Err(format!(
            "the appraisal results are not finite (at {at}); check the dataset's and scenario's values"
        )),
    }
}

/// Each case's four charts as SVG, by case id.
fn appraisal_charts(a: &Appraisal) -> Result<Value, String> {
    use karvan_report::appraisal::{cash_flow_svg, countries_svg, npv_histogram_svg, tornado_svg};
    let mut out = serde_json::Map::new();
    for c in &a.cases {
        let svg = |r: Result<String, karvan_report::ReportError>| {
            r.map_err(|e| format!("the charts of case {} could not be drawn: {e}", c.id))
        };
        out.insert(
            c.id.clone(),
            json!({
                "cash_flow": svg(cash_flow_svg(c))?,
                "tornado": svg(tornado_svg(c))?,
                "countries": svg(countries_svg(c))?,
                "npv_histogram": svg(npv_histogram_svg(c))?,
            }),
        );
    }
    Ok(Value::Object(out))
}

/// Starts a project appraisal in the background; poll `/api/appraisals/{id}`.
pub async fn start_appraisal(
    State(state): State<AppState>,
    body: Result<Json<AppraisalRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let Json(req) = body?;
    let numbers = appraisal_numbers(&req)?;
    let name = req
        .scenario
        .clone()
        .unwrap_or_else(|| APPRAISAL_SCENARIO.into());
    let sc = Scenarios::of(&state);
    let scenario = name.clone();
    let (base, settings) = state
        .compute("appraisal", move || {
            let base = AppraisalBase::load(&sc, &scenario)?;
            let schemes = match &req.schemes {
                Some(given) => requested_schemes(&base.dataset, given, &numbers.opens)?,
                None => appraisal::default_schemes(&base.dataset),
            };
            if schemes.is_empty() {
                return Err(ApiError::bad_request(
                    "the dataset offers no default scheme: give `schemes`",
                ));
            }
            let cases = match &req.cases {
                Some(given) => requested_cases(given, &schemes)?,
                None => (1..1usize << schemes.len()).collect(),
            };
            let mut s = base.settings(schemes);
            s.cases = cases;
            if let Some(years) = numbers.years {
                s.solved_years = years;
            }
            s.start = numbers.from.unwrap_or(s.start);
            s.horizon = numbers.to.unwrap_or(s.horizon);
            if let Some(r) = numbers.rate {
                s.discount_rate = r / 100.0;
            }
            s.financial_rate = numbers
                .financial_rate
                .map_or(s.discount_rate, |r| r / 100.0);
            s.growth_percent = numbers.growth.unwrap_or(s.growth_percent);
            s.draws = numbers.draws.unwrap_or(s.draws);
            s.seed = req.seed.unwrap_or(s.seed);
            check_years(&s)?;
            s.check()
                .map_err(|e| ApiError::bad_request(e.to_string()))?;
            Ok((base, s))
        })
        .await?;
    let total = appraisal::run_keys(&settings).len();
    if total > MAX_RUNS {
        return Err(ApiError::bad_request(format!(
            "{} schemes in {} solved years need {total} model runs (every set of schemes in every year, for each sensitivity variant); at most {MAX_RUNS} are made in one appraisal: choose fewer schemes or years",
            settings.schemes.len(),
            settings.solved_years.len()
        )));
    }
    let (id, status) = state.submit(Kind::Appraisal, &name, total, move |ctx| {
        // The appraisal asks `stop` before each model run, so a cancellation ends it
        // once the runs under way finish.
        let a = appraisal::appraise(
            &base.dataset,
            &base.scenario,
            &base.label,
            &settings,
            &|| ctx.step(),
            &|| ctx.cancelled(),
        )
        .map_err(|e| e.to_string())?;
        appraisal_json(&a)?;
        let charts = appraisal_charts(&a)?;
        Ok(Outcome::Appraisal {
            appraisal: Arc::new(a),
            charts: Arc::new(charts),
        })
    })?;
    Ok(accepted(id, &status))
}

pub async fn get_appraisal(
    State(state): State<AppState>,
    id: PathResult,
) -> ApiResult<Json<Value>> {
    let Path(id) = id?;
    let (n, v) = job(&state, Kind::Appraisal, &id)?;
    let mut out = job_json(n, &v);
    match &v.status {
        Status::Done(Outcome::Appraisal { appraisal, charts }) => {
            out["appraisal"] = appraisal_json(appraisal).map_err(ApiError::internal)?;
            out["charts"] = charts.as_ref().clone();
        }
        Status::Queued | Status::Running | Status::Cancelling | Status::Cancelled => {
            out["done"] = json!(v.done);
            out["total"] = json!(v.total);
        }
        _ => {}
    }
    Ok(Json(out))
}

pub async fn cancel_appraisal(
    State(state): State<AppState>,
    id: PathResult,
) -> ApiResult<Json<Value>> {
    cancel(&state, Kind::Appraisal, id).await
}

#[derive(Deserialize)]
pub struct WaterQuery {
    /// One of the basin's regimes (default `normal`).
    regime: Option<String>,
    /// Qosh Tepa's diversion, hm³ a year (default: the basin's, 0).
    qosh_tepa_hm3: Option<f64>,
    /// Tajikistan's lumped canals, hm³ a year (default: the basin's, 0).
    tajik_hm3: Option<f64>,
}

/// Yearly volume a request may set for a withdrawal, hm³.
const WATER_HM3: (f64, f64) = (0.0, 100_000.0);

fn water_hm3(field: &str, value: Option<f64>) -> ApiResult<Option<f64>> {
    match value {
        Some(v) if !(v.is_finite() && v >= WATER_HM3.0 && v <= WATER_HM3.1) => Err(
            ApiError::out_of_range(field, "from 0 to 100,000 (hm³ a year)"),
        ),
        v => Ok(v),
    }
}

/// One year of the embedded river basin in a regime, with Qosh Tepa's and the Tajik
/// canals' withdrawals as asked: the schematic, each month's flows and storage, each
/// take's demand and deliveries, and the year's gauges, sea inflow and deliveries by country.
pub async fn water(
    State(state): State<AppState>,
    q: QueryResult<WaterQuery>,
) -> ApiResult<Json<Value>> {
    let Query(q) = q?;
    let qosh = water_hm3("qosh_tepa_hm3", q.qosh_tepa_hm3)?;
    let tajik = water_hm3("tajik_hm3", q.tajik_hm3)?;
    state
        .compute("water balance", move || {
            let basin = embedded::basin().map_err(|p| ApiError::internal(p.to_string()))?;
            let regime = q.regime.unwrap_or_else(|| "normal".into());
            let known = basin.regimes();
            if !known.contains(&regime) {
                return Err(ApiError::bad_request(format!(
                    "`regime` must be one of {}; `{regime}` is not",
                    known.join(", ")
                )));
            }
            let mut settings = karvan_water::model::Settings {
                years: vec![regime.clone()],
                ..Default::default()
            };
            if let Some(v) = qosh {
                settings.demand_hm3.insert("qosh-tepa".into(), v);
            }
            if let Some(v) = tajik {
                settings.demand_hm3.insert("tajik-canals".into(), v);
            }
            let run = karvan_water::model::run(&basin, &settings)
                .map_err(|e| ApiError::internal(e.to_string()))?;
            let v = water_json(&basin, &run, &regime);
            match first_null(&v, &[]) {
                None => Ok(Json(v)),
                Some(at) => Err(ApiError::internal(format!(
                    "the water balance is not finite (at {at})"
                ))),
            }
        })
        .await
}

fn water_json(
    basin: &karvan_data::water::Basin,
    run: &karvan_water::model::Run,
    regime: &str,
) -> Value {
    use std::collections::BTreeMap;
    let nodes = &basin.nodes;
    let country_of = |id: &str| {
        nodes
            .iter()
            .find(|n| n.id == id)
            .map_or(String::new(), |n| n.country.clone())
    };
    let months: Vec<Value> = run
        .months
        .iter()
        .map(|m| {
            let outflow: serde_json::Map<String, Value> = nodes
                .iter()
                .zip(&m.outflow)
                .map(|(n, f)| (n.id.clone(), json!(f)))
                .collect();
            let storage: serde_json::Map<String, Value> = run
                .built
                .network
                .reservoirs
                .iter()
                .zip(&m.storage)
                .map(|(r, s)| (nodes[r.node].id.clone(), json!(s)))
                .collect();
            json!({ "month": m.month + 1, "outflow": outflow, "storage": storage })
        })
        .collect();
    let mut by_country: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    let takes: Vec<Value> = run
        .built
        .takes
        .iter()
        .enumerate()
        .map(|(k, (id, requirement))| {
            let asked: Vec<f64> = run.months.iter().map(|m| m.demand[k]).collect();
            let delivered: Vec<f64> = run.months.iter().map(|m| m.delivered[k]).collect();
            let country = country_of(id);
            if !requirement {
                let c = by_country.entry(country.clone()).or_default();
                c.0 += asked.iter().sum::<f64>();
                c.1 += delivered.iter().sum::<f64>();
            }
            json!({
                "node": id, "country": country, "requirement": requirement,
                "asked": asked, "delivered": delivered, "reliability": run.reliability(k),
            })
        })
        .collect();
    let all: Vec<usize> = (1..=karvan_water::MONTHS).collect();
    let gauges: serde_json::Map<String, Value> = nodes
        .iter()
        .filter(|n| n.kind == "gauge")
        .map(|n| (n.id.clone(), json!(run.flow(&n.id, 0, &all))))
        .collect();
    let to_sea: f64 = nodes
        .iter()
        .filter(|n| n.kind == "terminal")
        .filter_map(|n| run.flow(&n.id, 0, &all))
        .sum();
    let by_country: serde_json::Map<String, Value> = by_country
        .into_iter()
        .map(|(c, (asked, delivered))| (c, json!({ "asked": asked, "delivered": delivered })))
        .collect();
    json!({
        "regime": regime,
        "nodes": nodes.iter().map(|n| json!({
            "id": n.id, "name": n.name, "kind": n.kind, "country": n.country, "lat": n.lat, "lon": n.lon,
        })).collect::<Vec<_>>(),
        "reaches": basin.reaches.iter().map(|r| json!({ "from": r.from, "to": r.to })).collect::<Vec<_>>(),
        "months": months,
        "takes": takes,
        "year": { "gauges": gauges, "to_sea": to_sea, "by_country": by_country },
    })
}

/// Years a power request may model.
const POWER_YEARS: (i32, i32) = (1990, 2100);

/// What a power request asks for, checked against the grid and the basin.
struct PowerAsk {
    scenario: Option<String>,
    year: Option<i32>,
    projects: Vec<String>,
    hydro_from_water: Option<bool>,
    regime: Option<String>,
}

/// Reads a power request's query: `scenario`, `year`, `project` (repeated or a comma
/// list), `regime` and, where `hydro` is allowed, `hydro_from_water`. Anything else, or
/// a value given twice where one is expected, is a 400 naming the parameter.
fn power_ask(pairs: Vec<(String, String)>, endpoint: &str, hydro: bool) -> ApiResult<PowerAsk> {
    let mut ask = PowerAsk {
        scenario: None,
        year: None,
        projects: Vec::new(),
        hydro_from_water: None,
        regime: None,
    };
    let once = |slot: &mut Option<String>, name: &str, value: String| {
        if slot.is_some() {
            return Err(ApiError::bad_request(format!(
                "`{name}` is given more than once"
            )));
        }
        *slot = Some(value);
        Ok(())
    };
    let mut year: Option<String> = None;
    let mut linked: Option<String> = None;
    for (key, value) in pairs {
        let value = value.trim().to_string();
        match key.as_str() {
            "scenario" => once(&mut ask.scenario, "scenario", value)?,
            "regime" => once(&mut ask.regime, "regime", value)?,
            "year" => once(&mut year, "year", value)?,
            "hydro_from_water" if hydro => once(&mut linked, "hydro_from_water", value)?,
            "project" | "projects" => {
                for p in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    if !ask.projects.iter().any(|q| q == p) {
                        ask.projects.push(p.to_string());
                    }
                }
            }
            other => {
                let known = if hydro {
                    "scenario, year, project, hydro_from_water, regime"
                } else {
                    "scenario, year, project, regime"
                };
                return Err(ApiError::bad_request(format!(
                    "`{other}` is not a parameter of {endpoint}; its parameters: {known}"
                )));
            }
        }
    }
    if let Some(y) = year {
        let (low, high) = POWER_YEARS;
        match y.parse::<i32>() {
            Ok(v) if (low..=high).contains(&v) => ask.year = Some(v),
            _ => {
                return Err(ApiError::out_of_range(
                    "year",
                    &format!("from {low} to {high} (a whole calendar year)"),
                ))
            }
        }
    }
    if let Some(l) = linked {
        ask.hydro_from_water = Some(match l.as_str() {
            "true" | "1" => true,
            "false" | "0" => false,
            _ => {
                return Err(ApiError::bad_request(format!(
                    "`hydro_from_water` must be true or false; `{l}` is neither"
                )))
            }
        });
    }
    Ok(ask)
}

/// A power request's settings: the scenario's `[power]` and `[water]` tables with the
/// request's year, projects, hydro link and regime on top, each checked.
struct PowerRun {
    grid: karvan_data::power::Grid,
    basin: karvan_data::water::Basin,
    scenario: String,
    power: karvan_power::model::Settings,
    water: karvan_water::model::Settings,
    /// Projects the scenario itself builds (the request adds to them).
    scenario_projects: Vec<String>,
    hydro_from_water: bool,
    regime: String,
}

impl PowerRun {
    fn load(sc: &Scenarios, ask: PowerAsk) -> ApiResult<PowerRun> {
        let grid = embedded::grid().map_err(|p| ApiError::internal(p.to_string()))?;
        let basin = embedded::basin().map_err(|p| ApiError::internal(p.to_string()))?;
        let name = ask.scenario.clone().unwrap_or_else(|| "base".into());
        let (scenario, label) = if name == "base" {
            (Scenario::default(), "base".to_string())
        } else {
            if !is_name(&name) {
                return Err(ApiError::bad_request(format!(
                    "`scenario`: `{name}` is not a scenario name (lowercase letters, digits and `-`, at most 64)"
                )));
            }
            let located = sc
                .located(Some(&name))
                .map_err(|e| ApiError::bad_request(format!("`scenario`: {}", e.message)))?;
            (located.with_parents()?, located.label)
        };
        let asked = karvan_power::year::Asked::from_scenario(&scenario, &label)
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
        let scenario_projects = asked.power.projects.clone();
        let mut run = PowerRun {
            scenario: name,
            hydro_from_water: ask.hydro_from_water.unwrap_or(asked.hydro_from_water),
            regime: ask.regime.clone().unwrap_or(asked.regime),
            grid,
            basin,
            power: asked.power,
            water: asked.water,
            scenario_projects,
        };
        let known = run.basin.regimes();
        if !known.contains(&run.regime) {
            let whose = if ask.regime.is_some() {
                "`regime`"
            } else {
                "the scenario's water regime"
            };
            return Err(ApiError::bad_request(format!(
                "{whose} must be one of {}; `{}` is not",
                known.join(", "),
                run.regime
            )));
        }
        if ask.year.is_some() {
            run.power.year = ask.year;
        }
        let year = run.power.year.unwrap_or(run.grid.manifest.base_year);
        let ids = || {
            run.grid
                .projects
                .iter()
                .map(|p| p.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        for id in &ask.projects {
            let Some(p) = run.grid.projects.iter().find(|p| &p.id == id) else {
                return Err(ApiError::bad_request(format!(
                    "`project`: `{id}` is not a project of the grid; its projects: {}",
                    ids()
                )));
            };
            if p.opens > year {
                return Err(ApiError::bad_request(format!(
                    "`project`: {} ({id}) opens in {}, after the year modelled ({year}); choose a later `year`",
                    p.name, p.opens
                )));
            }
            if !run.power.projects.contains(id) {
                run.power.projects.push(id.clone());
            }
        }
        Ok(run)
    }

    /// What the run was asked to model, as the page shows it.
    fn settings_json(&self) -> Value {
        json!({
            "scenario": self.scenario,
            "year": self.power.year.unwrap_or(self.grid.manifest.base_year),
            "base_year": self.grid.manifest.base_year,
            "projects": self.power.projects,
            "scenario_projects": self.scenario_projects,
            "hydro_from_water": self.hydro_from_water,
            "regime": self.regime,
            "regimes": self.basin.regimes(),
        })
    }
}

/// A power or bargaining error as an answer: what the request or its scenario got
/// wrong is a 400, a failed solve a 500.
fn power_error(e: karvan_power::model::ModelError) -> ApiError {
    use karvan_power::model::ModelError as E;
    match e {
        E::Dispatch(d) => ApiError::internal(d.to_string()),
        other => ApiError::bad_request(other.to_string()),
    }
}

fn water_error(e: karvan_water::model::ModelError) -> ApiError {
    use karvan_water::model::ModelError as E;
    match e {
        E::UnknownRegime { .. }
        | E::Scenario(_)
        | E::UnknownWithdrawal(_)
        | E::UnknownReservoir(_) => ApiError::bad_request(format!("the water model: {e}")),
        other => ApiError::internal(format!("the water model: {other}")),
    }
}

/// One year of cross-border electricity: imports by supplier, the import share, unserved
/// energy by island, prices, line loadings and who pays whom, against what was observed
/// in the base year; with the grid's projects for the page to offer.
pub async fn power(
    State(state): State<AppState>,
    q: QueryResult<Vec<(String, String)>>,
) -> ApiResult<Json<Value>> {
    let Query(pairs) = q?;
    let ask = power_ask(pairs, "/api/power", true)?;
    let sc = Scenarios::of(&state);
    state
        .compute("power year", move || {
            let run = PowerRun::load(&sc, ask)?;
            let summary = karvan_power::year::solve(
                &run.grid,
                &run.basin,
                &run.power,
                &run.water,
                run.hydro_from_water.then_some(run.regime.as_str()),
            )
            .map_err(|e| {
                use karvan_power::year::YearError as Y;
                match e {
                    Y::Model(m) => power_error(m),
                    Y::Water(w) => water_error(w),
                    Y::Link(l) => ApiError::bad_request(l.to_string()),
                    Y::NotFinite(n) => ApiError::internal(n.to_string()),
                }
            })?;
            let mut v =
                serde_json::to_value(&summary).map_err(|e| ApiError::internal(e.to_string()))?;
            v["projects"] = json!(run
                .grid
                .projects
                .iter()
                .map(|p| json!({ "id": p.id, "name": p.name, "opens": p.opens, "description": p.description }))
                .collect::<Vec<_>>());
            v["settings"] = run.settings_json();
            Ok(Json(v))
        })
        .await
}

/// The water-for-power bargaining view: every deal over Qosh Tepa's withdrawal, the
/// price and the volume of extra winter power, each side's gain over no deal, the Nash
/// solution (or null) and the price ranges both sides accept.
pub async fn power_bargain(
    State(state): State<AppState>,
    q: QueryResult<Vec<(String, String)>>,
) -> ApiResult<Json<Value>> {
    let Query(pairs) = q?;
    let ask = power_ask(pairs, "/api/power/bargain", false)?;
    let sc = Scenarios::of(&state);
    state
        .compute("power bargain", move || {
            let run = PowerRun::load(&sc, ask)?;
            let b = karvan_power::bargain::bargain(
                &run.grid,
                &run.power,
                &run.basin,
                &run.water,
                &run.regime,
                karvan_power::bargain::Steps::default(),
            )
            .map_err(|e| {
                use karvan_power::bargain::BargainError as B;
                match e {
                    B::Power(m) => power_error(m),
                    B::Water(w) => water_error(w),
                    other => ApiError::internal(other.to_string()),
                }
            })?;
            let mut v = serde_json::to_value(&b).map_err(|e| ApiError::internal(e.to_string()))?;
            if let Some(at) = first_null(&v, &["nash"]) {
                return Err(ApiError::internal(format!(
                    "the bargaining results are not finite (at {at})"
                )));
            }
            v["disagreement"] = json!({
                "afghanistan_musd": b.disagreement.0,
                "downstream_musd": b.disagreement.1,
            });
            v["price_ranges"] = json!(b
                .price_ranges()
                .into_iter()
                .map(|(w, mw, low, high)| json!({
                    "withdrawal_hm3": w, "winter_mw": mw, "price_low_usd_mwh": low, "price_high_usd_mwh": high,
                }))
                .collect::<Vec<_>>());
            v["acceptable_deals"] = json!(b.acceptable().count());
            v["settings"] = run.settings_json();
            Ok(Json(v))
        })
        .await
}

// ---------------------------------------------------------------------------------------
// Sweeps: finished parameter sweeps (`karvan sweep`), read from the sweep folder only.

/// A sweep's folder name as given: letters, digits, `.`, `_` and `-`, not starting with
/// `.` (so never `..`), with no path separator; else a 400.
fn sweep_name(name: &str) -> ApiResult<&str> {
    let plain = !name.is_empty()
        && name.len() <= 128
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if plain {
        Ok(name)
    } else {
        Err(ApiError::bad_request(format!(
            "`{name}` is not a sweep name: a sweep is named by its folder in the sweep folder (letters, digits, `.`, `_` and `-`; no `/`, no `..`)"
        )))
    }
}

/// The sweep folder as a person would find it: absolute when the working directory is known.
fn shown_dir(dir: &FsPath) -> PathBuf {
    if dir.is_absolute() {
        dir.to_path_buf()
    } else {
        std::env::current_dir().map_or_else(|_| dir.to_path_buf(), |cwd| cwd.join(dir))
    }
}

/// The rows of a CSV file after its header (0 when it is missing); the first field of each.
fn csv_ids(path: &FsPath) -> Vec<String> {
    std::fs::read_to_string(path)
        .map(|text| {
            text.lines()
                .skip(1)
                .filter(|l| !l.trim().is_empty())
                .map(|l| l.split(',').next().unwrap_or("").trim().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// How far a sweep folder has got: variants, finished, failed, and its Slurm job.
fn sweep_progress(dir: &FsPath, name: &str) -> Value {
    let variants = csv_ids(&dir.join("variants.csv")).len();
    let finished = csv_ids(&dir.join("results.csv"));
    let failed = std::fs::read_dir(dir.join("errors"))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .filter_map(|e| {
                    let file = e.file_name().to_string_lossy().into_owned();
                    let id = file.strip_suffix(".txt").unwrap_or(&file).to_string();
                    (!finished.contains(&id)).then_some(id)
                })
                .count()
        })
        .unwrap_or(0);
    let slurm_job = std::fs::read_to_string(dir.join("slurm/job"))
        .ok()
        .and_then(|t| t.lines().next().map(|l| l.trim().to_string()))
        .filter(|id| !id.is_empty());
    json!({
        "name": name,
        "variants": variants,
        "finished": finished.len(),
        "failed": failed,
        "slurm": dir.join("slurm/job").is_file() || dir.join("slurm/sweep.sbatch").is_file(),
        "slurm_job": slurm_job,
    })
}

/// The sweeps in the sweep folder: each subfolder with a `sweep.toml`, by name.
pub async fn list_sweeps(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let dir = state.sweep_dir().to_path_buf();
    state
        .compute("sweep list", move || {
            let mut names: Vec<String> = std::fs::read_dir(&dir)
                .map(|entries| {
                    entries
                        .filter_map(|e| e.ok())
                        .filter(|e| e.path().join("sweep.toml").is_file())
                        .filter_map(|e| e.file_name().to_str().map(str::to_string))
                        .filter(|n| sweep_name(n).is_ok())
                        .collect()
                })
                .unwrap_or_default();
            names.sort();
            let sweeps: Vec<Value> = names
                .iter()
                .map(|n| sweep_progress(&dir.join(n), n))
                .collect();
            Ok(Json(json!({
                "dir": shown_dir(&dir).display().to_string(),
                "sweeps": sweeps,
            })))
        })
        .await
}

#[derive(Deserialize)]
pub struct SweepQuery {
    figure: Option<String>,
}

/// A sweep's summary: every figure's distribution, and for one figure its main effects,
/// tornado (rows and chart), with the variant best for each country figure.
pub async fn get_sweep(
    State(state): State<AppState>,
    name: PathResult,
    q: QueryResult<SweepQuery>,
) -> ApiResult<Json<Value>> {
    let Path(name) = name?;
    let Query(q) = q?;
    sweep_name(&name)?;
    let dir = state.sweep_dir().join(&name);
    state
        .compute("sweep summary", move || {
            if !dir.join("sweep.toml").is_file() {
                return Err(ApiError::not_found(format!(
                    "no sweep `{name}` in {}; GET /api/sweeps lists them",
                    shown_dir(dir.parent().unwrap_or(&dir)).display()
                )));
            }
            if !dir.join("results.csv").is_file() {
                return Err(ApiError::conflict(format!(
                    "sweep `{name}` has no results.csv yet: it is still running, or its rows have not been merged (`karvan sweep collect {}`)",
                    shown_dir(&dir).display()
                ))
                .with_code("no_results"));
            }
            let table = karvan_report::sweep::SweepTable::read(&dir).map_err(|e| {
                ApiError::internal(format!("sweep `{name}` could not be read: {e}"))
            })?;
            sweep_json(&table, &dir, &name, q.figure.as_deref())
        })
        .await
}

/// A sweep's merged results as a file to download: `results.csv` or `results.parquet`.
pub async fn get_sweep_file(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> ApiResult<Response> {
    let Path((name, file)) = path?;
    sweep_name(&name)?;
    let kind = match file.as_str() {
        "results.csv" => "text/csv; charset=utf-8",
        "results.parquet" => "application/vnd.apache.parquet",
        other => {
            return Err(ApiError::not_found(format!(
                "a sweep offers results.csv and results.parquet, not `{other}`"
            )))
        }
    };
    let path = state.sweep_dir().join(&name).join(&file);
    let missing = format!(
        "sweep `{name}` has no {file}: it is unknown, still running, or its rows have not been merged (`karvan sweep collect`)"
    );
    let bytes = state
        .compute("sweep results", move || {
            std::fs::read(&path).map_err(|_| ApiError::not_found(missing))
        })
        .await?;
    let disposition = format!("attachment; filename=\"karvan-{name}-{file}\"");
    Ok((
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

fn sweep_json(
    t: &karvan_report::sweep::SweepTable,
    dir: &FsPath,
    name: &str,
    figure: Option<&str>,
) -> ApiResult<Json<Value>> {
    let f = match figure.filter(|f| !f.is_empty()) {
        None if t.figures.is_empty() => None,
        None => Some(0),
        Some(asked) => match t.figures.iter().position(|x| x == asked) {
            Some(f) => Some(f),
            None => {
                const SHOWN: usize = 5;
                let mut some: Vec<String> = t
                    .figures
                    .iter()
                    .take(SHOWN)
                    .map(|x| format!("`{x}`"))
                    .collect();
                if t.figures.len() > SHOWN {
                    some.push(format!("and {} more", t.figures.len() - SHOWN));
                }
                let valid = if some.is_empty() {
                    "it has none".to_string()
                } else {
                    format!("its figures are {}", some.join(", "))
                };
                return Err(ApiError::bad_request(format!(
                    "sweep `{name}` has no figure `{asked}`; {valid}"
                ))
                .with_code("unknown_figure"));
            }
        },
    };
    let distributions: Vec<Value> = t
        .figures
        .iter()
        .enumerate()
        .map(|(k, fig)| match t.distribution(k) {
            Some(d) => json!({
                "figure": fig, "n": d.n, "min": d.min, "p10": d.p10, "p50": d.p50,
                "p90": d.p90, "max": d.max, "mean": d.mean,
            }),
            None => json!({ "figure": fig, "n": 0 }),
        })
        .collect();
    let (main_effects, tornado, svg) = match f {
        Some(f) => {
            let effects: Vec<Value> = t
                .dimensions
                .iter()
                .enumerate()
                .map(|(d, dim)| {
                    let levels: Vec<Value> = t
                        .main_effects(f, d)
                        .into_iter()
                        .map(|(level, mean, count)| json!({ "level": level, "mean": mean, "count": count }))
                        .collect();
                    json!({ "dimension": dim, "levels": levels })
                })
                .collect();
            let bars = t.tornado(f);
            let svg = if bars.is_empty() {
                None
            } else {
                Some(karvan_report::sweep::tornado_svg(t, f)?)
            };
            let rows: Vec<Value> = bars
                .into_iter()
                .map(|(dim, low, high)| json!({ "dimension": dim, "low": low, "high": high, "swing": high - low }))
                .collect();
            (effects, rows, svg)
        }
        None => (Vec::new(), Vec::new(), None),
    };
    let best: Vec<Value> = t
        .country_figures()
        .into_iter()
        .filter_map(|(k, country)| {
            let (id, value) = t.best(k)?;
            let cells = t
                .rows
                .iter()
                .find(|r| r.0 == id)
                .map(|r| r.1.clone())
                .unwrap_or_default();
            Some(json!({ "country": country, "figure": t.figures[k], "id": id, "value": value, "cells": cells }))
        })
        .collect();
    let mut out = sweep_progress(dir, name);
    if let Value::Object(m) = &mut out {
        m.insert("dimensions".into(), json!(t.dimensions));
        m.insert("figures".into(), json!(t.figures));
        m.insert("rows".into(), json!(t.rows.len()));
        m.insert("distributions".into(), json!(distributions));
        m.insert("figure".into(), json!(f.map(|f| &t.figures[f])));
        m.insert("main_effects".into(), json!(main_effects));
        m.insert("tornado".into(), json!(tornado));
        m.insert("tornado_svg".into(), json!(svg));
        m.insert("best".into(), json!(best));
    }
    Ok(Json(out))
}
