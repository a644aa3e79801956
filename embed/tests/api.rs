//! The embedding API in memory: evaluation, calls, conversions, host functions, handles,
//! errors, the scheduler.

use std::collections::BTreeMap;

use pscheme_embed::{Engine, Error, Handle, Output, RunState, Symbol, Vector};
use serde::{Deserialize, Serialize};

fn engine() -> Engine {
    Engine::builder().output(Output::Capture).open().unwrap()
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
enum Shape {
    Dot,
    Circle(f64),
    Rect { w: i64, h: i64 },
    Line(i64, i64),
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Scene {
    name: String,
    shapes: Vec<Shape>,
    tags: BTreeMap<String, i64>,
    parent: Option<u32>,
    data: Vector<u8>,
}

#[test]
fn structured_data_round_trips_and_has_the_documented_shape() {
    let mut e = engine();
    let scene = Scene {
        name: "s".into(),
        shapes: vec![
            Shape::Dot,
            Shape::Circle(1.5),
            Shape::Rect { w: 2, h: 3 },
            Shape::Line(4, 5),
        ],
        tags: BTreeMap::from([("a".into(), 1), ("b".into(), 2)]),
        parent: None,
        data: Vector(vec![1, 2]),
    };
    e.define("scene", &scene).unwrap();
    let back: Scene = e.get("scene").unwrap();
    assert_eq!(back, scene);
    let written: String = e
        .eval("(let ((p (open-output-string))) (write scene p) (get-output-string p))")
        .unwrap();
    assert_eq!(
        written,
        r#"((name . "s") (shapes Dot (Circle 1.5) (Rect (w . 2) (h . 3)) (Line 4 5)) (tags ("a" . 1) ("b" . 2)) (parent . #f) (data . #(1 2)))"#
    );
}

#[test]
fn scalars_convert_both_ways() {
    let mut e = engine();
    assert_eq!(e.call::<i64>("+", (1, 2)).unwrap(), 3);
    assert_eq!(e.call::<u64>("*", (u64::MAX, 1)).unwrap(), u64::MAX);
    assert_eq!(
        e.call::<i128>("*", (i64::MAX, 4)).unwrap(),
        i128::from(i64::MAX) * 4
    );
    assert!((e.call::<f64>("/", (1.0, 4)).unwrap() - 0.25).abs() < f64::EPSILON);
    assert_eq!(e.call::<char>("char-upcase", ('a',)).unwrap(), 'A');
    assert_eq!(
        e.call::<String>("symbol->string", (Symbol::from("abc"),))
            .unwrap(),
        "abc"
    );
    assert_eq!(
        e.eval::<Vec<u8>>("(bytevector 1 2 255)").unwrap(),
        [1, 2, 255]
    );
    assert_eq!(e.eval::<Option<i64>>("(assq 'x '())").unwrap(), None);
    assert_eq!(e.eval::<Vec<i64>>("(vector 1 2 3)").unwrap(), [1, 2, 3]);
    assert!(e.eval::<bool>("(string? \"x\")").unwrap());
    let table: BTreeMap<String, i64> = e
        .eval("(let ((h (make-equal-hash-table))) (hash-table-set! h \"k\" 9) h)")
        .unwrap();
    assert_eq!(table, BTreeMap::from([("k".to_owned(), 9)]));
}

#[test]
fn conversion_errors_are_typed() {
    let mut e = engine();
    match e.eval::<i64>("\"abc\"") {
        Err(Error::Convert(c)) => assert!(c.message().contains("\"abc\""), "{c}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(e.eval::<u8>("300"), Err(Error::Convert(_))));
}

#[test]
fn scheme_errors_carry_message_irritants_and_location() {
    let mut e = engine();
    e.eval_named::<()>(
        "(define (check x)\n  (if (< x 0) (error \"negative:\" x 'really) x))",
        "check.scm",
    )
    .unwrap();
    let Err(Error::Scheme(err)) = e.call::<i64>("check", (-5,)) else {
        panic!("expected a Scheme error");
    };
    assert_eq!(err.message, "negative:");
    assert_eq!(err.irritants, ["-5", "really"]);
    assert!(
        err.location
            .as_deref()
            .is_some_and(|l| l.starts_with("check.scm:2:")),
        "{err:?}"
    );
    assert_eq!(
        e.call::<i64>("check", (5,)).unwrap(),
        5,
        "the engine goes on after an error"
    );
    let Err(Error::Scheme(raised)) = e.eval::<()>("(raise 42)") else {
        panic!()
    };
    assert_eq!(raised.message, "uncaught exception: 42");
}

#[test]
fn compile_errors_unbound_names_and_non_procedures() {
    let mut e = engine();
    assert!(matches!(e.eval::<()>("(define"), Err(Error::Compile(_))));
    assert!(matches!(
        e.call::<()>("no-such-procedure", ()),
        Err(Error::Unbound(_))
    ));
    e.eval::<()>("(define five 5)").unwrap();
    assert!(matches!(
        e.call::<()>("five", ()),
        Err(Error::NotAProcedure(_))
    ));
}

#[test]
fn host_functions_are_callable_and_their_errors_are_scheme_errors() {
    let mut e = engine();
    e.register_fn("host-greet", |name: String, n: usize| {
        Ok::<_, String>(name.repeat(n))
    })
    .unwrap();
    assert_eq!(e.eval::<String>("(host-greet \"ab\" 3)").unwrap(), "ababab");
    e.register_fn("host-fail", |x: i64| -> Result<i64, String> {
        Err(format!("bad {x}"))
    })
    .unwrap();
    let caught: String = e
        .eval("(guard (c (#t (error-object-message c))) (host-fail 7))")
        .unwrap();
    assert!(caught.contains("bad 7"), "{caught}");
    let Err(Error::Scheme(err)) = e.eval::<()>("(host-greet 1 2)") else {
        panic!()
    };
    assert!(err.message.contains("argument 1"), "{err:?}");
    assert!(matches!(
        e.register_fn("car", |x: i64| Ok::<_, String>(x)),
        Err(Error::Builtin(_))
    ));
}

#[test]
fn handles_keep_values_alive_across_collections() {
    let mut e = engine();
    let kept: Handle = e.eval("(list (make-string 3 #\\k) (vector 1 2))").unwrap();
    // Allocate enough garbage for several collections.
    e.eval::<()>("(let loop ((i 0)) (when (< i 200000) (cons i i) (loop (+ i 1))))")
        .unwrap();
    assert_eq!(e.write_string(&kept).unwrap(), "(\"kkk\" #(1 2))");
    let len: usize = e.call("length", (&kept,)).unwrap();
    assert_eq!(len, 2);
    drop(kept);
    e.eval::<()>("(let loop ((i 0)) (when (< i 200000) (cons i i) (loop (+ i 1))))")
        .unwrap();
}

#[test]
fn a_clone_keeps_the_value_alive_after_the_original_is_dropped() {
    let mut e = engine();
    let original: Handle = e.eval("(list (make-string 2 #\\c))").unwrap();
    let copy = original.clone();
    drop(original);
    e.eval::<()>("(let loop ((i 0)) (when (< i 200000) (cons i i) (loop (+ i 1))))")
        .unwrap();
    assert_eq!(e.write_string(&copy).unwrap(), "(\"cc\")");
}

#[test]
fn handles_of_another_engine_are_refused() {
    let mut a = engine();
    let mut b = engine();
    let h: Handle = a.eval("(list 1)").unwrap();
    assert!(matches!(
        b.call::<i64>("length", (&h,)),
        Err(Error::ForeignHandle)
    ));
}

#[test]
fn the_scheduler_runs_processes_and_delivers_messages() {
    let mut e = engine();
    e.eval::<()>(
        "(define total 0)
         (define (adder) (let loop () (let ((m (receive))) (set! total (+ total m)) (loop))))",
    )
    .unwrap();
    let adder = e.global("adder").unwrap();
    let p = e.spawn(&adder, ()).unwrap();
    for i in 1..=10 {
        assert!(e.send(&p, i).unwrap());
    }
    assert_eq!(e.run_until_idle().unwrap(), RunState::Waiting);
    assert_eq!(e.get::<i64>("total").unwrap(), 55);
    let not_a_process: Handle = e.eval("42").unwrap();
    assert!(matches!(
        e.send(&not_a_process, 1),
        Err(Error::NotAProcess(_))
    ));
}

#[test]
fn bounded_runs_return_busy_and_timers_are_slept_through() {
    let mut e = engine();
    e.eval::<()>("(define n 0) (spawn (lambda () (let loop () (set! n (+ n 1)) (loop))))")
        .unwrap();
    assert_eq!(e.run_slices(3).unwrap(), RunState::Busy);
    assert!(e.get::<i64>("n").unwrap() > 0);
    let mut f = engine();
    f.eval::<()>("(define woke #f) (spawn (lambda () (sleep 30) (set! woke #t)))")
        .unwrap();
    assert!(matches!(
        f.run_until_idle().unwrap(),
        RunState::WaitingUntil(_)
    ));
    assert_eq!(f.run_to_completion().unwrap(), RunState::AllDone);
    assert!(f.get::<bool>("woke").unwrap());
}

#[test]
fn output_is_captured_and_failed_processes_are_reported() {
    let mut e = engine();
    e.eval::<()>("(display \"hi\") (newline) (spawn (lambda () (car '())))")
        .unwrap();
    e.run_until_idle().unwrap();
    let out = e.take_output();
    assert_eq!(out.stdout, "hi\n");
    assert!(out.stderr.contains("failed"), "{}", out.stderr);
}

#[test]
fn exit_during_a_call_is_reported() {
    let mut e = engine();
    assert!(matches!(e.eval::<()>("(exit 3)"), Err(Error::Exited(3))));
}

#[test]
fn output_callbacks_receive_each_stream() {
    use std::sync::{Arc, Mutex};
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let mut e = Engine::builder()
        .output(Output::Callback(Box::new(move |is_err, text| {
            sink.lock().unwrap().push((is_err, text.to_owned()));
        })))
        .open()
        .unwrap();
    e.eval::<()>("(display \"out\") (display \"err\" (current-error-port))")
        .unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        [(false, "out".to_owned()), (true, "err".to_owned())]
    );
}

#[test]
fn run_for_sleeps_through_timers_within_its_time() {
    let mut e = engine();
    e.eval::<()>("(define ticks 0) (spawn (lambda () (let loop () (sleep 5) (set! ticks (+ ticks 1)) (loop))))")
        .unwrap();
    let start = std::time::Instant::now();
    let state = e.run_for(std::time::Duration::from_millis(60)).unwrap();
    assert!(matches!(state, RunState::WaitingUntil(_)), "{state:?}");
    assert!(start.elapsed() >= std::time::Duration::from_millis(60));
    let ticks: i64 = e.get("ticks").unwrap();
    assert!(ticks >= 3, "{ticks}");
}

#[test]
fn a_call_waiting_forever_is_an_error_not_a_hang() {
    let mut e = engine();
    let r = e.eval::<()>("(define q (receive))");
    assert!(matches!(r, Err(Error::Blocked)), "{r:?}");
    assert_eq!(e.eval::<i64>("(+ 1 1)").unwrap(), 2, "the engine goes on");
}
