//! The writer thread: commits each wave as one transaction while the VM runs on.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use pscheme_store::merkle::MerkleError;
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
                    let outcome = match store.commit_wave(&wave) {
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
    pub(crate) fn commit_wave(&mut self, wave: &Wave) -> Result<u64, MerkleError> {
        let mut txn = self.merkle.begin();
        for &id in &wave.freed {
            txn.delete(OBJECTS, &layout::object_key(id))?;
        }
        for (id, bytes) in &wave.objects {
            txn.put(OBJECTS, &layout::object_key(*id), bytes)?;
        }
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
