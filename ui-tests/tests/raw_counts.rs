//! How many diagnostics rustc emits for each `fail/` case: one error, two where the case is a duplicate (the
//! second points at the first occurrence) or two mistakes, no warning, and no error under a whole invocation.
//!
//! trybuild compares against cargo's rendered output, which prints identical diagnostics once, so it cannot see
//! an error emitted twice. This test reads rustc's own JSON diagnostics instead. Every case is a `[[bin]]` of
//! one generated package, checked by one `cargo check`, so the dependencies build once.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Cases that report two errors, each with the reason.
const TWO_ERRORS: &[&str] = &[
    // a duplicate: the second occurrence, and the first one pointed at
    "duplicate-code",
    "duplicate-default",
    "duplicate-type",
    "set-state-twice",
    "session-duplicate-callback",
    "handler-item-duplicate-key",
    "handler-item-stacked-duplicate-key",
    "handler-item-duplicate-type-key-same-module",
    // two independent mistakes, both reported in one compile
    "two-mistakes",
    "session-two-mistakes",
];

#[test]
fn each_fail_case_emits_one_error_and_no_warning() {
    let ui_tests = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cases = fail_cases(&ui_tests.join("tests/fail"));
    let project = Path::new(env!("CARGO_TARGET_TMPDIR")).join("raw-counts");
    write_project(&project, ui_tests, &cases);

    let output = Command::new(env!("CARGO"))
        .current_dir(&project)
        .env("CARGO_TARGET_DIR", project.join("target"))
        .env_remove("RUSTFLAGS")
        .args([
            "check",
            "--bins",
            "--keep-going",
            "--quiet",
            "--color=never",
        ])
        .arg("--message-format=json")
        .output()
        .expect("cargo runs");

    let mut found: BTreeMap<String, Counts> = cases
        .iter()
        .map(|(name, _)| (name.clone(), Counts::default()))
        .collect();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if message["reason"] != "compiler-message" {
            continue;
        }
        let target = message["target"]["name"].as_str().unwrap_or_default();
        let diagnostic = &message["message"];
        let Some(counts) = found.get_mut(target) else {
            panic!(
                "a diagnostic outside the cases, in `{target}`:\n{}",
                diagnostic["rendered"].as_str().unwrap_or_default()
            );
        };
        let rendered = diagnostic["rendered"].as_str().unwrap_or_default();
        match diagnostic["level"].as_str() {
            Some("error") if is_summary(diagnostic) => {}
            Some("error") => {
                if let Some(invocation) = on_invocation(diagnostic) {
                    counts.others.push(format!(
                        "(under the whole `{invocation}` invocation, not the user's token)\n{rendered}"
                    ));
                }
                counts.errors.push(rendered.to_owned());
            }
            Some("warning") if is_summary(diagnostic) => {}
            // "For more information about this error, try `rustc --explain E0277`."
            Some("failure-note") => {}
            _ => counts.others.push(rendered.to_owned()),
        }
    }

    let mut report = String::new();
    for (name, counts) in &found {
        let expected = if TWO_ERRORS.contains(&name.as_str()) {
            2
        } else {
            1
        };
        if counts.errors.len() != expected || !counts.others.is_empty() {
            let _ = writeln!(
                report,
                "\n=== {name}: {} errors (expected {expected}), {} other diagnostics",
                counts.errors.len(),
                counts.others.len()
            );
            for rendered in counts.errors.iter().chain(&counts.others) {
                let _ = write!(report, "{rendered}");
            }
        }
    }
    for name in TWO_ERRORS {
        if !found.contains_key(*name) {
            let _ = writeln!(report, "\n=== {name}: listed in TWO_ERRORS, but not a case");
        }
    }
    assert!(
        report.is_empty(),
        "rustc's diagnostics differ from one error per mistake:{report}\n--- cargo's stderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[derive(Default)]
struct Counts {
    errors: Vec<String>,
    others: Vec<String>,
}

/// rustc's closing lines, "aborting due to 2 previous errors" and "1 warning emitted", which count nothing.
fn is_summary(diagnostic: &serde_json::Value) -> bool {
    let spans = diagnostic["spans"].as_array().map_or(0, Vec::len);
    let message = diagnostic["message"].as_str().unwrap_or_default();
    spans == 0 && (message.starts_with("aborting due to") || message.ends_with("emitted"))
}

/// The macro whose whole invocation the error is under, as a call-site span puts it, rather than a token in it.
fn on_invocation(diagnostic: &serde_json::Value) -> Option<&'static str> {
    let spans = diagnostic["spans"].as_array()?;
    let primary = spans.iter().find(|span| span["is_primary"] == true)?;
    let line = primary["text"].get(0)?;
    let start = usize::try_from(line["highlight_start"].as_u64()?).ok()?;
    let text = line["text"].as_str()?.get(start.checked_sub(1)?..)?;
    ["errorhandler!", "abort!", "#[session_error_handlers]"]
        .into_iter()
        .find(|invocation| text.starts_with(invocation))
}

