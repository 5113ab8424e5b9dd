//! SQLite storage: one row per event.
//!
//! A single connection behind a mutex is plenty for a dev collector; WAL mode
//! lets someone inspect the file with the `sqlite3` shell while it runs.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection};
use serde_json::{json, Map, Value};

use crate::ingest::{Batch, Channel};

/// One stored event, as returned by queries.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub id: i64,
    pub channel: String,
    pub received_at: i64,
    pub session_id: Option<String>,
    pub batch: Value,
    pub data: Value,
}

impl StoredEvent {
    /// The JSON shape of `GET /api/events`.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "channel": self.channel,
            "receivedAt": self.received_at,
            "sessionId": self.session_id,
            "batch": self.batch,
            "data": self.data,
        })
    }
}

pub struct Store {
    conn: Mutex<Connection>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS events (
    -- AUTOINCREMENT: ids never go back after a reset, so a test's `since`
    -- cursor taken before a reset cannot hide newer events.
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    channel     TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    session_id  TEXT,
    batch       TEXT    NOT NULL,
    data        TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS events_channel_id ON events (channel, id);
CREATE INDEX IF NOT EXISTS events_received_at ON events (received_at);
-- the batch ids stored (a batch sent again, by a retry whose answer was lost or as a beacon copy
-- at page close, has the same id): kept for BATCH_ID_DAYS, across restarts
CREATE TABLE IF NOT EXISTS batches (
    channel     TEXT    NOT NULL,
    batch_id    TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (channel, batch_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS batches_received_at ON batches (received_at);
";

/// How long a batch id is remembered: an SDK keeps unsent batches for a day at most.
const BATCH_ID_DAYS: i64 = 2;

impl Store {
    /// Opens (creating if needed) the database file; `:memory:` works for tests.
    pub fn open(path: &Path) -> Result<Store, rusqlite::Error> {
        let conn = Connection::open(path)?;
        // WAL: readers (the sqlite3 shell, a second tool) don't block ingest.
        // An in-memory database answers "memory", which is fine.
        let _mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (the
        // transaction rolls back on drop), so a poisoned lock is safe to reuse.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores every event of a batch in one transaction; returns how many, or `None` when a
    /// batch of that id was stored already (the copy is dropped).
    pub fn insert_batch(
        &self,
        channel: Channel,
        received_at: i64,
        batch: &Batch,
    ) -> Result<Option<usize>, rusqlite::Error> {
        self.insert_batches(received_at, &[(channel, batch)])
    }

    /// Stores several batches (an OTLP export as it came, and its records as native items) in
    /// one transaction: all of them or none; returns how many events. A batch whose id was stored
    /// already is left out, in the same transaction (two copies arriving at once store one);
    /// `None` when every batch given was such a copy.
    pub fn insert_batches(&self, received_at: i64, batches: &[(Channel, &Batch)]) -> Result<Option<usize>, rusqlite::Error> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut n = 0;
        let mut copies = 0;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO events (channel, received_at, session_id, batch, data)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            let mut remember = tx.prepare_cached("INSERT OR IGNORE INTO batches (channel, batch_id, received_at) VALUES (?1, ?2, ?3)")?;
            tx.execute("DELETE FROM batches WHERE received_at < ?1", params![received_at - BATCH_ID_DAYS * 86_400_000])?;
            for (channel, batch) in batches {
                if let Some(id) = &batch.batch_id {
                    if remember.execute(params![channel.name(), id, received_at])? == 0 {
                        copies += 1;
                        continue;
                    }
                }
                let batch_json = Value::Object(batch.batch.clone()).to_string();
                for event in &batch.events {
                    stmt.execute(params![
                        channel.name(),
                        received_at,
                        batch.session_of(event),
                        batch_json,
                        event.to_string(),
                    ])?;
                }
                n += batch.events.len();
            }
        }
        tx.commit()?;
        Ok((copies < batches.len() || batches.is_empty()).then_some(n))
    }

    /// Events with `id > since`, oldest first, optionally of one channel.
    pub fn query(
        &self,
        channel: Option<Channel>,
        since: i64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, rusqlite::Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, channel, received_at, session_id, batch, data FROM events
             WHERE id > ?1 AND (?2 IS NULL OR channel = ?2)
             ORDER BY id LIMIT ?3",
        )?;
        let rows = stmt.query_map(
            params![since, channel.map(Channel::name), limit],
            row_to_event,
        )?;
        rows.collect()
    }

    /// The `limit` most recent events of a channel, newest first (dashboard).
    pub fn recent(
        &self,
        channel: Channel,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, rusqlite::Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, channel, received_at, session_id, batch, data FROM events
             WHERE channel = ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![channel.name(), limit], row_to_event)?;
        rows.collect()
    }

    /// Events of every channel received in `[from, to)` (ms since the epoch), oldest first, at
    /// most `limit` (the newest are kept).
    pub fn between(&self, from: i64, to: i64, limit: u32) -> Result<Vec<StoredEvent>, rusqlite::Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT * FROM (SELECT id, channel, received_at, session_id, batch, data FROM events
             WHERE received_at >= ?1 AND received_at < ?2 ORDER BY id DESC LIMIT ?3) ORDER BY id",
        )?;
        let rows = stmt.query_map(params![from, to, limit], row_to_event)?;
        rows.collect()
    }

