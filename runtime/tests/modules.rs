//! The runtime's module structure: the core stands without the session recipe, and no module imports one that
//! imports it back, among the top-level modules (the session recipe counting as one) and among the session
//! recipe's own modules.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The modules that make the Flask-style core, which build without the `session` feature.
const CORE: &[&str] = &[
    "caught",
    "defaults",
    "error",
    "error_status",
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
        if path.is_dir() || name != "lib" {
            modules.insert(name, source(&path));
        }
    }
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    modules
        .iter()
        .map(|(module, text)| {
            let code = code(text);
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

/// Each module of `src/session/` and the session modules its code names through `super::` or
/// `crate::session::`: by name (`super::tokens`), or through an item that `mod.rs` imports from one
/// (`super::SessionError` names `error`); comments and doc comments are left out.
///
/// `mod.rs` is the parent, not a node of the graph: it declares and re-exports every module, and it defines
/// `Sessions`, the recipe that each concept's module extends with its own `impl Sessions` block, so counting it
/// would make each of those a cycle by construction. What it defines itself (`Sessions`, `NewSession`) is
/// therefore no edge.
fn session_graph() -> BTreeMap<String, BTreeSet<String>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/session");
    let mut modules: BTreeMap<String, String> = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() || path.extension().is_some_and(|extension| extension == "rs") {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            modules.insert(name, code(&source(&path)));
        }
    }
    let parent = modules.remove("mod").expect("src/session/mod.rs");
    // The module each name of the parent's namespace comes from: the modules themselves, and the items the
    // parent imports from them with `use module::...` or `pub use module::...`.
    let mut origin: BTreeMap<String, String> = modules
        .keys()
        .map(|module| (module.clone(), module.clone()))
        .collect();
    for statement in use_statements(&parent) {
        let Some((module, rest)) = statement.split_once("::") else {
            continue;
        };
        if modules.contains_key(module) {
            for entry in entries(rest) {
                let bound = entry.rsplit([' ', ':']).next().unwrap_or_default();
                origin.insert(bound.to_owned(), module.to_owned());
            }
        }
    }
    modules
        .iter()
        .map(|(module, code)| {
            let named = ["super::", "crate::session::"]
                .iter()
                .flat_map(|prefix| names_after(code, prefix))
                .filter_map(|name| origin.get(&name))
                .filter(|other| *other != module)
                .cloned()
                .collect();
            (module.clone(), named)
        })
        .collect()
}

/// The source of the module at `path`: the file, or every file of the directory and its subdirectories.
fn source(path: &Path) -> String {
    if !path.is_dir() {
        return std::fs::read_to_string(path).unwrap();
    }
    let mut files: Vec<_> = std::fs::read_dir(path)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    files.iter().map(|file| source(file)).collect()
}

/// `text` without its comments and doc comments.
fn code(text: &str) -> String {
    text.lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
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

/// The first segment of every path that follows `prefix` in `code`, one per entry of a `prefix{a, b::C}` group.
fn names_after(code: &str, prefix: &str) -> Vec<String> {
    code.match_indices(prefix)
        .filter(|(at, _)| {
            code[..*at]
                .chars()
                .next_back()
                .is_none_or(|before| !(before.is_alphanumeric() || before == '_'))
        })
        .flat_map(|(at, _)| entries(&code[at + prefix.len()..]))
        .map(|entry| {
            entry
                .split([':', ' '])
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

/// The paths that `rest` starts with: the entries of a `{...}` group, or the one path.
fn entries(rest: &str) -> Vec<&str> {
    let rest = rest.trim_start();
    let Some(group) = rest.strip_prefix('{') else {
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(rest.len());
        return vec![&rest[..end]];
    };
    let mut entries = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (at, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                entries.push(&group[start..at]);
                break;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                entries.push(&group[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    entries
        .into_iter()
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .collect()
}

/// The paths of the `use` and `pub use` statements of `code`, without the keywords and the `;`.
fn use_statements(code: &str) -> Vec<&str> {
    code.match_indices("use ")
        .filter(|(at, _)| {
            let line = code[..*at].rsplit('\n').next().unwrap_or_default().trim();
            line.is_empty() || line.starts_with("pub")
        })
        .filter_map(|(at, keyword)| {
            let path = &code[at + keyword.len()..];
            path.find(';').map(|end| path[..end].trim())
        })
        .collect()
}

/// Panics with the path of the first cycle found in `graph`.
fn assert_acyclic(graph: &BTreeMap<String, BTreeSet<String>>) {
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
    let mut done = BTreeSet::new();
    for module in graph.keys() {
        visit(module, graph, &mut Vec::new(), &mut done);
    }
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
    assert_acyclic(&graph());
}

#[test]
fn no_session_module_imports_one_that_imports_it_back() {
    let graph = session_graph();
    assert!(
        graph.values().any(|named| !named.is_empty()),
        "no session module names another, so the imports were not read: {graph:?}"
    );
    assert_acyclic(&graph);
}
