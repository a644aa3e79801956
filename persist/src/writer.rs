//! The writer thread: commits each wave as one transaction while the VM runs on.
//!
//! A wave found queued behind the one being written (the last wave of a program, which the
//! driver submits without waiting) is absorbed into the same transaction: the rest of the
//! older wave skips the objects the newer one rewrites or frees, and the store goes from
//! the state before the older wave straight to the newer one. A program that builds a large
//! structure, crosses a boundary and drops it before it ends then never writes it.
//!
//! A wave that rewrites the heap ([`Wave::rewrite`]) empties the transaction first, keeping
//! only the meta entries: its commit deletes every stored row in one backend operation and
//! writes the live heap whole. Behind a wave being written, it cuts that wave's changes
//! short: it decides every object.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use pscheme_store::SqliteKvs;
use pscheme_store::merkle::{CachedNodes, Commit, MerkleError, Txn};
use pscheme_vm::ObjId;
use pscheme_vm::durability::{Wave, WaveObject, WaveOutcome, WaveSink};

use crate::layout::{
    self, KEY_EXPAND_ENV, KEY_FINISHED, KEY_FORMAT, KEY_ROOTS, KEY_WAVE, META, OBJECTS,
};
use crate::store::HeapStore;

/// Set (to anything) to have the writer print a line per commit on standard error.
pub const TRACE_VAR: &str = "PSCHEME_TRACE_WAVES";

/// Object changes per `apply_batch` call: between two, the writer looks for a newer wave.
const CHUNK: usize = 16 * 1024;

/// A [`WaveSink`] that owns the store on its own thread. Dropping it lets the thread
/// finish the waves it holds and close the store; [`Writer::close`] hands the store back.
pub struct Writer {
    waves: Option<Sender<Wave>>,
    outcomes: Receiver<WaveOutcome>,
    thread: Option<JoinHandle<Option<HeapStore>>>,
    /// Set by [`Writer::close`]: the thread returns the store instead of closing it.
    hand_back: Arc<AtomicBool>,
    /// Disconnected once the thread has closed the store's files.
    files_closed: Receiver<()>,
    /// The newest wave submitted whose outcome has not been returned.
    outstanding: Option<u64>,
}

impl Writer {
    pub(crate) fn spawn(mut store: HeapStore) -> Writer {
        let (wave_tx, wave_rx) = mpsc::channel::<Wave>();
        let (out_tx, out_rx) = mpsc::channel();
        let (closed_tx, closed_rx) = mpsc::channel::<()>();
        let hand_back = Arc::new(AtomicBool::new(false));
        let return_store = Arc::clone(&hand_back);
        let thread = std::thread::Builder::new()
            .name("pscheme-writer".into())
            .spawn(move || {
                // After a failed commit every later wave is a change from a state the store
                // does not hold, so none is committed.
                let mut failed: Option<u64> = None;
                let trace = std::env::var_os(TRACE_VAR).is_some();
                while let Ok(wave) = wave_rx.recv() {
                    let start = Instant::now();
                    let first = wave.number;
                    let outcome = match failed {
                        Some(earlier) => WaveOutcome::Failed {
                            wave: first,
                            error: format!("not committed: wave {earlier} failed before it"),
                        },
                        None => match store.commit_waves(wave, &mut || wave_rx.try_recv().ok()) {
                            Ok(done) => {
                                if trace {
                                    eprintln!("{}", done.trace_line(first, start.elapsed()));
                                }
                                WaveOutcome::Durable {
                                    wave: done.wave,
                                    txn_counter: done.txn_counter,
                                    duration: start.elapsed(),
                                }
                            }
                            Err(e) => {
                                failed = Some(first);
                                WaveOutcome::Failed {
                                    wave: first,
                                    error: e.to_string(),
                                }
                            }
                        },
                    };
                    if out_tx.send(outcome).is_err() {
                        break;
                    }
                    free_beside(store.merkle.take_released());
                }
                if return_store.load(Ordering::Acquire) {
                    return Some(store);
                }
                let cached = store.close_keeping_cache();
                drop(closed_tx);
                // Freeing the decoded nodes takes milliseconds per 100,000 and nobody waits
                // for it; a process that exits meanwhile lets the system reclaim them.
                drop(cached);
                None
            })
            .expect("spawning the writer thread");
        Writer {
            waves: Some(wave_tx),
            outcomes: out_rx,
            thread: Some(thread),
            hand_back,
            files_closed: closed_rx,
            outstanding: None,
        }
    }

