//! A bounded FIFO of encoded events that drops the oldest on overflow and counts the drops.
use std::collections::VecDeque;

#[derive(Debug, Default)]
pub struct Queue {
    items: VecDeque<String>,
    bytes: usize,
    cap: usize,
    /// Events dropped since the last batch that reported them.
    dropped: u32,
}

impl Queue {
    pub fn new(cap: usize) -> Queue {
        Queue { items: VecDeque::new(), bytes: 0, cap: cap.max(1), dropped: 0 }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn dropped(&self) -> u32 {
        self.dropped
    }

    /// Appends an event; returns true when an older event had to be dropped to make room.
    pub fn push(&mut self, item: String) -> bool {
        self.bytes += item.len();
        self.items.push_back(item);
        self.enforce_cap()
    }

    /// Removes up to `max_count` events whose encoded sizes add up to at most `max_bytes`
    /// (always at least one, so an oversized event cannot block the queue).
    /// Returns them with the drop count to report, which the queue then forgets.
    pub fn take_batch(&mut self, max_count: usize, max_bytes: usize) -> (Vec<String>, u32) {
        let mut out = Vec::new();
        let mut size = 0;
        while out.len() < max_count {
            let Some(next) = self.items.front() else { break };
            if !out.is_empty() && size + next.len() + 1 > max_bytes {
                break;
            }
            size += next.len() + 1;
            if let Some(item) = self.items.pop_front() {
                self.bytes -= item.len();
                out.push(item);
            }
        }
        (out, core::mem::take(&mut self.dropped))
    }

    /// Puts a batch that could not be sent back at the front, in order, with its drop count;
    /// anything over the bound is dropped (oldest first) and counted.
    pub fn requeue(&mut self, batch: Vec<String>, dropped: u32) {
        self.dropped = self.dropped.saturating_add(dropped);
        for item in batch.into_iter().rev() {
            self.bytes += item.len();
            self.items.push_front(item);
        }
        self.enforce_cap();
    }

    /// Counts events lost elsewhere (a rejected batch) so the next batch reports them.
    pub fn count_dropped(&mut self, n: u32) {
        self.dropped = self.dropped.saturating_add(n);
    }

    /// Among the `recent` newest events, finds the newest matching `pred` and replaces it with
    /// `f(event)` (used to fold repeats of an error into its queued record).
    pub fn update_recent(&mut self, recent: usize, pred: impl Fn(&str) -> bool, f: impl FnOnce(&str) -> String) -> bool {
        if let Some(slot) = self.items.iter_mut().rev().take(recent).find(|i| pred(i)) {
            let new = f(slot);
            self.bytes = self.bytes - slot.len() + new.len();
            *slot = new;
            return true;
        }
        false
    }

    fn enforce_cap(&mut self) -> bool {
        let mut dropped_any = false;
        while self.items.len() > self.cap {
            if let Some(old) = self.items.pop_front() {
                self.bytes -= old.len();
            }
            self.dropped = self.dropped.saturating_add(1);
            dropped_any = true;
        }
        dropped_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q_with(cap: usize, n: usize) -> Queue {
        let mut q = Queue::new(cap);
        for i in 0..n {
            q.push(format!("e{i}"));
        }
        q
    }

    #[test]
    fn drops_oldest_and_counts() {
        let mut q = q_with(3, 5);
        assert_eq!(q.len(), 3);
        assert_eq!(q.dropped(), 2);
        let (batch, dropped) = q.take_batch(10, 1 << 20);
        assert_eq!(batch, vec!["e2", "e3", "e4"]);
        assert_eq!(dropped, 2);
        assert_eq!(q.dropped(), 0);
        assert_eq!(q.bytes(), 0);
    }

    #[test]
    fn batches_by_count_and_bytes() {
        let mut q = q_with(100, 10);
        let (b, _) = q.take_batch(4, 1 << 20);
        assert_eq!(b.len(), 4);
        // each item is 2 bytes + 1 separator: 3 fit in 9 bytes
        let (b, _) = q.take_batch(100, 9);
        assert_eq!(b, vec!["e4", "e5", "e6"]);
        let mut big = Queue::new(10);
        big.push("x".repeat(1000));
        big.push("y".into());
        let (b, _) = big.take_batch(100, 10);
        assert_eq!(b.len(), 1, "an oversized event still goes alone");
    }

    #[test]
    fn requeue_keeps_order_and_bounds() {
        let mut q = q_with(4, 3);
        let (batch, d) = q.take_batch(2, 1 << 20);
        q.push("new1".into());
        q.push("new2".into());
        q.requeue(batch, d);
        let (all, dropped) = q.take_batch(10, 1 << 20);
        // e0 (the oldest) no longer fits the bound of 4
        assert_eq!(all, vec!["e1", "e2", "new1", "new2"]);
        assert_eq!(dropped, 1);
    }

    #[test]
    fn drop_count_survives_a_failed_batch() {
        let mut q = q_with(2, 4);
        let (batch, d) = q.take_batch(10, 1 << 20);
        assert_eq!(d, 2);
        q.requeue(batch, d);
        q.count_dropped(1);
        assert_eq!(q.take_batch(10, 1 << 20).1, 3);
    }

    #[test]
    fn update_recent_rewrites_in_place() {
        let mut q = q_with(10, 3);
        assert!(q.update_recent(2, |s| s == "e1", |_| "e1x".into()));
        assert!(!q.update_recent(2, |s| s == "e0", |_| String::new()), "e0 is not among the 2 newest");
        assert!(!q.update_recent(9, |s| s == "zz", |_| String::new()));
        assert_eq!(q.bytes(), 7);
        assert_eq!(q.take_batch(10, 1 << 20).0, vec!["e0", "e1x", "e2"]);
    }
}
