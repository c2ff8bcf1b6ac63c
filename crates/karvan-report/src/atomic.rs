//! Writing outputs so that a reader sees either the old output or the whole new one, and
//! so that nothing Karvan did not write is ever replaced.
//!
//! An output folder carries a marker file, [`MARKER`]. An existing folder is replaced
//! only when it carries the marker (or is empty); any other folder is refused. The
//! target path is resolved (made absolute, `.` and `..` folded, symlinks followed) before
//! anything is touched, so `--out .` or `--out sub/..` names the folder it really is.
//! Staging folders and `*.karvan-old` folders left by an interrupted write are cleaned
//! up, or recovered, by the next write beside them.

use std::path::{Component, Path, PathBuf};

use crate::ReportError;

/// The file that marks a folder as Karvan's output, safe to replace whole.
pub const MARKER: &str = ".karvan-output";

const MARKER_TEXT: &str = "This folder is output written by Karvan. The next run that \
writes here replaces the whole folder.\n";

/// Prefix of the staging folders that an output is built in.
const STAGING_PREFIX: &str = ".karvan-out-";

/// Suffix of the folder that holds the previous output during the swap.
const OLD_SUFFIX: &str = ".karvan-old";

/// Staging folders of a process that is not running any more, or older than this, are
/// leftovers of an interrupted write.
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ReportError + '_ {
    move |source| ReportError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename.
/// The file gets the usual permissions (`0644` less the umask), like any other output.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    if path.is_dir() {
        return Err(ReportError::Refused {
            path: path.display().to_string(),
            reason: "it is a folder; give a file name".into(),
        });
    }
    let parent = parent_of(path);
    std::fs::create_dir_all(&parent).map_err(io(&parent))?;
    let mut tmp = temp_file_builder()
        .tempfile_in(&parent)
        .map_err(io(&parent))?;
    std::io::Write::write_all(&mut tmp, bytes).map_err(io(path))?;
    tmp.persist(path).map_err(|e| ReportError::Io {
        path: path.display().to_string(),
        source: e.error,
    })?;
    Ok(())
}

/// Writes an output file as [`write_file`] does, but refuses to replace an existing file
/// that Karvan did not write: one that neither carries Karvan's generator mark (HTML
/// reports) nor starts with the same header line as the new content (CSV tables).
pub fn write_output(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    if let Some(existing) = existing_head(path)? {
        if !is_own_file(&existing, bytes) {
            return Err(ReportError::Refused {
                path: path.display().to_string(),
                reason: "it exists and Karvan did not write it; choose another name, or \
                         remove it yourself"
                    .into(),
            });
        }
    }
    write_file(path, bytes)
}

/// The mark in every HTML file Karvan writes.
const GENERATOR_MARK: &[u8] = b"<meta name=\"generator\" content=\"Karvan\">";

/// The first KiB of an existing regular file, `None` when there is no file; an error for
/// anything that is not a regular file.
fn existing_head(path: &Path) -> Result<Option<Vec<u8>>, ReportError> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(path)(e)),
    };
    if !meta.is_file() {
        return Err(ReportError::Refused {
            path: path.display().to_string(),
            reason: "it exists and is not a regular file".into(),
        });
    }
    let mut head = vec![0u8; 1024];
    let mut file = std::fs::File::open(path).map_err(io(path))?;
    let n = std::io::Read::read(&mut file, &mut head).map_err(io(path))?;
    head.truncate(n);
    Ok(Some(head))
}

