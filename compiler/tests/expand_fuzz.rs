//! Random datum trees, biased towards syntactic keywords and macro definitions, never panic the
//! expander; whatever expands passes the scope checker and prints.

mod expand_support;

use expand_support::scope::check_scopes;
use proptest::prelude::*;
use pscheme_compiler::datum::{Datum, DatumKind};
use pscheme_compiler::expand::{self, ExpandEnv};

const WORDS: &[&str] = &[
    "quote",
    "quasiquote",
    "unquote",
    "unquote-splicing",
    "lambda",
    "define",
    "set!",
    "if",
    "begin",
    "let",
    "let*",
    "letrec",
    "letrec*",
    "do",
    "cond",
    "case",
    "and",
    "or",
    "when",
    "unless",
    "define-record-type",
    "let-values",
    "let*-values",
    "define-values",
    "receive",
    "parameterize",
    "delay",
    "delay-force",
    "case-lambda",
    "guard",
    "define-syntax",
    "let-syntax",
    "letrec-syntax",
    "syntax-rules",
    "syntax-error",
    "import",
    "cond-expand",
    "else",
    "=>",
    "...",
    "_",
    "x",
    "y",
    "m",
    "t",
    "scheme",
    "base",
    "only",
    "r7rs",
    "library",
    "not",
    "+",
    "car",
    "list",
];

fn atom() -> impl Strategy<Value = Datum> {
    prop_oneof![
        6 => prop::sample::select(WORDS).prop_map(|w| Datum::synthetic(DatumKind::Symbol(w.to_string()))),
        1 => any::<i64>().prop_map(|n| Datum::synthetic(DatumKind::Int(n))),
        1 => any::<bool>().prop_map(|b| Datum::synthetic(DatumKind::Bool(b))),
        1 => "[a-z]{0,3}".prop_map(|s| Datum::synthetic(DatumKind::Str(s))),
    ]
}

fn datum() -> impl Strategy<Value = Datum> {
    atom().prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            6 => prop::collection::vec(inner.clone(), 0..6).prop_map(|items| Datum::synthetic(DatumKind::List(items, None))),
            1 => (prop::collection::vec(inner.clone(), 1..4), atom())
                .prop_map(|(items, tail)| Datum::synthetic(DatumKind::List(items, Some(Box::new(tail))))),
            1 => prop::collection::vec(inner, 0..4).prop_map(|items| Datum::synthetic(DatumKind::Vector(items))),
        ]
    })
}

fn sym(s: &str) -> Datum {
    Datum::synthetic(DatumKind::Symbol(s.to_string()))
}

fn list(items: Vec<Datum>) -> Datum {
    Datum::synthetic(DatumKind::List(items, None))
}

/// `(define-syntax m (syntax-rules () ((_ . pattern) template) ...))`.
fn macro_definition() -> impl Strategy<Value = Datum> {
    prop::collection::vec((datum(), datum()), 1..4).prop_map(|rules| {
        let rules = rules
            .into_iter()
            .map(|(pattern, template)| {
                let pattern = match pattern.kind {
                    DatumKind::List(mut items, tail) => {
                        items.insert(0, sym("_"));
                        Datum::synthetic(DatumKind::List(items, tail))
                    }
                    other => Datum::synthetic(DatumKind::List(
                        vec![sym("_")],
                        Some(Box::new(Datum::synthetic(other))),
                    )),
                };
                list(vec![pattern, template])
            })
            .collect::<Vec<_>>();
        let mut spec = vec![sym("syntax-rules"), list(vec![])];
        spec.extend(rules);
        list(vec![sym("define-syntax"), sym("m"), list(spec)])
    })
}

fn check(forms: Vec<Datum>) {
    let mut env = ExpandEnv::new();
    if let Ok(expansion) = expand::expand(forms, &mut env) {
        check_scopes(&expansion.program)
            .unwrap_or_else(|p| panic!("{p}\n{}", expand::print_program(&expansion.program)));
        let _ = expand::print_program(&expansion.program);
        // The environment a successful unit leaves behind always round-trips.
        let bytes = postcard::to_allocvec(&env).expect("serialize");
        let back: ExpandEnv = postcard::from_bytes(&bytes).expect("deserialize");
        assert_eq!(back, env);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn random_programs_never_panic(forms in prop::collection::vec(datum(), 1..5)) {
        check(forms);
    }

    #[test]
    fn random_macros_never_panic(definition in macro_definition(), uses in prop::collection::vec(datum(), 1..4)) {
        let mut forms = vec![definition];
        forms.extend(uses.into_iter().map(|u| match u.kind {
            DatumKind::List(mut items, tail) => {
                items.insert(0, sym("m"));
                Datum::synthetic(DatumKind::List(items, tail))
            }
            other => list(vec![sym("m"), Datum::synthetic(other)]),
        }));
        check(forms);
    }
}
