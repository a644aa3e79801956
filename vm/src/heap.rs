//! The heap: a table of objects addressed by [`ObjId`], with one write barrier.
//!
//! # Invariants
//! - Every mutation of an existing object goes through [`Heap::get_mut`] (or a helper built on it),
//!   which records the object in the dirty set. New objects are dirty from birth. The persistence
//!   layer writes exactly the dirty set ([`Heap::take_dirty`]) and deletes the freed ids
//!   ([`Heap::take_freed`]). Only ids the store holds are recorded as freed
//!   ([`Heap::set_stored`]): an object born and dead between two waves needs no delete.
//! - The symbol table is weak. It is an index over the interned `Symbol` objects of the heap,
//!   rebuilt by [`Heap::rebuild_symbol_table`] after loading, and it never names a free slot:
//!   freeing an interned symbol removes its entry, so interning the name again makes a fresh
//!   symbol. An interned symbol is a root only while it carries state of its own
//!   ([`Symbol::holds_state`]: a bound global); any other symbol lives only while something
//!   reachable refers to it. `eq?` is unaffected: nothing can hold the symbol that was freed.
//!   Hence a symbol id held outside the object graph (a Rust variable, a host's cache) dangles
//!   after a collection unless it is pinned or in a root object; such code must look the symbol
//!   up by name again instead.
//! - The collector runs only when no Rust code holds values outside the heap and its roots:
//!   between interpreter slices (see `gc.rs`).

use std::collections::HashMap;

use crate::object::{Object, Symbol};
use crate::value::{ObjId, Value};

/// The object table plus the bookkeeping persistence needs.
#[derive(Debug, Default)]
pub struct Heap {
    /// Objects by id; `None` for a free id.
    slots: Vec<Option<Object>>,
    /// Per id, whether it is in `dirty` ([`IN_DIRTY`]) and in `freed` ([`IN_FREED`]), whether
    /// the store holds it ([`STORED`]), and its age for durability's collections of young
    /// objects ([`TOUCHED`], [`SURVIVOR`]); kept
    /// apart from `slots` so a slot is just an object, and in one byte so that freeing, which
    /// clears one and sets the other, writes once.
    change_flags: Vec<u8>,
    /// Empty slots, reused before the table grows.
    free: Vec<u32>,
    /// Ids whose `dirty` flag is set, each once.
    dirty: Vec<ObjId>,
    /// Where in `dirty` the entries added since the last collection of young objects begin.
    young_mark: usize,
    /// Members of `dirty` touched again since the last collection of young objects (the
    /// others touched since are `dirty[young_mark..]`).
    retouched: Vec<ObjId>,
    /// Stored ids freed since the last [`Heap::take_freed`], each once (an id freed, reused
    /// and freed again is one delete for the store).
    freed: Vec<ObjId>,
    /// Interned symbols by name; weak (see the module docs).
    symbols: HashMap<Box<str>, ObjId>,
    /// Objects kept alive regardless of reachability (the scheduler, host handles).
    pub(crate) roots: Vec<ObjId>,
    pub(crate) live: usize,
    pub(crate) allocated_since_gc: usize,
    /// Allocations since the last collection of young objects (durability's, at a wave
    /// boundary or between two).
    pub(crate) allocated_since_young_collection: usize,
}

impl Heap {
    pub fn new() -> Heap {
        Heap::default()
    }

    /// Allocates an object. The new object is dirty.
    pub fn alloc(&mut self, obj: Object) -> ObjId {
        self.live += 1;
        self.allocated_since_gc += 1;
        self.allocated_since_young_collection += 1;
        let id = if let Some(i) = self.free.pop() {
            self.slots[i as usize] = Some(obj);
            ObjId(i)
        } else {
            let i = u32::try_from(self.slots.len()).expect("heap holds fewer than 2^32 objects");
            self.slots.push(Some(obj));
            self.change_flags.push(0);
            ObjId(i)
        };
        self.mark_dirty(id);
        id
    }

    /// Allocates an object and returns a value referring to it.
    pub fn alloc_value(&mut self, obj: Object) -> Value {
        Value::obj(self.alloc(obj))
    }

    /// The object `id` names.
    ///
    /// # Panics
    /// If `id` is free: values never refer to freed objects (the collector frees only unreachable
    /// ones, and the loader validates references).
    pub fn get(&self, id: ObjId) -> &Object {
        self.try_get(id)
            .unwrap_or_else(|| panic!("dangling object id {id}"))
    }