    /// Count of stored events per channel, every known channel included (zeros too).
    pub fn counts(&self) -> Result<Map<String, Value>, rusqlite::Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached("SELECT count(*) FROM events WHERE channel = ?1")?;
        let mut out = Map::new();
        for c in Channel::ALL {
            let n: i64 = stmt.query_row([c.name()], |r| r.get(0))?;
            out.insert(c.name().to_owned(), n.into());
        }
        Ok(out)
    }

    /// Deletes every event (admin reset).
    pub fn clear(&self) -> Result<(), rusqlite::Error> {
        self.conn().execute_batch("DELETE FROM events; DELETE FROM batches;")
    }
}

fn row_to_event(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredEvent> {
    let batch: String = r.get(4)?;
    let data: String = r.get(5)?;
    Ok(StoredEvent {
        id: r.get(0)?,
        channel: r.get(1)?,
        received_at: r.get(2)?,
        session_id: r.get(3)?,
        // Only this program writes the table, always valid JSON; a row edited by
        // hand into garbage shows as null rather than failing the whole query.
        batch: serde_json::from_str(&batch).unwrap_or(Value::Null),
        data: serde_json::from_str(&data).unwrap_or(Value::Null),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::parse_batch;

    fn store() -> Store {
        Store::open(Path::new(":memory:")).unwrap()
    }

    #[test]
    fn a_batch_id_is_stored_once_across_restarts_and_for_a_day_or_two() {
        let dir = std::env::temp_dir().join(format!("slc-batches-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("e.sqlite");
        let batch = |id: &str| parse_batch(Channel::Errors, format!(r#"{{"errors":[{{"type":"manual","message":"m","timestamp":"t"}}],"batchId":"{id}"}}"#).as_bytes()).unwrap();
        let s = Store::open(&path).unwrap();
        assert_eq!(s.insert_batch(Channel::Errors, 1000, &batch("b1")).unwrap(), Some(1));
        assert_eq!(s.insert_batch(Channel::Errors, 2000, &batch("b1")).unwrap(), None, "the copy");
        // another channel's batch may have the same id
        let m = parse_batch(Channel::Metrics, br#"{"metrics":[{"name":"m","value":1,"timestamp":"t","tags":{}}],"batchId":"b1"}"#).unwrap();
        assert_eq!(s.insert_batch(Channel::Metrics, 2000, &m).unwrap(), Some(1));
        drop(s);
        // a restarted collector still knows it
        let s = Store::open(&path).unwrap();
        assert_eq!(s.insert_batch(Channel::Errors, 3000, &batch("b1")).unwrap(), None);
        assert_eq!(s.query(Some(Channel::Errors), 0, 100).unwrap().len(), 1);
        // ids are forgotten after BATCH_ID_DAYS
        let later = 3000 + BATCH_ID_DAYS * 86_400_000 + 1;
        assert_eq!(s.insert_batch(Channel::Errors, later + 1, &batch("b2")).unwrap(), Some(1));
        assert_eq!(s.insert_batch(Channel::Errors, later + 2, &batch("b1")).unwrap(), Some(1));
        drop(s);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn insert_query_count_clear() {
        let s = store();
        let b = parse_batch(
            Channel::Errors,
            br#"{"errors":[{"type":"manual","message":"a","timestamp":"t"},{"type":"manual","message":"b","timestamp":"t","sessionId":"x"}],"sessionId":"s1","sentAt":"t"}"#,
        )
        .unwrap();
        assert_eq!(s.insert_batch(Channel::Errors, 1000, &b).unwrap(), Some(2));
        let m = parse_batch(Channel::Metrics, br#"{"metrics":[{"name":"m","value":1,"timestamp":"t","tags":{}}]}"#).unwrap();
        s.insert_batch(Channel::Metrics, 2000, &m).unwrap();

        let all = s.query(None, 0, 1000).unwrap();
        assert_eq!(all.len(), 3);
        assert!(all.windows(2).all(|w| w[0].id < w[1].id));
        assert_eq!(all[0].channel, "errors");
        assert_eq!(all[0].session_id.as_deref(), Some("s1"));
        assert_eq!(all[0].batch, json!({"sessionId": "s1", "sentAt": "t"}));
        assert_eq!(all[1].data, json!({"type": "manual", "message": "b", "timestamp": "t", "sessionId": "x"}));
        assert_eq!(all[2].session_id, None);
        assert_eq!(all[2].received_at, 2000);

        let errors = s.query(Some(Channel::Errors), 0, 1000).unwrap();
        assert_eq!(errors.len(), 2);
        let after = s.query(Some(Channel::Errors), errors[0].id, 1000).unwrap();
        assert_eq!(after.len(), 1);
        assert_eq!(s.query(None, 0, 1).unwrap().len(), 1);

        let recent = s.recent(Channel::Errors, 10).unwrap();
        assert_eq!(recent[0].data["message"], "b");

        let counts = s.counts().unwrap();
        assert_eq!(counts["errors"], 2);
        assert_eq!(counts["metrics"], 1);
        assert_eq!(counts["otlp_traces"], 0);

        s.clear().unwrap();
        assert!(s.query(None, 0, 1000).unwrap().is_empty());
        // Ids keep growing after a clear.
        s.insert_batch(Channel::Metrics, 3000, &m).unwrap();
        assert!(s.query(None, 0, 10).unwrap()[0].id > all[2].id);
    }

    #[test]
    fn to_json_shape() {
        let e = StoredEvent {
            id: 3,
            channel: "alerts".into(),
            received_at: 9,
            session_id: None,
            batch: json!({}),
            data: json!({"key": "k"}),
        };
        assert_eq!(
            e.to_json(),
            json!({"id": 3, "channel": "alerts", "receivedAt": 9, "sessionId": null, "batch": {}, "data": {"key": "k"}})
        );
    }
}
