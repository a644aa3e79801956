//! The writer thread: commits each wave as one transaction while the VM runs on.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use pscheme_store::merkle::MerkleError;
use pscheme_vm::ObjId;
use pscheme_vm::durability::{Wave, WaveOutcome, WaveSink};

use crate::layout::{
    self, KEY_EXPAND_ENV, KEY_FINISHED, KEY_FORMAT, KEY_ROOTS, KEY_WAVE, META, OBJECTS,
};
use crate::store::HeapStore;

/// A [`WaveSink`] that owns the store on its own thread. Dropping it (or [`Writer::close`])
/// lets the thread finish the wave it holds, then stop.
pub struct Writer {
    waves: Option<Sender<Wave>>,
    outcomes: Receiver<WaveOutcome>,
    thread: Option<JoinHandle<HeapStore>>,
    /// Wave submitted whose outcome has not been returned.
    outstanding: Option<u64>,
}

impl Writer {
    pub(crate) fn spawn(mut store: HeapStore) -> Writer {
        let (wave_tx, wave_rx) = mpsc::channel::<Wave>();
        let (out_tx, out_rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("pscheme-writer".into())
            .spawn(move || {
                for wave in wave_rx {
                    let start = Instant::now();
                    let number = wave.number;
                    let outcome = match store.commit_wave(wave) {
                        Ok(txn_counter) => WaveOutcome::Durable {
                            wave: number,
                            txn_counter,
                            duration: start.elapsed(),
                        },
                        Err(e) => WaveOutcome::Failed {
                            wave: number,
                            error: e.to_string(),
                        },
                    };
                    if out_tx.send(outcome).is_err() {
                        break;
                    }
                }
                store
            })
            .expect("spawning the writer thread");
        Writer {
            waves: Some(wave_tx),
            outcomes: out_rx,
            thread: Some(thread),
            outstanding: None,
        }
    }

    /// Stops the thread after the wave it holds and returns the store.
    ///
    /// # Panics
    /// If the writer thread panicked.
    #[must_use]
    pub fn close(mut self) -> HeapStore {
        self.waves = None;
        let thread = self.thread.take().expect("joined once");
        thread.join().expect("the writer thread does not panic")
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.waves = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl WaveSink for Writer {
    fn persistent(&self) -> bool {
        true
    }

    fn submit(&mut self, wave: Wave) {
        self.outstanding = Some(wave.number);
        if let Some(tx) = &self.waves {
            // A send fails only if the thread is gone; `wait` then reports the failure.
            let _ = tx.send(wave);
        }
    }

    fn wait(&mut self, timeout: Option<Duration>) -> Option<WaveOutcome> {
        let wave = self.outstanding?;
        let got = match timeout {
            None => self
                .outcomes
                .recv()
                .map_err(|_| RecvTimeoutError::Disconnected),
            Some(t) => self.outcomes.recv_timeout(t),
        };
        match got {
            Ok(outcome) => {
                self.outstanding = None;
                Some(outcome)
            }
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => {
                self.outstanding = None;
                Some(WaveOutcome::Failed {
                    wave,
                    error: "the writer thread stopped".into(),
                })
            }
        }
    }
}

impl HeapStore {
    /// Applies one wave and commits it; returns the transaction counter.
    pub(crate) fn commit_wave(&mut self, wave: Wave) -> Result<u64, MerkleError> {
        let mut txn = self.merkle.begin();
        txn.apply_batch(OBJECTS, object_changes(wave.objects, &wave.freed))?;
        txn.put(META, KEY_FORMAT, &layout::format_value())?;
        txn.put(META, KEY_WAVE, &wave.number.to_le_bytes())?;
        let roots =
            postcard::to_allocvec(&(wave.scheduler, &wave.roots)).expect("ids always encode");
        txn.put(META, KEY_ROOTS, &roots)?;
        if let Some(env) = &wave.expand_env {
            txn.put(META, KEY_EXPAND_ENV, env)?;
        }
        for (name, value) in &wave.meta {
            txn.put(META, &layout::host_key(name), value)?;
        }
        if let Some(code) = wave.finished {
            txn.put(META, KEY_FINISHED, &code.to_le_bytes())?;
        }
        Ok(txn.commit()?.txn_counter)
    }
}

/// The wave's changes to the objects tree in ascending key order: `objects` and `freed` are
/// each ascending by id and disjoint (see [`Wave`]), and keys ascend with ids.
fn object_changes(
    objects: Vec<(ObjId, Vec<u8>)>,
    freed: &[ObjId],
) -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
    let mut changes = Vec::with_capacity(objects.len() + freed.len());
    let mut deletes = freed.iter().copied().peekable();
    for (id, bytes) in objects {
        while let Some(gone) = deletes.next_if(|&gone| gone < id) {
            changes.push((layout::object_key(gone).to_vec(), None));
        }
        changes.push((layout::object_key(id).to_vec(), Some(bytes)));
    }
    changes.extend(deletes.map(|gone| (layout::object_key(gone).to_vec(), None)));
    changes
}

#[cfg(test)]
mod tests {
    use pscheme_vm::ObjId;

    #[test]
    fn object_changes_interleave_puts_and_deletes_by_ascending_key() {
        let objects = vec![
            (ObjId(2), vec![2]),
            (ObjId(5), vec![5]),
            (ObjId(6), vec![6]),
        ];
        let freed = [ObjId(1), ObjId(3), ObjId(4), ObjId(9)];
        let changes = super::object_changes(objects, &freed);
        let keys: Vec<u32> = changes
            .iter()
            .map(|(k, _)| u32::from_be_bytes(k.as_slice().try_into().unwrap()))
            .collect();
        assert_eq!(keys, [1, 2, 3, 4, 5, 6, 9]);
        let puts: Vec<Option<Vec<u8>>> = changes.into_iter().map(|(_, v)| v).collect();
        assert_eq!(
            puts,
            [
                None,
                Some(vec![2]),
                None,
                None,
                Some(vec![5]),
                Some(vec![6]),
                None
            ]
        );
    }
}