    pub fn try_get(&self, id: ObjId) -> Option<&Object> {
        self.slots.get(id.index()).and_then(Option::as_ref)
    }

    /// The object behind a value, if it is a reference.
    pub fn object(&self, v: Value) -> Option<&Object> {
        v.as_obj().map(|id| self.get(id))
    }

    /// The write barrier: mutable access to `id`, which is recorded as dirty.
    ///
    /// # Panics
    /// If `id` is free (see [`Heap::get`]).
    pub fn get_mut(&mut self, id: ObjId) -> &mut Object {
        self.mark_dirty(id);
        self.slots[id.index()]
            .as_mut()
            .unwrap_or_else(|| panic!("dangling object id {id}"))
    }

    fn mark_dirty(&mut self, id: ObjId) {
        let flags = &mut self.change_flags[id.index()];
        let was = *flags;
        *flags = was | IN_DIRTY | TOUCHED;
        if was & IN_DIRTY == 0 {
            self.dirty.push(id);
        } else if was & TOUCHED == 0 {
            self.retouched.push(id);
        }
    }

    /// The ids allocated or mutated since the last collection of young objects: some may
    /// have been freed since, or appear twice (freed and reused); check
    /// [`Heap::is_dirty`] and [`Heap::is_touched`].
    pub(crate) fn touched_entries(&self) -> impl Iterator<Item = ObjId> + '_ {
        self.dirty[self.young_mark..]
            .iter()
            .chain(&self.retouched)
            .copied()
    }

    /// Starts the next period of [`Heap::touched_entries`], after a collection of young
    /// objects that settled every entry ([`Heap::settle_young`]).
    ///
    /// Drops the entries of the period's objects freed since: a program whose newborns die
    /// young would otherwise grow the dirty set by every allocation until the next wave, and
    /// streaming those ids through the cache slows the interpreter (tak: 5-10%).
    pub(crate) fn end_young_collection(&mut self) {
        self.drop_freed_from_dirty(self.young_mark);
        self.young_mark = self.dirty.len();
        self.retouched.clear();
        self.allocated_since_young_collection = 0;
    }

    /// Forgets which entries were touched, as the dirty set is emptied (taking it clears
    /// their flags too).
    fn forget_touched(&mut self) {
        self.young_mark = 0;
        self.retouched.clear();
    }

    /// Whether `id` was allocated or mutated since the last collection of young objects
    /// (always a member of the dirty set).
    pub(crate) fn is_touched(&self, id: ObjId) -> bool {
        self.change_flags[id.index()] & TOUCHED != 0
    }

    /// Whether `id` is a young object that survived a collection between waves.
    pub(crate) fn is_survivor(&self, id: ObjId) -> bool {
        self.change_flags[id.index()] & SURVIVOR != 0
    }

    /// Ends a collection of young objects for `id`, a member of the dirty set: no longer
    /// touched, and a survivor if `survived`.
    pub(crate) fn settle_young(&mut self, id: ObjId, survived: bool) {
        let flags = &mut self.change_flags[id.index()];
        *flags &= !TOUCHED;
        if survived {
            *flags |= SURVIVOR;
        }
    }

    pub fn is_dirty(&self, id: ObjId) -> bool {
        self.change_flags
            .get(id.index())
            .is_some_and(|&f| f & IN_DIRTY != 0)
    }

    /// The ids mutated or allocated since the last call, and clears the dirty set. Freed ids
    /// are not included even if they were dirty.
    pub fn take_dirty(&mut self) -> Vec<ObjId> {
        self.forget_touched();
        let next = next_change_set(&self.dirty);
        let mut out = std::mem::replace(&mut self.dirty, next);
        out.retain(|&id| {
            self.change_flags[id.index()] &= !WAVE_BITS;
            self.slots[id.index()].is_some()
        });
        out
    }

    /// The ids [`Heap::take_dirty`] returns, ascending and each once, as a wave lists them.
    ///
    /// A dirty set of an eighth of the id space or more is read off the dirty flags in one
    /// pass over them, where sorting it costs about twice as much (the flags name exactly the
    /// live dirty ids: freeing an object clears its flag).
    pub(crate) fn take_dirty_ascending(&mut self) -> Vec<ObjId> {
        if self.dirty.len() < self.slots.len() / 8 {
            return ascending_unique(self.take_dirty(), self.slots.len());
        }
        self.forget_touched();
        let mut out = Vec::with_capacity(self.dirty.len());
        for (i, flags) in self.change_flags.iter_mut().enumerate() {
            if *flags & IN_DIRTY != 0 {
                *flags &= !WAVE_BITS;
                out.push(ObjId(u32::try_from(i).expect("ids fit u32")));
            }
        }
        self.dirty.clear();
        out
    }

    /// Whether anything was allocated, mutated or freed since the last [`Heap::take_dirty`]
    /// and [`Heap::take_freed`].
    pub fn has_changes(&self) -> bool {
        !self.dirty.is_empty() || !self.freed.is_empty()
    }

    /// The stored ids freed since the last call. They are no longer stored: the wave that
    /// takes them deletes them (an object now at one of them is new, even if the collector
    /// has not reached it yet).
    pub fn take_freed(&mut self) -> Vec<ObjId> {
        let next = next_change_set(&self.freed);
        let out = std::mem::replace(&mut self.freed, next);
        for id in &out {
            self.change_flags[id.index()] &= !(IN_FREED | STORED);
        }
        out
    }

    /// Records that the store holds the object at `id`, as written by a wave or read from the
    /// store: freeing it from now on is recorded for [`Heap::take_freed`].
    pub(crate) fn set_stored(&mut self, id: ObjId) {
        self.change_flags[id.index()] |= STORED;
    }

    /// Whether the store holds an object at `id`: the one there now, unless `id` was freed
    /// (and maybe reused) since the last [`Heap::take_freed`].
    pub(crate) fn is_stored(&self, id: ObjId) -> bool {
        self.change_flags
            .get(id.index())
            .is_some_and(|&f| f & STORED != 0)
    }

    /// Records every live object as stored: the heap was just read from the store.
    pub(crate) fn set_all_stored(&mut self) {
        for (flags, slot) in self.change_flags.iter_mut().zip(&self.slots) {
            if slot.is_some() {
                *flags |= STORED;
            }
        }
    }

    /// Empties the dirty and freed sets, as taking them would, but keeps their memory: for a
    /// heap nobody persists, whose sets are dropped at every turn of the scheduler.
    pub(crate) fn clear_changes(&mut self) {
        self.forget_touched();
        for id in self.dirty.drain(..) {
            self.change_flags[id.index()] &= !WAVE_BITS;
        }
        for id in self.freed.drain(..) {
            self.change_flags[id.index()] &= !IN_FREED;
        }
    }

    /// Number of live objects.
    pub fn live_objects(&self) -> usize {
        self.live
    }

    /// Number of slots (live or free); ids are below this.
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Iterates over live objects.
    pub fn iter(&self) -> impl Iterator<Item = (ObjId, &Object)> {
        self.slots.iter().enumerate().filter_map(|(i, s)| {
            let id = ObjId(u32::try_from(i).expect("ids fit u32"));
            s.as_ref().map(|o| (id, o))
        })
    }

    /// Puts `obj` at `id`, as the loader does when reading a saved heap. The slot must be free
    /// or beyond the end; the object is not marked dirty (it is what the store holds).
    pub fn insert_loaded(&mut self, id: ObjId, obj: Object) -> Result<(), String> {
        let i = id.index();
        if i >= self.slots.len() {
            let old = self.slots.len();
            self.slots.resize_with(i + 1, || None);
            self.change_flags.resize(i + 1, 0);
            for j in old..i {
                self.free.push(u32::try_from(j).expect("ids fit u32"));
            }
        } else if self.slots[i].is_some() {
            return Err(format!("object {id} loaded twice"));
        } else {
            self.free.retain(|&f| f as usize != i);
        }
        self.slots[i] = Some(obj);
        self.live += 1;
        Ok(())
    }

    /// Sets the registry index of a primitive object. Not a mutation of persistent state (the
    /// index is derived from the name and not encoded), so it bypasses the dirty set.
    pub(crate) fn link_primitive(&mut self, id: ObjId, index: crate::object::PrimIndex) {
        if let Some(Object::Primitive(p)) = self.slots.get_mut(id.index()).and_then(Option::as_mut)
        {
            p.index = index;
        }
    }

    /// Keeps the dirty set proportional to the heap's size even when nobody takes it: drops
    /// the freed ids. Called after each collection. (The freed set holds each id once.)
    pub(crate) fn compact_change_sets(&mut self) {
        self.drop_freed_from_dirty(0);
        let flags = &self.change_flags;
        self.retouched
            .retain(|id| flags[id.index()] & IN_DIRTY != 0);
    }

    /// Drops the ids of freed objects from `dirty[from..]` (a freed object is no longer
    /// dirty), keeping `young_mark` at the same entry: the count of entries kept before it.
    fn drop_freed_from_dirty(&mut self, from: usize) {
        let flags = &self.change_flags;
        let mark = self.young_mark;
        let (mut kept, mut kept_before_mark) = (from, from.min(mark));
        for read in from..self.dirty.len() {
            let id = self.dirty[read];
            if flags[id.index()] & IN_DIRTY != 0 {
                if read < mark {
                    kept_before_mark += 1;
                }
                self.dirty[kept] = id;
                kept += 1;
            }
        }
        self.dirty.truncate(kept);
        self.young_mark = kept_before_mark;
    }

    /// Entries in the dirty and freed sets (for tests of their bounds).
    #[cfg(test)]
    pub(crate) fn pending_changes(&self) -> usize {
        self.dirty.len() + self.freed.len()
    }

    /// Frees `id`; an interned symbol leaves the symbol table with it. Every free goes through
    /// here (the full collection and the nursery collection of `durability`), which keeps the
    /// table from naming a free slot or, once the id is reused, another object.
    pub(crate) fn free_slot(&mut self, id: ObjId) {
        let Some(obj) = self.slots[id.index()].take() else {
            return;
        };
        if let Object::Symbol(s) = &obj
            && s.interned
            && self.symbols.get(&s.name) == Some(&id)
        {
            self.symbols.remove(&s.name);
        }
        self.live -= 1;
        self.free.push(id.0);
        // No longer dirty (a free id has nothing to write). A stored id is freed once until
        // taken; the others, most of what a collection frees, need no delete and are forgotten.
        let flags = &mut self.change_flags[id.index()];
        let was = *flags;
        if was & STORED == 0 {
            *flags = 0;
        } else {
            *flags = STORED | IN_FREED;
            if was & IN_FREED == 0 {
                self.freed.push(id);
            }
        }
    }

    /// The interned symbols that are roots of a collection: those holding state of their own.
    pub(crate) fn rooted_symbols(&self) -> impl Iterator<Item = ObjId> + '_ {
        self.symbols
            .values()
            .copied()
            .filter(|&id| matches!(self.get(id), Object::Symbol(s) if s.holds_state()))
    }

    // ---- symbols ----

    /// The interned symbol named `name`, created if new.
    ///
    /// The symbol is collected once it holds no global and nothing reachable refers to it (the
    /// table is weak): a caller that keeps the id across a collection must store it in the
    /// heap or pin it, or else intern the name again afterwards.
    pub fn intern(&mut self, name: &str) -> ObjId {
        if let Some(&id) = self.symbols.get(name) {
            return id;
        }
        let id = self.alloc(Object::Symbol(Symbol {
            name: name.into(),
            value: Value::UNBOUND,
            interned: true,
        }));
        self.symbols.insert(name.into(), id);
        id
    }

    pub fn intern_value(&mut self, name: &str) -> Value {
        Value::obj(self.intern(name))
    }

    /// The interned symbol named `name`, if it exists (valid until the next collection, as for
    /// [`Heap::intern`]).
    pub fn lookup_symbol(&self, name: &str) -> Option<ObjId> {
        self.symbols.get(name).copied()
    }

    /// Rebuilds the name index from the `Symbol` objects (after loading a saved heap).
    pub fn rebuild_symbol_table(&mut self) {
        let table = self
            .iter()
            .filter_map(|(id, o)| match o {
                Object::Symbol(s) if s.interned => Some((s.name.clone(), id)),
                _ => None,
            })
            .collect();
        self.symbols = table;
    }

    // ---- globals ----

    /// The value of the global named by symbol `sym`, or `None` if unbound.
    pub fn global(&self, sym: ObjId) -> Option<Value> {
        match self.get(sym) {
            Object::Symbol(s) if s.value != Value::UNBOUND => Some(s.value),
            _ => None,
        }
    }

    pub fn set_global(&mut self, sym: ObjId, v: Value) {
        if let Object::Symbol(s) = self.get_mut(sym) {
            s.value = v;
        }
    }

    /// Defines the global `name`.
    pub fn define(&mut self, name: &str, v: Value) {
        let sym = self.intern(name);
        self.set_global(sym, v);
    }

    /// The value of the global `name`, if bound.
    pub fn global_named(&self, name: &str) -> Option<Value> {
        self.lookup_symbol(name).and_then(|s| self.global(s))
    }

    // ---- common constructors and accessors ----

    pub fn cons(&mut self, car: Value, cdr: Value) -> Value {
        self.alloc_value(Object::Pair(car, cdr))
    }

    pub fn pair(&self, v: Value) -> Option<(Value, Value)> {
        match self.object(v) {
            Some(Object::Pair(a, b)) => Some((*a, *b)),
            _ => None,
        }
    }

    /// A proper list of `items`.
    pub fn list(&mut self, items: &[Value]) -> Value {
        self.list_with_tail(items, Value::NULL)
    }

    pub fn list_with_tail(&mut self, items: &[Value], tail: Value) -> Value {
        items.iter().rev().fold(tail, |acc, &v| self.cons(v, acc))
    }

    /// The elements of a proper list, or `None` if `v` is not one (improper or cyclic).
    pub fn list_to_vec(&self, mut v: Value) -> Option<Vec<Value>> {
        let mut out = Vec::new();
        let mut slow = v;
        loop {
            if v.is_null() {
                return Some(out);
            }
            let (a, d) = self.pair(v)?;
            out.push(a);
            v = d;
            if out.len() % 2 == 0 {
                slow = self.pair(slow).map(|p| p.1)?;
                if slow == v && !v.is_null() {
                    return None;
                }
            }
        }
    }

    pub fn string(&mut self, s: &str) -> Value {
        self.alloc_value(Object::String(s.chars().collect()))
    }

    /// The text of a string object.
    pub fn string_text(&self, v: Value) -> Option<String> {
        match self.object(v) {
            Some(Object::String(cs)) => Some(cs.iter().collect()),
            _ => None,
        }
    }

    /// The name of a symbol.
    pub fn symbol_name(&self, v: Value) -> Option<&str> {
        match self.object(v) {
            Some(Object::Symbol(s)) => Some(&s.name),
            _ => None,
        }
    }

    pub fn flonum(&mut self, x: f64) -> Value {
        self.alloc_value(Object::Flonum(x))
    }

    /// An exact integer: a fixnum when it fits, a bignum otherwise.
    pub fn integer(&mut self, n: i64) -> Value {
        Value::fixnum(n).unwrap_or_else(|| self.alloc_value(Object::Bignum(Box::new(n.into()))))
    }

    /// An exact integer from a `BigInt`, normalized to a fixnum when it fits.
    pub fn bigint(&mut self, n: num_bigint::BigInt) -> Value {
        match i64::try_from(&n).ok().and_then(Value::fixnum) {
            Some(v) => v,
            None => self.alloc_value(Object::Bignum(Box::new(n))),
        }
    }

    /// Whether `v` is a procedure (anything `Call` accepts as a callee).
    pub fn is_procedure(&self, v: Value) -> bool {
        matches!(
            self.object(v),
            Some(
                Object::Closure(_)
                    | Object::Primitive(_)
                    | Object::Continuation(_)
                    | Object::Parameter(_)
                    | Object::CaseLambda(_)
                    | Object::Frame(_)
                    | Object::NativeFrame(_)
            )
        )
    }

    /// `eqv?`: identity, plus numbers of the same exactness and value.
    pub fn eqv(&self, a: Value, b: Value) -> bool {
        if a == b {
            return true;
        }
        match (self.object(a), self.object(b)) {
            (Some(Object::Flonum(x)), Some(Object::Flonum(y))) => x.to_bits() == y.to_bits(),
            (Some(Object::Bignum(x)), Some(Object::Bignum(y))) => x == y,
            _ => false,
        }
    }
}