/// The `fail/*.rs` cases, by name.
fn fail_cases(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut cases: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .expect("tests/fail is readable")
        .map(|entry| entry.expect("tests/fail is readable").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            (name, path)
        })
        .collect();
    cases.sort();
    cases
}

/// A package with one `[[bin]]` per case and this crate's dev-dependencies, which the cases use, locked as the
/// workspace is.
fn write_project(project: &Path, ui_tests: &Path, cases: &[(String, PathBuf)]) {
    let workspace = ui_tests.parent().expect("ui-tests is in the workspace");
    let mut manifest = String::from(
        "[package]\nname = \"errorhandler-raw-counts\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\
         publish = false\nautobins = false\n\n[workspace]\n\n[dependencies]\n",
    );
    for (name, dependency) in dev_dependencies(workspace, ui_tests) {
        let _ = writeln!(manifest, "{name} = {dependency}");
    }
    for (name, path) in cases {
        let _ = write!(
            manifest,
            "\n[[bin]]\nname = {}\npath = {}\n",
            toml::Value::from(name.as_str()),
            toml::Value::from(path.to_string_lossy().as_ref())
        );
    }
    std::fs::create_dir_all(project).expect("the project directory can be created");
    write_if_changed(&project.join("Cargo.toml"), &manifest);
    let lock =
        std::fs::read_to_string(workspace.join("Cargo.lock")).expect("the workspace is locked");
    write_if_changed(&project.join("Cargo.lock"), &lock);
}

/// The dev-dependencies of ui-tests but trybuild and toml, with workspace entries and paths resolved.
fn dev_dependencies(workspace: &Path, ui_tests: &Path) -> Vec<(String, toml::Value)> {
    let read = |path: &Path| -> toml::Table {
        std::fs::read_to_string(path)
            .expect("a manifest is readable")
            .parse()
            .expect("a manifest is TOML")
    };
    let root = read(&workspace.join("Cargo.toml"));
    let inherited = &root["workspace"]["dependencies"];
    let own = read(&ui_tests.join("Cargo.toml"));
    own["dev-dependencies"]
        .as_table()
        .expect("ui-tests has dev-dependencies")
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "trybuild" | "toml"))
        .map(|(name, written)| {
            let mut dependency = match written {
                toml::Value::Table(table) if table.get("workspace").is_some() => {
                    let mut dependency = as_table(&inherited[name.as_str()]);
                    if let Some(features) = table.get("features") {
                        let mut all = dependency
                            .get("features")
                            .and_then(toml::Value::as_array)
                            .cloned()
                            .unwrap_or_default();
                        all.extend(features.as_array().into_iter().flatten().cloned());
                        dependency.insert("features".into(), all.into());
                    }
                    dependency
                }
                other => as_table(other),
            };
            if let Some(path) = dependency.get("path").and_then(toml::Value::as_str) {
                let absolute = workspace.join(path).to_string_lossy().into_owned();
                dependency.insert("path".into(), absolute.into());
            }
            (name.clone(), toml::Value::Table(dependency))
        })
        .collect()
}

fn as_table(value: &toml::Value) -> toml::Table {
    match value {
        toml::Value::String(version) => {
            toml::Table::from_iter([("version".to_owned(), version.clone().into())])
        }
        toml::Value::Table(table) => table.clone(),
        other => panic!("unexpected dependency entry {other}"),
    }
}

/// Keeps cargo's fingerprints when nothing changed.
fn write_if_changed(path: &Path, contents: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(contents) {
        std::fs::write(path, contents).expect("the project can be written");
    }
}
