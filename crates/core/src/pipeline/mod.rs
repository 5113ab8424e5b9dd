//! From encoded events to request bodies: bounded queues, batch encoding and the retry policy.
pub mod batch;
pub mod queue;
pub mod retry;
