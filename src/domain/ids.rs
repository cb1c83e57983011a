//! Random ids: the worker's pseudonymous id and each session's id. They say nothing about the worker
//! or the machine.

use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicU64, Ordering};

/// A new pseudonymous worker id: 32 random hex digits (128 bits).
pub fn worker_id() -> String {
    random_id_of(16)
}

/// A random id of 16 hex digits (64 bits), for sessions.
pub fn random_id() -> String {
    random_id_of(8)
}

/// `bytes` random bytes as hex. The operating system's generator is used; if it fails (it does not
/// on any supported system) the id is a hash of the time, the process and a counter, still unique.
pub fn random_id_of(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    if getrandom::fill(&mut buf).is_err() {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let mut hasher = Sha256::new();
        hasher.update(format!("{:?}", std::time::SystemTime::now()).as_bytes());
        hasher.update(std::process::id().to_le_bytes());
        hasher.update(COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
        let digest = hasher.finalize();
        for (slot, byte) in buf.iter_mut().zip(digest.iter()) {
            *slot = *byte;
        }
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_random_hex_of_the_asked_length() {
        assert_ne!(random_id(), random_id());
        assert_eq!(random_id().len(), 16);
        let worker = worker_id();
        assert_eq!(worker.len(), 32);
        assert!(worker.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