    /// Stops the thread after the wave it holds and returns the store.
    ///
    /// # Panics
    /// If the writer thread panicked.
    #[must_use]
    pub fn close(mut self) -> HeapStore {
        self.hand_back.store(true, Ordering::Release);
        self.waves = None;
        let thread = self.thread.take().expect("joined once");
        thread
            .join()
            .expect("the writer thread does not panic")
            .expect("asked to hand the store back")
    }
}

/// Returns once the waves the thread holds are committed (or failed) and the store's files
/// are closed, so the store can be opened again at once; the thread may still be freeing
/// memory, and is left to finish that alone.
impl Drop for Writer {
    fn drop(&mut self) {
        self.waves = None;
        if self.thread.take().is_some() {
            // Disconnected when the files are closed, or when the thread ended otherwise.
            let _ = self.files_closed.recv();
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
                let covers_newest = match &outcome {
                    WaveOutcome::Durable { wave: done, .. } => *done >= wave,
                    WaveOutcome::Failed { .. } => true,
                };
                if covers_newest {
                    self.outstanding = None;
                }
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
    /// Commits `first`, and every wave `newer` yields while it is being applied, as one
    /// transaction.
    pub(crate) fn commit_waves(
        &mut self,
        first: Wave,
        newer: &mut dyn FnMut() -> Option<Wave>,
    ) -> Result<Committed, MerkleError> {
        let mut txn = self.merkle.begin();
        let mut next = Some(first);
        let mut scratch = Vec::new();
        let (mut last, mut puts, mut deletes) = (0, 0, 0);
        let mut rewrite = false;
        loop {
            while let Some(mut wave) = next.take() {
                if wave.rewrite {
                    clear_keeping_meta(&mut txn)?;
                    rewrite = true;
                }
                let mut after = newer().map(Absorbed::new);
                let objects = std::mem::take(&mut wave.objects);
                let mut changes = object_changes(objects, &wave.freed);
                loop {
                    // A newer wave that rewrites the heap decides every object.
                    if after.as_ref().is_some_and(|a| a.wave.rewrite) {
                        break;
                    }
                    let mut cursor = after.as_ref().map(Absorbed::cursor);
                    // Copies are encoded here, on this thread, and only those written.
                    let chunk: Vec<(Vec<u8>, Option<Vec<u8>>)> = changes
                        .by_ref()
                        .filter(|(id, _)| !cursor.as_mut().is_some_and(|c| c.touches(*id)))
                        .take(CHUNK)
                        .map(|(id, object)| {
                            let bytes = object.map(|o| o.into_bytes(&mut scratch));
                            (layout::object_key(id).to_vec(), bytes)
                        })
                        .collect();
                    if chunk.is_empty() {
                        break;
                    }
                    let put = chunk.iter().filter(|(_, bytes)| bytes.is_some()).count();
                    (puts, deletes) = (puts + put, deletes + chunk.len() - put);
                    txn.apply_batch(OBJECTS, chunk)?;
                    if after.is_none() {
                        after = newer().map(Absorbed::new);
                    }
                }
                put_wave_meta(&mut txn, &wave)?;
                last = wave.number;
                next = after.map(|a| a.wave).or_else(&mut *newer);
            }
            // The commit's reads and its write are the long part of a large wave: a wave
            // queued meanwhile stops it (a write begun is rolled back) and joins this
            // transaction.
            let mut queued = None;
            let stop = &mut || {
                if queued.is_none() {
                    queued = newer();
                }
                queued.is_some()
            };
            match txn.commit_unless(stop)? {
                Commit::Done(info) => {
                    return Ok(Committed {
                        wave: last,
                        txn_counter: info.txn_counter,
                        puts,
                        deletes,
                        rewrite,
                    });
                }
                Commit::Stopped(stopped) => {
                    txn = stopped;
                    next = queued;
                }
            }
        }
    }
}

/// What one commit of the writer did.
pub(crate) struct Committed {
    /// The newest wave committed: every submitted wave up to it is durable.
    pub(crate) wave: u64,
    pub(crate) txn_counter: u64,
    /// Objects written and deleted.
    pub(crate) puts: usize,
    pub(crate) deletes: usize,
    /// Whether a rewrite wave emptied the store first (its deletes are not counted).
    pub(crate) rewrite: bool,
}

impl Committed {
    /// The line `PSCHEME_TRACE_WAVES` prints for a commit of waves `first..=self.wave`.
    fn trace_line(&self, first: u64, took: Duration) -> String {
        let waves = if first == self.wave {
            format!("wave {first}")
        } else {
            format!("waves {first}-{}", self.wave)
        };
        let emptied = if self.rewrite {
            " (a rewrite: the store emptied first)"
        } else {
            ""
        };
        format!(
            "pscheme: {waves} durable as transaction {}: {} objects written, {} deleted{emptied}, {} ms",
            self.txn_counter,
            self.puts,
            self.deletes,
            took.as_millis()
        )
    }
}

/// Empties the transaction, for a wave that rewrites the whole heap: every object and node
/// stored goes in one backend operation, without reading any of them. The meta entries
/// (host entries, the expander environment, ...) are kept as the transaction has them: the
/// wave only carries those that changed.
fn clear_keeping_meta(txn: &mut Txn<'_, SqliteKvs>) -> Result<(), MerkleError> {
    let meta = txn.range(META, ..)?.collect::<Result<Vec<_>, _>>()?;
    txn.clear();
    for (key, value) in meta {
        txn.put(META, &key, &value)?;
    }
    Ok(())
}

/// Frees, on a thread of its own, the decoded nodes a rewrite's commit let go of: up to a
/// few hundred thousand allocations (the store's node cache, and a whole wave's nodes staged
/// before the rewrite; ~55 ms for `deep`'s last wave), which neither the next wave nor the
/// store's close should wait for. A process that exits meanwhile lets the system reclaim
/// them.
fn free_beside(released: CachedNodes) {
    if released.is_empty() {
        return;
    }
    let spawned = std::thread::Builder::new()
        .name("pscheme-free".into())
        .spawn(move || drop(released));
    // Without a thread, freed here: slower, never wrong.
    drop(spawned);
}

/// The wave's entries in the meta tree.
fn put_wave_meta(txn: &mut Txn<'_, SqliteKvs>, wave: &Wave) -> Result<(), MerkleError> {
    txn.put(META, KEY_FORMAT, &layout::format_value())?;
    txn.put(META, KEY_WAVE, &wave.number.to_le_bytes())?;
    let roots = postcard::to_allocvec(&(wave.scheduler, &wave.roots)).expect("ids always encode");
    txn.put(META, KEY_ROOTS, &roots)?;
    for (name, value) in &wave.meta {
        txn.put(META, &layout::host_key(name), value)?;
    }
    if let Some(env) = &wave.expand_env {
        txn.put(META, KEY_EXPAND_ENV, env)?;
    }
    if let Some(code) = wave.finished {
        txn.put(META, KEY_FINISHED, &code.to_le_bytes())?;
    }
    Ok(())
}

/// A newer wave found queued, and the ids it writes or deletes, ascending: the older wave's
/// change to any of them is skipped, since the newer one decides their final state.
struct Absorbed {
    wave: Wave,
    touched: Vec<ObjId>,
}

impl Absorbed {
    fn new(wave: Wave) -> Absorbed {
        // A rewrite decides every object: the older wave's changes stop at once instead.
        if wave.rewrite {
            return Absorbed {
                wave,
                touched: Vec::new(),
            };
        }
        let mut touched: Vec<ObjId> = wave.objects.iter().map(|(id, _)| *id).collect();
        touched.extend_from_slice(&wave.freed);
        touched.sort_unstable();
        Absorbed { wave, touched }
    }

    fn cursor(&self) -> TouchedCursor<'_> {
        TouchedCursor {
            rest: &self.touched,
        }
    }
}

/// Answers "does the newer wave touch `id`" for ascending `id`s in one pass.
struct TouchedCursor<'a> {
    rest: &'a [ObjId],
}

