//! The runtime's module structure: the core stands without the session recipe, and no module imports one that
//! imports it back (the session recipe counts as one module here).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The modules that make the Flask-style core, which build without the `session` feature.
const CORE: &[&str] = &[
    "caught",
    "defaults",
    "error",
    "error_status",
    "handlers",
    "http_error",
    "layer",
    "__private",
];

/// Each top-level module of `src/` and the top-level modules its code names through `crate::` or `super::`;
/// comments and doc comments are left out.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut modules: BTreeMap<String, String> = BTreeMap::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            let mut text = String::new();
            for file in std::fs::read_dir(&path).unwrap() {
                text += &std::fs::read_to_string(file.unwrap().path()).unwrap();
            }
            modules.insert(name, text);
        } else if name != "lib" {
            modules.insert(name, std::fs::read_to_string(&path).unwrap());
        }
    }
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    modules
        .iter()
        .map(|(module, text)| {
            let code: String = text
                .lines()
                .map(|line| line.split("//").next().unwrap_or_default())
                .collect::<Vec<_>>()
                .join("\n");
            let named = names
                .iter()
                .filter(|other| *other != module)
                .filter(|other| {
                    [format!("crate::{other}"), format!("super::{other}")]
                        .iter()
                        .any(|path| names_path(&code, path))
                })
                .cloned()
                .collect();
            (module.clone(), named)
        })
        .collect()
}

/// Whether `code` contains `path` as a whole path segment (`crate::error`, not `crate::error_status`).
fn names_path(code: &str, path: &str) -> bool {
    code.match_indices(path).any(|(at, _)| {
        code[at + path.len()..]
            .chars()
            .next()
            .is_none_or(|next| !(next.is_alphanumeric() || next == '_'))
    })
}

#[test]
fn the_core_does_not_name_the_session_recipe() {
    let graph = graph();
    for module in CORE {
        let names = &graph[*module];
        assert!(
            !names.contains("session"),
            "{module} names the session module: {names:?}"
        );
    }
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    fn visit(
        module: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if let Some(start) = path.iter().position(|seen| seen == module) {
            panic!("import cycle: {} -> {module}", path[start..].join(" -> "));
        }
        if done.contains(module) {
            return;
        }
        path.push(module.to_owned());
        for next in &graph[module] {
            visit(next, graph, path, done);
        }
        path.pop();
        done.insert(module.to_owned());
    }
    let graph = graph();
    let mut done = BTreeSet::new();
    for module in graph.keys() {
        visit(module, &graph, &mut Vec::new(), &mut done);
    }
}
