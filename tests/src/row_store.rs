//! A session store written against the crate's public API alone, as a store over SQL rows or documents would be:
//! it keeps plain columns and rebuilds each record through `SessionRecord::new`.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use errorhandler::session::{
    SessionRecord, SessionStore, SessionStoreError, TokenHash, async_trait,
};

/// Sessions as rows of one table keyed by handle, with an index by user, under one lock (a database's
/// transaction); a row is kept at least its `ttl` and swept by the writes after that.
#[derive(Debug, Default)]
pub struct RowStore {
    table: Mutex<Table>,
}

#[derive(Debug, Default)]
struct Table {
    /// The primary key, the handle, to the row.
    rows: HashMap<String, Row>,
    /// The index by user: each user's handles.
    by_user: HashMap<String, BTreeSet<String>>,
}

/// A session's columns: text, integers and bytes, never the record itself.
#[derive(Debug)]
struct Row {
    user_id: String,
    /// The payload as JSON text.
    payload: String,
    created_at: u64,
    expires_at: u64,
    current_refresh_hash: [u8; 32],
    previous_refresh_hash: Option<[u8; 32]>,
    rotated_at_ms: Option<u64>,
    version: u64,
    /// Until when the row must be kept: the last write's time plus its `ttl`.
    keep_until: Instant,
}

impl RowStore {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Table> {
        // Every operation leaves the table and its index consistent before it can panic.
        self.table
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Table {
    /// The row `handle`, unless its time is over: such a row is as good as gone, as in a store with TTLs.
    fn live(&self, handle: &str, now: Instant) -> Option<&Row> {
        self.rows.get(handle).filter(|row| row.keep_until > now)
    }

    fn insert(&mut self, handle: &str, row: Row) {
        self.by_user
            .entry(row.user_id.clone())
            .or_default()
            .insert(handle.to_owned());
        self.rows.insert(handle.to_owned(), row);
    }

    fn remove(&mut self, handle: &str) -> Option<Row> {
        let row = self.rows.remove(handle)?;
        if let Some(handles) = self.by_user.get_mut(&row.user_id) {
            handles.remove(handle);
            if handles.is_empty() {
                self.by_user.remove(&row.user_id);
            }
        }
        Some(row)
    }

    /// Deletes the rows whose time is over.
    fn sweep(&mut self, now: Instant) {
        let over: Vec<String> = self
            .rows
            .iter()
            .filter(|(_, row)| row.keep_until <= now)
            .map(|(handle, _)| handle.clone())
            .collect();
        for handle in over {
            self.remove(&handle);
        }
    }
}

impl Row {
    /// The columns of `record`, to be kept `ttl` from `now`.
    fn of(record: &SessionRecord, ttl: Duration, now: Instant) -> Result<Self, SessionStoreError> {
        let payload = serde_json::to_string(&record.payload).map_err(|error| {
            SessionStoreError::new("the payload cannot be written as JSON").with_source(error)
        })?;
        Ok(Self {
            user_id: record.user_id.clone(),
            payload,
            created_at: record.created_at,
            expires_at: record.expires_at,
            current_refresh_hash: *record.current_refresh_hash.as_bytes(),
            previous_refresh_hash: record.previous_refresh_hash.map(|hash| *hash.as_bytes()),
            rotated_at_ms: record.rotated_at_ms,
            version: record.version,
            // A century stands for a `ttl` too long for an `Instant`.
            keep_until: now + ttl.min(Duration::from_secs(100 * 365 * 86_400)),
        })
    }

    /// The record the row keeps, through the public constructor.
    fn record(&self, handle: &str) -> Result<SessionRecord, SessionStoreError> {
        let payload = serde_json::from_str(&self.payload).map_err(|error| {
            SessionStoreError::new("a stored payload cannot be read back").with_source(error)
        })?;
        let mut record = SessionRecord::new(
            handle,
            self.user_id.as_str(),
            payload,
            self.created_at,
            self.expires_at,
            TokenHash::from_bytes(self.current_refresh_hash),
        );
        record.previous_refresh_hash = self.previous_refresh_hash.map(TokenHash::from_bytes);
        record.rotated_at_ms = self.rotated_at_ms;
        record.version = self.version;
        Ok(record)
    }
}

#[async_trait]
impl SessionStore for RowStore {
    async fn create(&self, record: &SessionRecord, ttl: Duration) -> Result<(), SessionStoreError> {
        let now = Instant::now();
        let row = Row::of(record, ttl, now)?;
        let mut table = self.lock();
        table.sweep(now);
        // The handle is the primary key: an insert over a live row fails, as it would in SQL.
        if table.rows.contains_key(&record.handle) {
            return Err(SessionStoreError::new(
                "a session with this handle already exists",
            ));
        }
        table.insert(&record.handle, row);
        Ok(())
    }

    async fn load(&self, handle: &str) -> Result<Option<SessionRecord>, SessionStoreError> {
        self.lock()
            .live(handle, Instant::now())
            .map(|row| row.record(handle))
            .transpose()
    }

    async fn compare_and_swap(
        &self,
        expected_version: u64,
        record: &SessionRecord,
        ttl: Duration,
    ) -> Result<bool, SessionStoreError> {
        let now = Instant::now();
        let row = Row::of(record, ttl, now)?;
        // `UPDATE ... WHERE handle = $1 AND version = $2`: the check and the write under one lock.
        let mut table = self.lock();
        let unchanged = table
            .live(&record.handle, now)
            .is_some_and(|stored| stored.version == expected_version);
        if unchanged {
            // Replaced, index included, in case the update moved the session to another user.
            table.remove(&record.handle);
            table.insert(&record.handle, row);
        }
        Ok(unchanged)
    }

    async fn delete(&self, handle: &str) -> Result<bool, SessionStoreError> {
        let now = Instant::now();
        let mut table = self.lock();
        let existed = table.live(handle, now).is_some();
        table.remove(handle);
        Ok(existed)
    }

    async fn list_by_user(&self, user_id: &str) -> Result<Vec<SessionRecord>, SessionStoreError> {
        let now = Instant::now();
        let table = self.lock();
        let Some(handles) = table.by_user.get(user_id) else {
            return Ok(Vec::new());
        };
        handles
            .iter()
            .filter_map(|handle| Some(table.live(handle, now)?.record(handle)))
            .collect()
    }

    async fn delete_by_user(&self, user_id: &str) -> Result<Vec<String>, SessionStoreError> {
        let now = Instant::now();
        let mut table = self.lock();
        let handles = table.by_user.get(user_id).cloned().unwrap_or_default();
        let mut deleted = Vec::new();
        for handle in handles {
            let live = table.live(&handle, now).is_some();
            table.remove(&handle);
            if live {
                deleted.push(handle);
            }
        }
        Ok(deleted)
    }
}