fn is_own_file(existing: &[u8], new: &[u8]) -> bool {
    let first_line = |b: &[u8]| b.split(|c| *c == b'\n').next().unwrap_or(&[]).to_vec();
    let contains = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    existing.is_empty()
        || contains(existing, GENERATOR_MARK)
        || (!new.starts_with(b"<")
            && !first_line(new).is_empty()
            && first_line(existing) == first_line(new))
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[cfg(unix)]
fn temp_file_builder() -> tempfile::Builder<'static, 'static> {
    use std::os::unix::fs::PermissionsExt;
    let mut b = tempfile::Builder::new();
    // The mode passed to open(2) is reduced by the umask, as for any new file.
    b.permissions(std::fs::Permissions::from_mode(0o666));
    b
}

#[cfg(not(unix))]
fn temp_file_builder() -> tempfile::Builder<'static, 'static> {
    tempfile::Builder::new()
}

/// A folder of outputs built beside its final place and renamed into it on `commit`.
/// Dropped without `commit`, it is removed and the old folder stays as it was.
pub struct OutputDir {
    target: PathBuf,
    staging: tempfile::TempDir,
}

impl OutputDir {
    /// Prepares to write the folder `target`. Refuses, before touching anything, a target
    /// that is the current folder or one of its ancestors, a file, or a folder that holds
    /// anything but Karvan's output.
    pub fn create(target: &Path) -> Result<OutputDir, ReportError> {
        let target = resolve(target)?;
        check_replaceable(&target)?;
        let parent = parent_of(&target);
        std::fs::create_dir_all(&parent).map_err(io(&parent))?;
        recover_interrupted(&target)?;
        clean_stale_staging(&parent);
        let staging = tempfile::Builder::new()
            .prefix(&format!("{STAGING_PREFIX}{}-", std::process::id()))
            .tempdir_in(&parent)
            .map_err(io(&parent))?;
        let marker = staging.path().join(MARKER);
        std::fs::write(&marker, MARKER_TEXT).map_err(io(&marker))?;
        Ok(OutputDir { target, staging })
    }

    /// The resolved folder that `commit` will write.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Writes one file into the folder being built.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<(), ReportError> {
        let path = self.staging.path().join(name);
        std::fs::write(&path, bytes).map_err(io(&path))
    }

    /// Replaces the target folder by the one built.
    pub fn commit(self) -> Result<(), ReportError> {
        // Checked again: the folder may have changed since `create`.
        check_replaceable(&self.target)?;
        let staged = self.staging.keep();
        set_folder_mode(&staged);
        let old = old_path(&self.target);
        let had_old = self.target.exists();
        if had_old {
            if old.exists() {
                remove_karvan_folder(&old)?;
            }
            std::fs::rename(&self.target, &old).map_err(io(&self.target))?;
        }
        if let Err(e) = std::fs::rename(&staged, &self.target) {
            if had_old {
                let _ = std::fs::rename(&old, &self.target);
            }
            let _ = std::fs::remove_dir_all(&staged);
            return Err(ReportError::Io {
                path: self.target.display().to_string(),
                source: e,
            });
        }
        if had_old {
            remove_karvan_folder(&old)?;
        }
        Ok(())
    }
}

/// Makes `path` absolute, folds `.` and `..`, and follows symlinks where the path exists.
pub fn resolve(path: &Path) -> Result<PathBuf, ReportError> {
    let cwd = std::env::current_dir().map_err(io(Path::new(".")))?;
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let mut folded = PathBuf::new();
    for part in absolute.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                folded.pop();
            }
            other => folded.push(other.as_os_str()),
        }
    }
    if folded.exists() {
        folded = folded.canonicalize().map_err(io(&folded))?;
    } else if let (Some(parent), Some(name)) = (folded.parent(), folded.file_name()) {
        if parent.exists() {
            folded = parent.canonicalize().map_err(io(parent))?.join(name);
        }
    }
    if folded.parent().is_none() {
        return Err(ReportError::Refused {
            path: path.display().to_string(),
            reason: "it is the root of the file system".into(),
        });
    }
    let cwd = cwd.canonicalize().unwrap_or(cwd);
    if cwd.starts_with(&folded) {
        return Err(ReportError::Refused {
            path: path.display().to_string(),
            reason: format!(
                "it is {} — the current folder or one that contains it; \
                 give a new folder for the output",
                folded.display()
            ),
        });
    }
    Ok(folded)
}

/// Whether `dir` is a folder that Karvan wrote (it carries the marker).
pub fn is_karvan_output(dir: &Path) -> bool {
    dir.join(MARKER).is_file()
}

fn check_replaceable(target: &Path) -> Result<(), ReportError> {
    let meta = match std::fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(target)(e)),
    };
    if !meta.is_dir() {
        return Err(ReportError::Refused {
            path: target.display().to_string(),
            reason: "it exists and is not a folder".into(),
        });
    }
    if is_karvan_output(target) {
        return Ok(());
    }
    let empty = std::fs::read_dir(target)
        .map_err(io(target))?
        .next()
        .is_none();
    if empty {
        return Ok(());
    }
    Err(ReportError::Refused {
        path: target.display().to_string(),
        reason: format!(
            "it is a folder that Karvan did not write (it has files and no {MARKER} marker); \
             choose another output folder, or empty this one yourself"
        ),
    })
}

fn old_path(target: &Path) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(OLD_SUFFIX);
    target.with_file_name(name)
}

/// Removes a folder only if Karvan wrote it.
fn remove_karvan_folder(dir: &Path) -> Result<(), ReportError> {
    if !is_karvan_output(dir) {
        return Err(ReportError::Refused {
            path: dir.display().to_string(),
            reason: format!("it is in the way and has no {MARKER} marker; move it away"),
        });
    }
    std::fs::remove_dir_all(dir).map_err(io(dir))
}

/// A write interrupted between its two renames leaves `<target>.karvan-old` and perhaps
/// no target: put the old output back, or drop the old copy if the new one is in place.
fn recover_interrupted(target: &Path) -> Result<(), ReportError> {
    let old = old_path(target);
    if !old.is_dir() || !is_karvan_output(&old) {
        return Ok(());
    }
    if target.exists() {
        remove_karvan_folder(&old)
    } else {
        std::fs::rename(&old, target).map_err(io(&old))
    }
}

