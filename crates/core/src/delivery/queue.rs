//! A channel's bounded FIFO of events not yet handed to a request: it drops the oldest on
//! overflow and counts the drops, which the next batch reports.
use std::collections::VecDeque;

use crate::event::{Body, Event};

#[derive(Debug, Default)]
pub struct Queue {
    items: VecDeque<Event>,
    /// Sum of the events' size hints.
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

    pub fn cap(&self) -> usize {
        self.cap
    }

    /// About how many bytes the queued events encode to.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn dropped(&self) -> u32 {
        self.dropped
    }

    /// Appends an event; the occurrences dropped to make room (the oldest events go, each with
    /// the repeats folded into it).
    pub fn push(&mut self, ev: Event) -> u32 {
        self.bytes += ev.size_hint();
        self.items.push_back(ev);
        let mut lost = 0u32;
        while self.items.len() > self.cap {
            let Some(old) = self.items.pop_front() else { break };
            self.bytes = self.bytes.saturating_sub(old.size_hint());
            lost = lost.saturating_add(old.occurrences());
        }
        self.dropped = self.dropped.saturating_add(lost);
        lost
    }

    pub fn pop(&mut self) -> Option<Event> {
        let ev = self.items.pop_front()?;
        self.bytes = self.bytes.saturating_sub(ev.size_hint());
        Some(ev)
    }

    /// Puts an event back at the front (one that did not fit in a batch); it never overflows
    /// the bound, since it was just taken out.
    pub fn unpop(&mut self, ev: Event) {
        self.bytes += ev.size_hint();
        self.items.push_front(ev);
    }

    /// The drop count to report in a batch, which the queue then forgets.
    pub fn take_dropped(&mut self) -> u32 {
        core::mem::take(&mut self.dropped)
    }

    /// Counts events lost elsewhere (a rejected batch) so the next batch reports them.
    pub fn count_dropped(&mut self, n: u32) {
        self.dropped = self.dropped.saturating_add(n);
    }

    /// Counts one more occurrence into the queued error with fingerprint `fp`, if there is one.
    pub fn fold(&mut self, fp: u64) -> bool {
        for ev in self.items.iter_mut().rev() {
            if let Body::Error(e) = &mut ev.body {
                if e.fingerprint == fp {
                    e.count = e.count.saturating_add(1);
                    return true;
                }
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::error_event;

    #[test]
    fn drops_oldest_and_counts() {
        let mut q = Queue::new(3);
        for i in 0..5 {
            q.push(error_event(i, "m"));
        }
        assert_eq!(q.len(), 3);
        assert_eq!(q.dropped(), 2);
        let first = q.pop().unwrap();
        assert!(matches!(&first.body, Body::Error(e) if e.fingerprint == 2));
        assert_eq!(q.take_dropped(), 2);
        assert_eq!(q.dropped(), 0);
        q.unpop(first);
        assert_eq!(q.len(), 3);
        while q.pop().is_some() {}
        assert_eq!(q.bytes(), 0);
    }

    #[test]
    fn folds_repeats_into_the_queued_error() {
        let mut q = Queue::new(10);
        q.push(error_event(1, "a"));
        q.push(error_event(2, "b"));
        assert!(q.fold(1));
        assert!(q.fold(1));
        assert!(!q.fold(3));
        let Body::Error(e) = q.pop().unwrap().body else { panic!() };
        assert_eq!(e.count, 3);
    }
}
