//! Writing outputs so that a reader sees either the old output or the whole new one.

use std::path::{Path, PathBuf};

use crate::ReportError;

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ReportError + '_ {
    move |source| ReportError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(io(&parent))?;
    let mut tmp = tempfile::NamedTempFile::new_in(&parent).map_err(io(&parent))?;
    std::io::Write::write_all(&mut tmp, bytes).map_err(io(path))?;
    tmp.persist(path).map_err(|e| ReportError::Io {
        path: path.display().to_string(),
        source: e.error,
    })?;
    Ok(())
}

/// A folder of outputs built beside its final place and renamed into it on `commit`.
/// Dropped without `commit`, it is removed and the old folder stays as it was.
pub struct OutputDir {
    target: PathBuf,
    staging: tempfile::TempDir,
}

impl OutputDir {
    pub fn create(target: &Path) -> Result<OutputDir, ReportError> {
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(io(&parent))?;
        let staging = tempfile::Builder::new()
            .prefix(".karvan-out-")
            .tempdir_in(&parent)
            .map_err(io(&parent))?;
        Ok(OutputDir {
            target: target.to_path_buf(),
            staging,
        })
    }

    /// Writes one file into the folder being built.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<(), ReportError> {
        let path = self.staging.path().join(name);
        std::fs::write(&path, bytes).map_err(io(&path))
    }

    /// Replaces the target folder by the one built.
    pub fn commit(self) -> Result<(), ReportError> {
        let staged = self.staging.keep();
        let old = self.target.with_extension("karvan-old");
        let had_old = self.target.exists();
        if had_old {
            if old.exists() {
                std::fs::remove_dir_all(&old).map_err(io(&old))?;
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
            std::fs::remove_dir_all(&old).map_err(io(&old))?;
        }
        Ok(())
    }
}

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
    }
}
