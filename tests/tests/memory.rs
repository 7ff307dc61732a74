//! What a session costs in a `MemoryStore`: bytes still allocated per session, counted by the allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Arc;
use std::sync::atomic::{AtomicIsize, Ordering};

use errorhandler::session::{MemoryStore, SessionConfig, SessionStore, Sessions};
use serde_json::json;

/// The system allocator, counting the bytes in use.
struct Counting;

static IN_USE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards every call to the system allocator unchanged; the counter has no effect on the memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        IN_USE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        IN_USE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { System.dealloc(pointer, layout) }
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        IN_USE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { System.realloc(pointer, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// How many sessions the figure is measured over: 100,000 in an optimized build (`--release`, which the
/// documented figure comes from), a quarter of that in a debug build, where each one takes longer. Both fill the
/// map to the same load (100,000 of 131,072 buckets, 25,000 of 32,768), so the figure is the same.
const SESSIONS: usize = if cfg!(debug_assertions) {
    25_000
} else {
    100_000
};

/// The bytes a session may cost; `MemoryStore`'s docs give the measured figure. Raised from 400 by
/// the per-user index (about 90 bytes when every session is another user's, as here), which makes listing and
/// revoking a user's sessions cost their number instead of a scan of the store under its lock.
const BUDGET_PER_SESSION: usize = 450;

#[test]
fn a_session_in_a_memory_store_costs_a_few_hundred_bytes() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = Arc::new(MemoryStore::new());
        let sessions = Sessions::with_store(
            SessionConfig::builder().build().unwrap(),
            Arc::clone(&store) as Arc<dyn SessionStore>,
        );
        // One session first, so that one-time allocations (the runtime's, the configuration's) are not counted.
        let _warm = sessions
            .create_new_session("warm", json!({}))
            .await
            .unwrap();
        let before = IN_USE.load(Ordering::Relaxed);
        let rss_before = resident_bytes();
        for i in 0..SESSIONS {
            // The example's payload: a role list and a flag, as SuperTokens' claims put them.
            let new = sessions
                .create_new_session(
                    format!("user-{i:06}"),
                    json!({ "st-role": ["user"], "st-ev": false }),
                )
                .await
                .unwrap();
            drop(new);
        }
        let after = IN_USE.load(Ordering::Relaxed);
        let per_session = (after - before) as usize / SESSIONS;
        let rss_per_session = resident_bytes().saturating_sub(rss_before) / SESSIONS;
        eprintln!(
            "{per_session} bytes per session in a MemoryStore, {rss_per_session} bytes of resident memory \
             ({SESSIONS} sessions)"
        );
        assert_eq!(store.len(), SESSIONS + 1);
        assert!(
            per_session <= BUDGET_PER_SESSION,
            "{per_session} bytes per session, more than the budget of {BUDGET_PER_SESSION}"
        );
    });
}

/// The process's resident memory, from `/proc/self/statm` (0 where there is none).
fn resident_bytes() -> usize {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|statm| statm.split_whitespace().nth(1)?.parse::<usize>().ok())
        .map_or(0, |pages| pages * 4096)
}