/// [`Heap::change_flags`]: the id is in the dirty set.
const IN_DIRTY: u8 = 1;
/// [`Heap::change_flags`]: the id is in the freed set.
const IN_FREED: u8 = 2;
/// [`Heap::change_flags`]: allocated or mutated since the last collection of young objects.
const TOUCHED: u8 = 4;
/// [`Heap::change_flags`]: a young object that survived a collection between waves.
const SURVIVOR: u8 = 8;
/// [`Heap::change_flags`]: the store holds an object at this id (set by [`Heap::set_stored`];
/// cleared when the id, freed, is taken by [`Heap::take_freed`]).
const STORED: u8 = 16;
/// What taking a wave's dirty set clears: its objects are now stored (or freed).
const WAVE_BITS: u8 = IN_DIRTY | TOUCHED | SURVIVOR;

/// An empty dirty or freed set for the next wave, sized like the one just taken: waves in a
/// run tend to be alike, and growing a set from nothing to a few hundred thousand ids by
/// doubling copies it about twice over, in fresh memory each wave.
fn next_change_set(taken: &[ObjId]) -> Vec<ObjId> {
    Vec::with_capacity(taken.len())
}

/// A set of ids below a bound, one bit each.
pub(crate) struct IdSet {
    words: Vec<u64>,
}

