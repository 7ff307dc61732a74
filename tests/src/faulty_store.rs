//! A session store that fails, hangs or is slow on demand, around a real one: what the tests of a store outage
//! and of its log serve their apps on.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use errorhandler::session::{SessionRecord, SessionStore, SessionStoreError, async_trait};

/// The faults a [`FaultyStore`] shows on every call while set; none at first.
#[derive(Default)]
pub struct Faults {
    /// Every call fails with "the database is down", caused by an I/O error ("connection refused").
    pub failing: AtomicBool,
    /// Every call hangs.
    pub hanging: AtomicBool,
    /// Every call first waits this many milliseconds.
    pub delay_ms: AtomicU64,
}

/// `inner`, failing, hanging or slow on demand.
pub struct FaultyStore {
    inner: Arc<dyn SessionStore>,
    faults: Arc<Faults>,
}

impl FaultyStore {
    /// `inner`, with the faults `faults` sets (the test keeps a clone to steer them).
    pub fn new(inner: Arc<dyn SessionStore>, faults: Arc<Faults>) -> Self {
        Self { inner, faults }
    }

    async fn fault(&self) -> Result<(), SessionStoreError> {
        let delay = self.faults.delay_ms.load(Ordering::SeqCst);
        if delay > 0 {
            tokio::time::sleep(Duration::from_millis(delay)).await;
        }
        if self.faults.hanging.load(Ordering::SeqCst) {
            std::future::pending::<()>().await;
        }
        if self.faults.failing.load(Ordering::SeqCst) {
            let cause =
                std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
            return Err(SessionStoreError::new("the database is down").with_source(cause));
        }
        Ok(())
    }
}

#[async_trait]
impl SessionStore for FaultyStore {
    async fn create(&self, record: &SessionRecord, ttl: Duration) -> Result<(), SessionStoreError> {
        self.fault().await?;
        self.inner.create(record, ttl).await
    }
    async fn load(&self, handle: &str) -> Result<Option<SessionRecord>, SessionStoreError> {
        self.fault().await?;
        self.inner.load(handle).await
    }
    async fn compare_and_swap(
        &self,
        expected_version: u64,
        record: &SessionRecord,
        ttl: Duration,
    ) -> Result<bool, SessionStoreError> {
        self.fault().await?;
        self.inner
            .compare_and_swap(expected_version, record, ttl)
            .await
    }
    async fn delete(&self, handle: &str) -> Result<bool, SessionStoreError> {
        self.fault().await?;
        self.inner.delete(handle).await
    }
    async fn list_by_user(&self, user_id: &str) -> Result<Vec<SessionRecord>, SessionStoreError> {
        self.fault().await?;
        self.inner.list_by_user(user_id).await
    }
    async fn delete_by_user(&self, user_id: &str) -> Result<Vec<String>, SessionStoreError> {
        self.fault().await?;
        self.inner.delete_by_user(user_id).await
    }
}
