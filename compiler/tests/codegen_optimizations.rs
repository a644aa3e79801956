//! What each optimization of the lowering buys, measured on the corpus: static instruction count,
//! instructions executed and continuation frames made by the reference interpreter. Turning an
//! optimization off must not change any result, and must not make the code better.
//! `cargo test --test codegen_optimizations -- --nocapture` prints the table in docs/bytecode.md.

mod lowering_support;

use lowering_support::{CORPUS, expand_source, interp};
use pscheme_compiler::driver::{Optimizations, compile_program_optimized};

#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Cost {
    instructions: usize,
    steps: usize,
    frames: usize,
    max_regs: u16,
}

fn measure(opts: Optimizations) -> (Cost, Vec<String>) {
    let mut total = Cost::default();
    let mut values = Vec::new();
    for (name, src) in CORPUS {
        let (program, files) = expand_source(src);
        let unit = compile_program_optimized(&program, &files, &|_| false, opts);
        let run =
            interp::run(&unit, 1_000_000).unwrap_or_else(|e| panic!("{name} with {opts:?}: {e}"));
        total.instructions += unit.blocks.iter().map(|b| b.code.len()).sum::<usize>();
        total.max_regs = total
            .max_regs
            .max(unit.blocks.iter().map(|b| b.n_regs).max().unwrap_or(0));
        total.steps += run.steps;
        total.frames += run.frames;
        values.push(format!("{} {}", run.value, run.output));
    }
    (total, values)
}

#[test]
fn each_optimization_helps_and_none_changes_results() {
    let all = Optimizations::default();
    let (best, expected) = measure(all);
    let variants = [
        (
            "no constant folding",
            Optimizations {
                fold_constants: false,
                ..all
            },
        ),
        (
            "no primitive inlining",
            Optimizations {
                inline_primitives: false,
                ..all
            },
        ),
        (
            "no join points",
            Optimizations {
                join_points: false,
                ..all
            },
        ),
        (
            "no closures at use",
            Optimizations {
                closures_at_use: false,
                ..all
            },
        ),
    ];
    println!("| variant | instructions | executed | frames | max regs |");
    println!("|---|---|---|---|---|");
    let row = |name: &str, c: Cost| {
        println!(
            "| {name} | {} | {} | {} | {} |",
            c.instructions, c.steps, c.frames, c.max_regs
        );
    };
    row("all optimizations", best);
    for (name, opts) in variants {
        let (cost, values) = measure(opts);
        row(name, cost);
        assert_eq!(values, expected, "{name} changed a result");
        assert!(
            cost.instructions >= best.instructions && cost.steps >= best.steps,
            "{name}: {cost:?} vs {best:?}"
        );
    }
    let none = Optimizations {
        fold_constants: false,
        inline_primitives: false,
        join_points: false,
        closures_at_use: false,
    };
    let (worst, values) = measure(none);
    row("none", worst);
    assert_eq!(values, expected);
    assert!(worst.steps > best.steps && worst.frames > best.frames);
}