impl TouchedCursor<'_> {
    fn touches(&mut self, id: ObjId) -> bool {
        let skip = self.rest.partition_point(|&t| t < id);
        self.rest = &self.rest[skip..];
        self.rest.first() == Some(&id)
    }
}

/// The wave's changes to the objects tree by ascending id, as they are consumed (the writer
/// takes them a chunk at a time): `objects` and `freed` are each ascending by id and
/// disjoint (see [`Wave`]), and keys ascend with ids.
fn object_changes(
    objects: Vec<(ObjId, WaveObject)>,
    freed: &[ObjId],
) -> impl Iterator<Item = (ObjId, Option<WaveObject>)> + '_ {
    let mut puts = objects.into_iter().peekable();
    let mut deletes = freed.iter().copied().peekable();
    std::iter::from_fn(move || match (puts.peek(), deletes.peek()) {
        (Some(&(put, _)), Some(&gone)) if gone < put => deletes.next().map(|id| (id, None)),
        (Some(_), _) => puts.next().map(|(id, object)| (id, Some(object))),
        (None, _) => deletes.next().map(|id| (id, None)),
    })
}

#[cfg(test)]
#[path = "../tests/common/image.rs"]
mod test_image;

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::time::Duration;

    use pscheme_vm::durability::{DriveConfig, Wave, WaveObject, WaveOutcome, WaveSink};
    use pscheme_vm::{ObjId, Vm};

    use super::test_image::assert_same_heap;
    use crate::layout::{KEY_EXPAND_ENV, META};
    use crate::{HeapStore, KdfParams};

    /// Keeps every wave and reports it durable at once, so the VM takes the next.
    #[derive(Default)]
    struct Keep {
        waves: Vec<Wave>,
        last: Option<u64>,
    }

    impl WaveSink for Keep {
        fn persistent(&self) -> bool {
            true
        }

        fn submit(&mut self, wave: Wave) {
            self.last = Some(wave.number);
            self.waves.push(wave);
        }

        fn wait(&mut self, _timeout: Option<Duration>) -> Option<WaveOutcome> {
            self.last.take().map(|wave| WaveOutcome::Durable {
                wave,
                txn_counter: wave,
                duration: Duration::ZERO,
            })
        }
    }

    /// The waves of a program whose lists die and whose ids are reused from wave to wave,
    /// and the VM as it ended.
    fn churning_waves() -> (Vm, Vec<Wave>) {
        let source = "
            (define kept '())
            (define (build n acc) (if (= n 0) acc (build (- n 1) (cons n acc))))
            ;; A first wave large enough that its commit asks several times whether to stop.
            (define early (build 20000 '()))
            ;; Enough allocation for the main collector to run, so later waves delete.
            (define (garbage n acc) (if (= n 0) (length acc) (garbage (- n 1) (cons n acc))))
            (define (churn i)
              (when (< i 30)
                (let ((big (build (* 50 (+ 1 (modulo i 7))) '())))
                  (set! kept (cons (length big) kept))
                  (when (even? i) (set! kept (cons big kept)))
                  (set! kept (cons (garbage 20000 '()) kept))
                  (sync))
                (when (= 0 (modulo i 10)) (set! kept '()))
                (when (= i 3) (set! early #f))
                (churn (+ i 1))))
            (churn 0)";
        let mut vm = Vm::new().unwrap();
        let compiled = vm.compile(source, "churn.scm").unwrap();
        let main = vm.load(compiled.unit).unwrap();
        let pid = vm.spawn(main);
        vm.pin(pid);
        vm.enable_durability();
        // A host entry, which only the first wave carries.
        vm.set_durable_meta("program", b"churn.scm".to_vec());
        let config = DriveConfig {
            commit_interval: Duration::ZERO,
            ..DriveConfig::default()
        };
        let mut sink = Keep::default();
        let code = vm
            .drive(Some(pid), &mut sink, &config, &mut |_, _| {})
            .unwrap();
        assert_eq!(code, 0);
        (vm, sink.waves)
    }

    /// The store holds exactly the heap `vm` ended with, at wave `last`, and nothing dead.
    fn assert_holds_the_end(store: &HeapStore, vm: &Vm, last: u64) {
        assert!(store.fsck().unwrap().is_clean());
        let objects = store.info().unwrap().objects;
        let saved = store.load().unwrap().expect("a heap");
        assert_eq!(saved.wave, last);
        assert_eq!(saved.finished, Some(0));
        assert_same_heap(&saved.vm, vm);
        assert_eq!(
            objects,
            vm.heap.live_objects() as u64,
            "nothing dead was left"
        );
    }

    fn scratch_store(name: &str) -> (std::path::PathBuf, HeapStore) {
        let dir = std::env::temp_dir().join(format!("pscheme-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = HeapStore::create(
            &dir.join("store.pdb"),
            b"pass",
            KdfParams::INSECURE_FOR_TESTS,
        )
        .unwrap();
        (dir, store)
    }

    #[test]
    fn a_wave_queued_at_any_point_of_a_commit_joins_it_or_follows_it() {
        let (vm, waves) = churning_waves();
        let last = waves.last().unwrap().number;
        // The writer looks for a newer wave when it starts a wave, after each chunk, before
        // committing, and every few hundred reads of the commit: let the next waves appear
        // after each of those.
        for patience in [1, 2, 3, 5, 8, 13, 1000] {
            let (dir, mut store) = scratch_store(&format!("patience-{patience}"));
            // The largest wave is the one whose commit reads long enough to be stopped.
            let largest = (0..waves.len())
                .max_by_key(|&i| waves[i].objects.len())
                .unwrap();
            assert!(waves[largest].objects.len() > 10_000);
            let mut rest = VecDeque::from(waves.clone());
            for _ in 0..largest {
                let wave = rest.pop_front().unwrap();
                store.commit_waves(wave, &mut || None).unwrap();
            }
            let first = rest.pop_front().unwrap();
            let mut asked = 0;
            store
                .commit_waves(first, &mut || {
                    asked += 1;
                    if asked > patience {
                        rest.pop_front()
                    } else {
                        None
                    }
                })
                .unwrap();
            while let Some(wave) = rest.pop_front() {
                store.commit_waves(wave, &mut || None).unwrap();
            }
            assert_holds_the_end(&store, &vm, last);
            drop(store);
            std::fs::remove_dir_all(&dir).unwrap();
        }
    }

    #[test]
    fn waves_absorbed_into_one_commit_leave_the_heap_of_the_newest() {
        let (vm, waves) = churning_waves();
        assert!(waves.len() > 20, "{} waves", waves.len());
        let freed: usize = waves.iter().map(|w| w.freed.len()).sum();
        assert!(freed > 0, "later waves delete what earlier ones wrote");
        let rewrites = waves.iter().filter(|w| w.rewrite).count();
        assert!(
            rewrites > 0,
            "dropping `early` makes a wave rewrite the heap"
        );
        let last = waves.last().unwrap().number;

        let dir = std::env::temp_dir().join(format!("pscheme-absorb-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("store.pdb");
        let mut store = HeapStore::create(&path, b"pass", KdfParams::INSECURE_FOR_TESTS).unwrap();
        let before = store.commit_info().txn_counter;
        // The first two waves as separate commits, then the rest as one, as a writer would
        // that finds them queued.
        let mut waves = VecDeque::from(waves);
        for _ in 0..2 {
            let wave = waves.pop_front().unwrap();
            let number = wave.number;
            assert_eq!(store.commit_waves(wave, &mut || None).unwrap().wave, number);
        }
        let first = waves.pop_front().unwrap();
        let committed = store
            .commit_waves(first, &mut || waves.pop_front())
            .unwrap();
        let counter = committed.txn_counter;
        assert!(waves.is_empty());
        assert_eq!(committed.wave, last);
        assert_eq!(
            counter,
            before + 3,
            "two commits, then one for all the rest"
        );

        assert_holds_the_end(&store, &vm, last);
        drop(store);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_rewrite_absorbed_with_the_first_wave_keeps_the_entries_only_that_wave_carried() {
        let (vm, waves) = churning_waves();
        let last = waves.last().unwrap().number;
        let rewrite = waves.iter().position(|w| w.rewrite).unwrap();
        assert!(waves[0].expand_env.is_some() && !waves[0].meta.is_empty());
        assert!(
            waves[1..]
                .iter()
                .all(|w| w.expand_env.is_none() && w.meta.is_empty())
        );
        let (dir, mut store) = scratch_store("rewrite-meta");
        // The first wave and every one up to the first rewrite, as one commit: the rewrite
        // empties the transaction that holds the first wave's entries.
        let mut waves = VecDeque::from(waves);
        let first = waves.pop_front().unwrap();
        let mut joined = 0;
        store
            .commit_waves(first, &mut || {
                (joined < rewrite).then(|| {
                    joined += 1;
                    waves.pop_front().unwrap()
                })
            })
            .unwrap();
        while let Some(wave) = waves.pop_front() {
            store.commit_waves(wave, &mut || None).unwrap();
        }
        assert_holds_the_end(&store, &vm, last);
        assert_eq!(
            store.host_meta("program").unwrap(),
            Some(b"churn.scm".to_vec())
        );
        let env = store.merkle.get(META, KEY_EXPAND_ENV).unwrap();
        assert!(env.is_some(), "the expander's environment was kept");
        drop(store);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn object_changes_interleave_puts_and_deletes_by_ascending_key() {
        let boxed = |n| WaveObject::Copy(pscheme_vm::Object::Box(pscheme_vm::Value::small(n)));
        let objects = vec![
            (ObjId(2), boxed(2)),
            (ObjId(5), boxed(5)),
            (ObjId(6), boxed(6)),
        ];
        let freed = [ObjId(1), ObjId(3), ObjId(4), ObjId(9)];
        let changes: Vec<_> = super::object_changes(objects, &freed).collect();
        let keys: Vec<u32> = changes.iter().map(|(id, _)| id.0).collect();
        assert_eq!(keys, [1, 2, 3, 4, 5, 6, 9]);
        let puts: Vec<Option<i64>> = changes
            .into_iter()
            .map(|(_, object)| match object {
                Some(WaveObject::Copy(pscheme_vm::Object::Box(v))) => v.as_fixnum(),
                Some(other) => panic!("{other:?}"),
                None => None,
            })
            .collect();
        assert_eq!(puts, [None, Some(2), None, None, Some(5), Some(6), None]);
    }
}