impl IdSet {
    pub(crate) fn new(bound: usize) -> IdSet {
        IdSet {
            words: vec![0; bound.div_ceil(64)],
        }
    }

    /// Adds `id`; returns whether it was absent.
    pub(crate) fn insert(&mut self, id: ObjId) -> bool {
        let (word, bit) = (id.index() / 64, 1u64 << (id.index() % 64));
        let absent = self.words[word] & bit == 0;
        self.words[word] |= bit;
        absent
    }

    pub(crate) fn contains(&self, id: ObjId) -> bool {
        self.words[id.index() / 64] & (1u64 << (id.index() % 64)) != 0
    }

    /// The ids in the set, ascending.
    fn into_ascending(self, count: usize) -> Vec<ObjId> {
        let mut out = Vec::with_capacity(count);
        for (w, mut word) in self.words.into_iter().enumerate() {
            while word != 0 {
                let bit = word.trailing_zeros() as usize;
                word &= word - 1;
                out.push(ObjId(u32::try_from(w * 64 + bit).expect("ids fit u32")));
            }
        }
        out
    }
}

/// `ids` (all below `bound`) sorted ascending without repeats.
///
/// A list already strictly ascending is returned as is. Otherwise a list of at least
/// `bound / 256` ids goes through a bitmap of the id space: about `bound / 64` word reads plus
/// a bit per id, where a comparison sort makes some `16 * ids.len()` comparisons, which is
/// already more at that length. Shorter lists are sorted.
pub(crate) fn ascending_unique(mut ids: Vec<ObjId>, bound: usize) -> Vec<ObjId> {
    if ids.is_sorted_by(|a, b| a < b) {
        return ids;
    }
    if ids.len() >= bound / 256 && ids.len() > 1024 {
        let mut set = IdSet::new(bound);
        let mut count = 0;
        for &id in &ids {
            count += usize::from(set.insert(id));
        }
        return set.into_ascending(count);
    }
    ids.sort_unstable();
    ids.dedup();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alloc_marks_dirty_and_take_clears() {
        let mut h = Heap::new();
        let p = h.cons(Value::small(1), Value::NULL);
        let id = p.as_obj().unwrap();
        assert!(h.is_dirty(id));
        assert_eq!(h.take_dirty(), vec![id]);
        assert!(!h.is_dirty(id));
        if let Object::Pair(a, _) = h.get_mut(id) {
            *a = Value::small(2);
        }
        assert_eq!(h.take_dirty(), vec![id]);
        assert_eq!(h.pair(p), Some((Value::small(2), Value::NULL)));
    }

    #[test]
    fn cleared_changes_are_forgotten_and_new_ones_recorded() {
        let mut h = Heap::new();
        let kept = h.cons(Value::small(1), Value::NULL).as_obj().unwrap();
        h.define("kept", Value::obj(kept));
        h.cons(Value::small(2), Value::NULL);
        h.collect(&[]);
        assert!(h.has_changes());
        h.clear_changes();
        assert!(!h.has_changes() && !h.is_dirty(kept));
        assert!(h.take_dirty().is_empty() && h.take_freed().is_empty());
        h.get_mut(kept);
        assert_eq!(h.take_dirty(), vec![kept]);
    }

    #[test]
    fn the_dirty_set_comes_out_ascending_whichever_way_it_is_read() {
        // Sparse (sorted) and dense (read off the flags), with ids freed and reused between.
        for (objects, touched) in [(1_000, 10), (1_000, 900)] {
            let mut h = Heap::new();
            let ids: Vec<ObjId> = (0..objects)
                .map(|i| h.alloc(Object::Box(Value::small(i))))
                .collect();
            h.take_dirty();
            let mut want = Vec::new();
            for (k, &id) in ids.iter().enumerate().rev().take(touched) {
                if k % 3 == 0 {
                    h.free_slot(id);
                } else {
                    h.get_mut(id);
                    want.push(id);
                }
            }
            // Reuses the freed ids, which are dirty again.
            while h.free.last().is_some() {
                want.push(h.alloc(Object::Box(Value::TRUE)));
            }
            want.sort_unstable();
            assert_eq!(h.take_dirty_ascending(), want);
            assert!(h.take_dirty().is_empty() && !want.iter().any(|&id| h.is_dirty(id)));
        }
    }

    #[test]
    fn a_stored_id_freed_again_and_again_is_listed_once() {
        let mut h = Heap::new();
        let id = h.alloc(Object::Box(Value::FALSE));
        h.set_stored(id);
        for _ in 0..3 {
            h.free_slot(id);
            assert_eq!(
                h.alloc(Object::Box(Value::TRUE)),
                id,
                "the freed id is reused"
            );
            assert!(h.is_stored(id), "the store still holds the old object");
        }
        h.free_slot(id);
        assert_eq!(h.take_freed(), vec![id]);
        assert!(!h.is_stored(id), "taken to be deleted");
        h.alloc(Object::Box(Value::TRUE));
        h.free_slot(id);
        assert!(h.take_freed().is_empty(), "never stored: nothing to delete");
        h.alloc(Object::Box(Value::TRUE));
        h.set_stored(id);
        h.free_slot(id);
        assert_eq!(
            h.take_freed(),
            vec![id],
            "taking the set forgets what was in it"
        );
    }

    #[test]
    fn symbols_are_interned_and_hold_globals() {
        let mut h = Heap::new();
        let a = h.intern("foo");
        assert_eq!(h.intern("foo"), a);
        assert_ne!(h.intern("bar"), a);
        assert_eq!(h.global(a), None);
        h.define("foo", Value::small(42));
        assert_eq!(h.global_named("foo"), Some(Value::small(42)));
    }

    #[test]
    fn lists_round_trip_and_cycles_are_rejected() {
        let mut h = Heap::new();
        let l = h.list(&[Value::small(1), Value::small(2), Value::small(3)]);
        assert_eq!(
            h.list_to_vec(l),
            Some(vec![Value::small(1), Value::small(2), Value::small(3)])
        );
        let improper = h.cons(Value::small(1), Value::small(2));
        assert_eq!(h.list_to_vec(improper), None);
        let c = h.cons(Value::small(1), Value::NULL);
        let cid = c.as_obj().unwrap();
        if let Object::Pair(_, d) = h.get_mut(cid) {
            *d = c;
        }
        assert_eq!(h.list_to_vec(c), None);
    }

    #[test]
    fn integers_normalize() {
        let mut h = Heap::new();
        assert_eq!(h.integer(5), Value::small(5));
        let big = h.integer(i64::MAX);
        assert!(matches!(h.object(big), Some(Object::Bignum(_))));
        let small_again = h.bigint(num_bigint::BigInt::from(7));
        assert_eq!(small_again, Value::small(7));
    }

    #[test]
    fn ids_come_out_ascending_and_once_by_every_path() {
        // Sorted (short), through the bitmap (long), or already ascending (either length).
        for (count, bound) in [(50, 1000), (20_000, 100_000), (2_000, 10_000_000)] {
            let ids: Vec<ObjId> = (0..count)
                .chain(0..10)
                .map(|i: u32| ObjId(i.wrapping_mul(2_654_435_761) % bound))
                .collect();
            let mut want = ids.clone();
            want.sort_unstable();
            want.dedup();
            assert!(want.len() < ids.len(), "the input has repeats");
            assert_eq!(ascending_unique(ids, bound as usize), want);
            assert_eq!(ascending_unique(want.clone(), bound as usize), want);
            let descending: Vec<ObjId> = want.iter().rev().copied().collect();
            assert_eq!(ascending_unique(descending, bound as usize), want);
        }
    }
}