/// Removes staging folders left in `parent` by writes that did not finish: those of a
/// process that is gone, or older than a day. Only marked folders are touched.
fn clean_stale_staging(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(STAGING_PREFIX)) else {
            continue;
        };
        let path = entry.path();
        if !is_karvan_output(&path) {
            continue;
        }
        if staging_is_stale(rest, &path) {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

fn staging_is_stale(rest: &str, path: &Path) -> bool {
    let old = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age > STALE_AFTER);
    let pid_gone = rest
        .split('-')
        .next()
        .and_then(|p| p.parse::<u32>().ok())
        .is_some_and(|pid| {
            pid != std::process::id()
                && Path::new("/proc/self").exists()
                && !Path::new(&format!("/proc/{pid}")).exists()
        });
    old || pid_gone
}

#[cfg(unix)]
fn set_folder_mode(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    // A staging folder is created private (0700); the output is an ordinary folder.
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755));
}

#[cfg(not(unix))]
fn set_folder_mode(_dir: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uncommitted_output_leaves_the_old_folder_alone() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        let first = OutputDir::create(&target).unwrap();
        first.write("a.txt", b"first").unwrap();
        first.commit().unwrap();
        {
            let second = OutputDir::create(&target).unwrap();
            second.write("a.txt", b"second").unwrap();
            // dropped: as if the run failed halfway
        }
        assert_eq!(
            std::fs::read_to_string(target.join("a.txt")).unwrap(),
            "first"
        );
        let leftovers: Vec<_> = std::fs::read_dir(root.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "staging folders are cleaned up");
        let third = OutputDir::create(&target).unwrap();
        third.write("b.txt", b"third").unwrap();
        third.commit().unwrap();
        assert!(!target.join("a.txt").exists());
        assert_eq!(
            std::fs::read_to_string(target.join("b.txt")).unwrap(),
            "third"
        );
        assert!(is_karvan_output(&target));
    }

    #[test]
    fn a_folder_karvan_did_not_write_is_refused() {
        let root = tempfile::tempdir().unwrap();
        let docs = root.path().join("docs");
        std::fs::create_dir(&docs).unwrap();
        std::fs::write(docs.join("thesis.txt"), "x").unwrap();
        let err = OutputDir::create(&docs).err().expect("refused");
        assert!(err.to_string().contains("did not write"), "{err}");
        assert_eq!(
            std::fs::read_to_string(docs.join("thesis.txt")).unwrap(),
            "x"
        );
    }

    #[test]
    fn dot_and_dotdot_resolve_to_the_folder_they_name() {
        let root = tempfile::tempdir().unwrap();
        let sub = root.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        std::fs::write(root.path().join("keep.txt"), "x").unwrap();
        for t in [root.path().join("sub/.."), root.path().join(".")] {
            assert_eq!(resolve(&t).unwrap(), root.path().canonicalize().unwrap());
            assert!(OutputDir::create(&t).is_err(), "{}", t.display());
        }
        assert!(root.path().join("keep.txt").exists());
    }

    #[test]
    fn an_interrupted_swap_is_recovered() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        let w = OutputDir::create(&target).unwrap();
        w.write("a.txt", b"first").unwrap();
        w.commit().unwrap();
        // Interrupted after the first rename: only out.karvan-old is left.
        std::fs::rename(&target, old_path(&target)).unwrap();
        let stale = root.path().join(format!("{STAGING_PREFIX}999999999-x"));
        std::fs::create_dir(&stale).unwrap();
        std::fs::write(stale.join(MARKER), "").unwrap();
        let w = OutputDir::create(&target).unwrap();
        assert_eq!(
            std::fs::read_to_string(target.join("a.txt")).unwrap(),
            "first"
        );
        assert!(!old_path(&target).exists());
        if Path::new("/proc/self").exists() {
            assert!(!stale.exists(), "the dead process's staging is removed");
        }
        drop(w);
    }

    #[test]
    fn a_file_karvan_did_not_write_is_not_replaced() {
        let root = tempfile::tempdir().unwrap();
        let thesis = root.path().join("thesis.html");
        std::fs::write(&thesis, "<html>my thesis</html>").unwrap();
        let err = write_output(
            &thesis,
            b"<!doctype html><meta name=\"generator\" content=\"Karvan\">",
        )
        .expect_err("refused");
        assert!(err.to_string().contains("did not write"), "{err}");
        assert_eq!(
            std::fs::read_to_string(&thesis).unwrap(),
            "<html>my thesis</html>"
        );
        // Karvan's own report and a table with the same header are replaced.
        let report = root.path().join("r.html");
        let html = b"<!doctype html><html><head><meta name=\"generator\" content=\"Karvan\">";
        write_output(&report, html).unwrap();
        write_output(&report, html).unwrap();
        let table = root.path().join("t.csv");
        write_output(&table, b"a,b\n1,2\n").unwrap();
        write_output(&table, b"a,b\n3,4\n").unwrap();
        assert!(write_output(&table, b"x,y\n1,2\n").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn outputs_are_readable_by_others() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("report.html");
        write_file(&file, b"x").unwrap();
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o044, 0o044, "mode {mode:o}");
        let dir = root.path().join("out");
        let w = OutputDir::create(&dir).unwrap();
        w.write("a", b"x").unwrap();
        w.commit().unwrap();
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o755);
    }
}
